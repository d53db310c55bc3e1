# Sourced by the OCSP benchmarks: wrk over a list of GET paths, with an untimed warm-up run first.
# Needs W (work directory), CONNECTIONS, SECONDS_PER_RUN, WARMUP, and say/fail from deploy/local/lib.sh.

# run_wrk LABEL URL PATHFILE [FRESH] sets wrk_rps and wrk_p99. Each server first gets an untimed warm-up
# run of WARMUP seconds (the JVM compiles its hot path; other servers get the same). FRESH, when
# given, is a command run before each wrk run to give it a freshly started server. WRK_CLIENT_CERT and
# WRK_CLIENT_KEY, when set, make wrk present that client certificate (see wrk_client_cert).
# WRK_CPU, when set, pins wrk to that CPU (taskset) and WRK_THREADS (2) sets its thread count.
run_wrk() {
    local label=$1 url=$2 paths=$3 fresh=${4:-true} out=$W/wrk-$1.txt preload= pin=() threads=${WRK_THREADS:-2}
    [[ -n ${WRK_CLIENT_CERT:-} ]] && preload=$(wrk_client_cert)
    [[ -n ${WRK_CPU:-} ]] && pin=(taskset -c "$WRK_CPU")
    $fresh
    PATHS=$paths LD_PRELOAD=$preload "${pin[@]}" wrk -t"$threads" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/ocsp/paths.lua "$url" \
        >"$W/wrk-$1-warmup.txt"
    $fresh
    PATHS=$paths LD_PRELOAD=$preload "${pin[@]}" wrk -t"$threads" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s bench/ocsp/paths.lua \
        "$url" >"$out"
    local rps p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out" | tr '\n' ' ')
    say "  $label: $rps req/s, p99 $p99 ${errors:+($errors)}"
    awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || fail "$label answered no request in the timed run; see $out"
    ! grep -q Non-2xx "$out" || fail "$label: answers other than 200 in the timed run; see $out"
    wrk_rps=$rps wrk_p99=$p99
}

# The path of the LD_PRELOAD shim that gives wrk a client certificate (built once per work directory).
wrk_client_cert() {
    [[ -f $W/wrk-client-cert.so ]] \
        || gcc -O2 -shared -fPIC -o "$W/wrk-client-cert.so" bench/ocsp/wrk-client-cert.c -ldl \
        || fail "cannot build bench/ocsp/wrk-client-cert.c"
    echo "$W/wrk-client-cert.so"
}
