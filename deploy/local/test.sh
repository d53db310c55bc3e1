#!/usr/bin/env bash
# Runs every test: brings up the real PostgreSQL and SoftHSM2 (installing them when missing),
# then the Maven build with all modules' tests. Extra arguments go to Maven.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$SCRIPT_DIR/infra.sh" up
cd "$REPO_ROOT"
./mvnw -B verify "$@"
