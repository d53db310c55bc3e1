#!/usr/bin/env bash
# Runs every test: brings up the real PostgreSQL and SoftHSM2 (installing them when missing) and
# fetches the Kafka jars, then the Maven build with all modules' tests. Extra arguments go to Maven.
# Tests start Kafka brokers of their own (test-support KafkaBroker), so the dev broker stays off.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INKAN_DEV_BROKER=0 bash "$SCRIPT_DIR/infra.sh" up
cd "$REPO_ROOT"
# Should anything hang, print every JVM's threads once (to stderr, so CI's log shows where) well
# before CI's limit; surefire's fork timeout then ends the stuck fork.
(
    sleep "${INKAN_TEST_WATCHDOG_SECONDS:-1500}" </dev/null >/dev/null 2>&1
    echo "[test.sh] still running after ${INKAN_TEST_WATCHDOG_SECONDS:-1500} s: thread dumps follow" >&2
    for pid in $(pgrep -f 'surefire|quarkus-run.jar|kafka.Kafka' || true); do
        echo "---- pid $pid: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | cut -c1-200)" >&2
        jcmd "$pid" Thread.print >&2 2>/dev/null || true
    done
) 9>&- &
watchdog=$!
trap 'pkill -P "$watchdog" 2>/dev/null; kill "$watchdog" 2>/dev/null || true' EXIT
./mvnw -B verify "$@"
