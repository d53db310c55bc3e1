#!/usr/bin/env bash
# Stops what deploy/local/run.sh started: the services, then the infrastructure infra.sh started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for service in crl-publisher ocsp-responder registration-service ca-service; do
    stop_service "$service"
done
bash "$SCRIPT_DIR/infra.sh" down
