#!/usr/bin/env bash
# OCSP benchmark, in one run on this machine (writes bench/results/ocsp-responder.md):
#  1. throughput: wrk (GET, RFC 5019, no nonce, so cached pre-signed answers; many serials) against
#     - the ocsp-responder,
#     - nginx serving the very same DER answers as static files (the ceiling for "cached"),
#     - `openssl ocsp -multi 2` answering the same certificates (signs every answer);
#  2. revocation propagation: time from the revocation API's 200 to the first OCSP answer saying
#     revoked, p50/p99 over BENCH_REVOCATIONS revocations.
# The system must not be loaded otherwise; it is started with deploy/local/run.sh if needed.
# BENCH_SECONDS (20) per wrk run, BENCH_CONNECTIONS (32), BENCH_CERTS (1000),
# BENCH_REVOCATIONS (1000), BENCH_WORKERS (8).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/local/lib.sh

SECONDS_PER_RUN=${BENCH_SECONDS:-20}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
CERTS=${BENCH_CERTS:-1000}
REVOCATIONS=${BENCH_REVOCATIONS:-1000}
WORKERS=${BENCH_WORKERS:-8}
W=$STATE/bench/ocsp
RESULT=bench/results/ocsp-responder.md
NGINX_PORT=18480
OPENSSL_PORT=18488

command -v wrk >/dev/null && command -v nginx >/dev/null || apt-get install -y -q wrk nginx-light >/dev/null
bash deploy/local/run.sh >"$STATE/logs/bench-run.log" 2>&1 || fail "deploy/local/run.sh failed; see $STATE/logs/bench-run.log"
load_env
rm -rf "$W" && mkdir -p "$W"
# Bouncy Castle as the project uses it (the build above fetched it into the local repository).
bc_version=$(sed -n 's|.*<bouncycastle.version>\(.*\)</bouncycastle.version>.*|\1|p' pom.xml)
m2=${MAVEN_REPO:-$HOME/.m2/repository}
BC_CP=
for a in bcprov bcpkix bcutil; do
    jar=$m2/org/bouncycastle/$a-jdk18on/$bc_version/$a-jdk18on-$bc_version.jar
    [[ -f $jar ]] || fail "missing $jar (build the project first)"
    BC_CP+=${BC_CP:+:}$jar
done
bench() { java -cp "$BC_CP" bench/ocsp/OcspBench.java "$@"; }

say "issuing $CERTS certificates through registration-service"
bench prepare "$W" "$CERTS" | tee "$W/prepare.log"

WARMUP=${BENCH_WARMUP_SECONDS:-60}
source bench/ocsp/wrk.sh

# nginx: the same answer bytes as static files.
mkdir -p "$W/nginx-tmp"
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $W/nginx-tmp; proxy_temp_path $W/nginx-tmp; fastcgi_temp_path $W/nginx-tmp;
    uwsgi_temp_path $W/nginx-tmp; scgi_temp_path $W/nginx-tmp;
    types { application/ocsp-response der; }
    server { listen 127.0.0.1:$NGINX_PORT; root $W/nginx; }
}
EOF
nginx -c "$W/nginx.conf"

# openssl: its own responder, signing every answer with a delegated certificate from ca-service.
# OpenSSL 3.0's responder children spin forever on a connection the client closed while they waited
# for its next request (which wrk does to every connection when a run ends), so each wrk run gets a
# freshly started responder.
openssl_pid=
stop_openssl() {
    if [[ -n $openssl_pid ]]; then
        # -multi makes it a process group leader: the parent and the children it re-forks go together
        kill -- "-$openssl_pid" 2>/dev/null || true
        wait "$openssl_pid" 2>/dev/null || true
        openssl_pid=
    fi
}
start_openssl() {
    stop_openssl
    openssl ocsp -index "$W/index.txt" -port "$OPENSSL_PORT" -rsigner "$W/rsigner.pem" -rkey "$W/rkey.pem" \
        -CA "$W/signature-root.pem" -multi 2 -nmin 60 >>"$W/openssl-ocsp.log" 2>&1 &
    openssl_pid=$!
    local i
    for i in $(seq 50); do
        curl -fsS -H "Connection: close" -o /dev/null "http://127.0.0.1:$OPENSSL_PORT${first#/ocsp}" && return 0
        sleep 0.1
    done
    fail "openssl's reference responder did not start; see $W/openssl-ocsp.log"
}
cleanup() {
    stop_openssl
    [[ -f $W/nginx.pid ]] && kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
first=$(head -1 "$W/paths.txt")
start_openssl
# Every server must give a real answer for our requests before it is timed.
curl -fsS -H "Connection: close" "http://127.0.0.1:$OPENSSL_PORT${first#/ocsp}" -o "$W/openssl-sample.der"
openssl ocsp -respin "$W/openssl-sample.der" -CAfile "$W/signature-root.pem" -resp_text >/dev/null 2>&1 \
    || fail "openssl's reference responder gave no verifiable answer"
stop_openssl
curl -fsS "http://127.0.0.1:8082$first" -o "$W/inkan-sample.der"
openssl ocsp -respin "$W/inkan-sample.der" -CAfile "$W/signature-root.pem" >/dev/null 2>&1 \
    || fail "our responder gave no verifiable answer"

say "throughput: wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(wc -l <"$W/paths.txt") serials"
run_wrk ocsp-responder "http://127.0.0.1:8082" "$W/paths.txt"
inkan_rps=$wrk_rps inkan_p99=$wrk_p99 inkan_warmup=$wrk_warmup
run_wrk nginx "http://127.0.0.1:$NGINX_PORT" "$W/nginx-paths.txt"
nginx_rps=$wrk_rps nginx_p99=$wrk_p99 nginx_warmup=$wrk_warmup
sed 's|^/ocsp||' "$W/paths.txt" >"$W/openssl-paths.txt"
run_wrk openssl-ocsp "http://127.0.0.1:$OPENSSL_PORT" "$W/openssl-paths.txt" start_openssl
openssl_rps=$wrk_rps openssl_p99=$wrk_p99 openssl_warmup=$wrk_warmup
cleanup
trap - EXIT

say "propagation: $REVOCATIONS revocations through registration-service, $WORKERS at a time"
bench propagation "$W" "$REVOCATIONS" "$WORKERS" | tee "$W/propagation.log"
propagation=$(grep '^propagation_ms' "$W/propagation.log")
failures=$(grep -o 'failures=[0-9]*' "$W/propagation.log")
p99=$(sed -n 's/.*p99=\([0-9-]*\).*/\1/p' <<<"$propagation")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
    echo "# OCSP responder benchmark"
    echo
    echo "Run by \`bench/ocsp-responder.sh\` on $(date -u +%FT%TZ), $(nproc) cores; load generator (wrk) and"
    echo "servers share the machine. GET per RFC 5019 without nonce (pre-signed, cached answers),"
    echo "$(wc -l <"$W/paths.txt") signature-CA serials, \`wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s\`; nginx serves the"
    echo "very same DER answers as static files; \`openssl ocsp -multi 2\` answers the same certificates"
    echo "(index.txt) and signs each answer with a delegated responder certificate from ca-service."
    echo "Each server is warmed up untimed first, in 5 s wrk runs until two in a row agree within 3% (at most"
    echo "${WARMUP} s): ocsp-responder $inkan_warmup, nginx $nginx_warmup, openssl $openssl_warmup; openssl's responder is restarted before"
    echo "each run (OpenSSL $(openssl version | awk '{print $2}')'s children spin on a keep-alive connection the client closed)."
    echo
    echo "| server | req/s | p99 | ratio (ocsp-responder / server) | target |"
    echo "|---|---|---|---|---|"
    echo "| ocsp-responder | $inkan_rps | $inkan_p99 | 1 | |"
    echo "| nginx, static DER | $nginx_rps | $nginx_p99 | $(ratio "$inkan_rps" "$nginx_rps") | ≥ 0.6 |"
    echo "| openssl ocsp -multi 2 | $openssl_rps | $openssl_p99 | $(ratio "$inkan_rps" "$openssl_rps") | ≥ 10 |"
    echo
    echo "## Revocation propagation"
    echo
    echo "$REVOCATIONS revocations (keyCompromise) through registration-service's revocation API, $WORKERS"
    echo "concurrent; each timed from the API's 200 to the first OCSP GET answer (polled every 2 ms) saying"
    echo "revoked: ca-service's outbox relay → Kafka → the responder's store → a fresh signature."
    echo
    echo "\`$propagation\` (milliseconds), $failures; target p99 < 1000 ms."
    echo
    echo "Raw output: \`.inkan-local/bench/ocsp/\` (wrk-*.txt, prepare.log, propagation.log)."
} >"$RESULT"
cat "$RESULT"
