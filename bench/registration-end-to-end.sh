#!/usr/bin/env bash
# Municipality clients over mTLS -> registration-service -> ca-service, against raw PKCS#11 signing
# in the same run; writes bench/results/registration-end-to-end.md.
# BENCH_SECONDS (default 60) and BENCH_CLIENTS (default 16) set the load; BENCH_WARMUP_SLICES (default
# 36) caps the warm-up, which ends earlier once neither JVM's JIT compiler is busy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash deploy/local/infra.sh up >/dev/null
./mvnw -B -q install -DskipTests -pl common,test-support,ca-service -am
./mvnw -B verify -Pbench -pl registration-service -Dbench.seconds="${BENCH_SECONDS:-60}" \
    -Dbench.clients="${BENCH_CLIENTS:-16}" -Dbench.warmupSlices="${BENCH_WARMUP_SLICES:-36}" \
    -Dsurefire.failIfNoSpecifiedTests=false
cat bench/results/registration-end-to-end.md
