#!/usr/bin/env bash
# Cached OCSP GET throughput in open mode and in mtls mode, in one run (writes bench/results/ocsp-mtls.md).
#
# wrk drives every case (keep-alive HTTP/1.1, -t2, BENCH_CONNECTIONS connections, the client of
# ocsp-responder.md); for mtls it presents the relying party's client certificate through a small
# LD_PRELOAD shim (bench/ocsp/wrk-client-cert.c), as wrk itself has no option for one:
#   open/http    a responder with every CA open, plain HTTP (today's deployment)
#   open/https   the same responder over its HTTPS listener, no client certificate (TLS cost alone)
#   mtls/https   a responder with the signature CA in mtls mode, the registered platform client
#                certificate on every connection (TLS + access control per request)
# Every case runs in two layouts (see measure): "shared" (wrk and responder on all cores) and
# "pinned" (responder on CPU 1, wrk on CPU 0), the second isolating the responder's own cost.
# Both responders are started here from the packaged jar with the same options, one after the other,
# on ports of their own, on the running system's ca-service and Kafka (start it first with
# deploy/local/run.sh; do not run this while anything else loads the machine). Target: mtls/https at
# >= 0.8x open/http. BENCH_SECONDS (20), BENCH_CONNECTIONS (32), BENCH_CERTS (200), BENCH_WARMUP_SECONDS (60, the most
# a warm-up may take; see warm_up in bench/ocsp/wrk.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/local/lib.sh
load_env

SECONDS_PER_RUN=${BENCH_SECONDS:-20}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
CERTS=${BENCH_CERTS:-200}
WARMUP=${BENCH_WARMUP_SECONDS:-60}
W=$STATE/bench/ocsp-mtls
RESULT=${BENCH_RESULT:-bench/results/ocsp-mtls.md}
HTTP_PORT=18082 HTTPS_PORT=18092 MGMT_PORT=19082
JAR=ocsp-responder/target/quarkus-app/quarkus-run.jar
[[ -f $JAR ]] || fail "build first: ./mvnw -DskipTests package -pl ocsp-responder -am"
curl -fsS -o /dev/null --cacert "$INKAN_PKI_DIR/service-ca.pem" --cert "$INKAN_PKI_DIR/municipalities/131016.pem" \
    --key "$INKAN_PKI_DIR/municipalities/131016.key" https://localhost:8080/q/health 2>/dev/null \
    || curl -fsS -o /dev/null http://127.0.0.1:9080/q/health/ready \
    || fail "the system is not running: start it with deploy/local/run.sh"
rm -rf "$W" && mkdir -p "$W"

bc_version=$(sed -n 's|.*<bouncycastle.version>\(.*\)</bouncycastle.version>.*|\1|p' pom.xml)
m2=${MAVEN_REPO:-$HOME/.m2/repository}
BC_CP=
for a in bcprov bcpkix bcutil; do
    BC_CP+=${BC_CP:+:}$m2/org/bouncycastle/$a-jdk18on/$bc_version/$a-jdk18on-$bc_version.jar
done
say "issuing $CERTS certificates through registration-service"
java -cp "$BC_CP" bench/ocsp/OcspBench.java prepare "$W" "$CERTS" >"$W/prepare.log"
say "registering the sample relying parties (platform: both CAs, no rate limit)"
bash deploy/local/relying-party.sh register-dev >"$W/register.log"

responder_pid=
stop_responder() {
    if [[ -n $responder_pid ]]; then
        kill "$responder_pid" 2>/dev/null || true
        wait "$responder_pid" 2>/dev/null || true
        responder_pid=
    fi
}
trap stop_responder EXIT
# start_responder MODE: the same jar and heap options for both modes; a state directory per mode
# (it rebuilds its store from the topic and gets its own responder certificates).
start_responder() {
    stop_responder
    local pin=()
    [[ -n ${RESPONDER_CPU:-} ]] && pin=(taskset -c "$RESPONDER_CPU")
    INKAN_OCSP_STATE_DIR=$W/state-$1 INKAN_OCSP_ACCESS_SIGNATURE=$1 INKAN_CA_URL=https://localhost:8081 \
        "${pin[@]}" java -Xmx256m -Dquarkus.http.port=$HTTP_PORT -Dquarkus.http.ssl-port=$HTTPS_PORT \
        -Dquarkus.management.port=$MGMT_PORT -jar "$JAR" >"$W/responder-$1.log" 2>&1 &
    responder_pid=$!
    WRK_SERVER_PID=$responder_pid
    for _ in $(seq 120); do
        curl -fsS -o /dev/null "http://127.0.0.1:$MGMT_PORT/q/health/ready" 2>/dev/null && return 0
        kill -0 "$responder_pid" 2>/dev/null || fail "responder ($1) exited; see $W/responder-$1.log"
        sleep 1
    done
    fail "responder ($1) not ready in 120 s; see $W/responder-$1.log"
}
source bench/ocsp/wrk.sh

# measure LAYOUT: the three cases. "shared": wrk (-t2) and the responder on both cores, as in
# ocsp-responder.md. "pinned": the responder on CPU 1, wrk (-t1) on CPU 0, so the client's own TLS
# work does not take CPU from the responder and the rates compare the responder's cost per answer.
measure() {
    local layout=$1
    if [[ $layout == pinned ]]; then
        RESPONDER_CPU=1 WRK_CPU=0 WRK_THREADS=1
    else
        RESPONDER_CPU= WRK_CPU= WRK_THREADS=2
    fi
    say "$layout: open, every CA open"
    start_responder open
    run_wrk "$layout-open-http" "http://127.0.0.1:$HTTP_PORT" "$W/paths.txt"
    rps[$layout-open-http]=$wrk_rps p99[$layout-open-http]=$wrk_p99 warm[$layout-open-http]=$wrk_warmup
    us[$layout-open-http]=$wrk_server_us cores[$layout-open-http]=$wrk_server_cores
    run_wrk "$layout-open-https" "https://localhost:$HTTPS_PORT" "$W/paths.txt"
    rps[$layout-open-https]=$wrk_rps p99[$layout-open-https]=$wrk_p99 warm[$layout-open-https]=$wrk_warmup
    us[$layout-open-https]=$wrk_server_us cores[$layout-open-https]=$wrk_server_cores
    say "$layout: mtls, the signature CA in mtls mode"
    start_responder mtls
    # Anonymous requests must be refused, or the mtls run would measure nothing.
    local first code
    first=$(head -1 "$W/paths.txt")
    code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$INKAN_PKI_DIR/service-ca.pem" "https://localhost:$HTTPS_PORT$first")
    [[ $code == 401 ]] || fail "mtls responder answered $code without a client certificate"
    WRK_CLIENT_CERT=$INKAN_PKI_DIR/relying-parties/platform.pem WRK_CLIENT_KEY=$INKAN_PKI_DIR/relying-parties/platform.key \
        run_wrk "$layout-mtls-https" "https://localhost:$HTTPS_PORT" "$W/paths.txt"
    rps[$layout-mtls-https]=$wrk_rps p99[$layout-mtls-https]=$wrk_p99 warm[$layout-mtls-https]=$wrk_warmup
    us[$layout-mtls-https]=$wrk_server_us cores[$layout-mtls-https]=$wrk_server_cores
    stop_responder
}
declare -A rps p99 warm us cores
CPUS=$(nproc)
LAYOUTS=(shared)
((CPUS >= 2)) && LAYOUTS+=(pinned)
for layout in "${LAYOUTS[@]}"; do measure "$layout"; done
trap - EXIT

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
    echo "# OCSP: open vs mtls access mode"
    echo
    echo "Run by \`bench/ocsp-mtls.sh\` on $(date -u +%FT%TZ), $CPUS cores, load generator and responder on"
    echo "the same machine. Cached (pre-signed) GETs per RFC 5019, $(wc -l <"$W/paths.txt") signature-CA serials,"
    echo "\`wrk -c$CONNECTIONS\` (keep-alive) for ${SECONDS_PER_RUN} s after an untimed warm-up (5 s wrk runs until two in a"
    echo "row agree within 3%, at most ${WARMUP} s: a fixed 10 s left the freshly started mtls responder, pinned to"
    echo "one core, still compiling while open/https ran on a responder already warmed by open/http), the mtls case presenting the"
    echo "platform operator's client certificate (bench/ocsp/wrk-client-cert.c preloaded into wrk);"
    echo "each mode on a freshly started responder (same jar, -Xmx256m, BoringSSL TLS engine)."
    echo "Layouts: **shared** = wrk -t2 and the responder on all cores (wrk's own TLS work competes with"
    echo "the responder); **pinned** = responder on CPU 1, wrk -t1 on CPU 0 (the rates compare the"
    echo "responder's own cost per answer). The responder's CPU (user + system of its JVM, from /proc) over each timed"
    echo "run, divided by the answers, is its cost per answer whatever shares the cores; open/http's cost over a"
    echo "case's is the throughput ratio a responder on cores of its own would reach (its capacity ratio)."
    for layout in "${LAYOUTS[@]}"; do
        echo
        echo "## $layout"
        echo
        echo "| case | req/s | p99 | ratio to open/http | target | responder CPU µs/answer | responder cores busy | open/http's CPU per answer over this case's | warm-up |"
        echo "|---|---|---|---|---|---|---|---|---|"
        row() { # CASE LABEL TARGET
            echo "| $2 | ${rps[$layout-$1]} | ${p99[$layout-$1]} | $(ratio "${rps[$layout-$1]}" "${rps[$layout-open-http]}") | $3 | ${us[$layout-$1]} | ${cores[$layout-$1]} | $(ratio "${us[$layout-open-http]}" "${us[$layout-$1]}") | ${warm[$layout-$1]} |"
        }
        row open-http "open, plain HTTP" ""
        row open-https "open, HTTPS without client certificate" ""
        row mtls-https "mtls, HTTPS with the platform's client certificate" "≥ 0.8"
        echo
        echo "mtls against open over HTTPS (the access check alone): $(ratio "${rps[$layout-mtls-https]}" "${rps[$layout-open-https]}")."
    done
    echo
    echo "Raw output: \`.inkan-local/bench/ocsp-mtls/\`."
} >"$RESULT"
cat "$RESULT"
