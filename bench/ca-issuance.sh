#!/usr/bin/env bash
# Raw PKCS#11 signing vs full issuance in one run; writes bench/results/ca-issuance.md.
# BENCH_SECONDS sets the length of each phase (default 10).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash deploy/local/infra.sh up >/dev/null
./mvnw -B -q install -DskipTests -pl common,test-support -am
./mvnw -B verify -Pbench -pl ca-service -Dbench.seconds="${BENCH_SECONDS:-10}" \
    -Dsurefire.failIfNoSpecifiedTests=false
cat bench/results/ca-issuance.md
