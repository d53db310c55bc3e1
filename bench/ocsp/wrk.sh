# Sourced by the OCSP benchmarks: wrk over a list of GET paths, with an untimed warm-up first.
# Needs W (work directory), CONNECTIONS, SECONDS_PER_RUN, WARMUP, and say/fail from deploy/local/lib.sh.

# run_wrk LABEL URL PATHFILE [FRESH] sets wrk_rps, wrk_p99 and wrk_warmup. Each server is first warmed
# up (see warm_up) so that every case is timed on settled code, however much earlier cases already
# warmed it. FRESH, when given, is a command run before the warm-up and again before the timed run to
# give each a freshly started server. WRK_CLIENT_CERT and WRK_CLIENT_KEY, when set, make wrk present
# that client certificate (see wrk_client_cert).
# WRK_SERVER_PID, when set, also sets wrk_server_us (the server's CPU microseconds per answer in the
# timed run) and wrk_server_cores (its CPU seconds per second there).
# WRK_CPU, when set, pins wrk to that CPU (taskset) and WRK_THREADS (2) sets its thread count.
run_wrk() {
    local label=$1 url=$2 paths=$3 fresh=${4:-true} out=$W/wrk-$1.txt preload= pin=() threads=${WRK_THREADS:-2}
    [[ -n ${WRK_CLIENT_CERT:-} ]] && preload=$(wrk_client_cert)
    [[ -n ${WRK_CPU:-} ]] && pin=(taskset -c "$WRK_CPU")
    $fresh
    warm_up "$label" "$url" "$paths" "$preload" "$threads" "${pin[@]}"
    $fresh
    local cpu_before
    [[ -n ${WRK_SERVER_PID:-} ]] && cpu_before=$(process_cpu_ticks "$WRK_SERVER_PID")
    PATHS=$paths LD_PRELOAD=$preload "${pin[@]}" wrk -t"$threads" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s bench/ocsp/paths.lua \
        "$url" >"$out"
    wrk_server_us= wrk_server_cores=
    if [[ -n ${WRK_SERVER_PID:-} ]]; then
        # The server's own CPU per answer (user + system, all its threads) over the timed run: what
        # the answers cost the server whatever else shares the cores, and how busy it was.
        local ticks answers
        ticks=$(($(process_cpu_ticks "$WRK_SERVER_PID") - cpu_before))
        answers=$(awk '/requests in/ {print $1}' "$out")
        wrk_server_us=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$answers" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
        wrk_server_cores=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v s="$SECONDS_PER_RUN" 'BEGIN { printf "%.2f", t / hz / s }')
    fi
    local rps p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out" | tr '\n' ' ')
    say "  $label: $rps req/s, p99 $p99 ${errors:+($errors)}"
    awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || fail "$label answered no request in the timed run; see $out"
    ! grep -q Non-2xx "$out" || fail "$label: answers other than 200 in the timed run; see $out"
    wrk_rps=$rps wrk_p99=$p99
}

# process_cpu_ticks PID: user + system CPU of the process and all its threads so far, in clock ticks.
process_cpu_ticks() {
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# warm_up LABEL URL PATHFILE PRELOAD THREADS [PIN...]: untimed wrk runs of WARMUP_SLICE (5) seconds
# until two in a row agree within 3% (a JVM has compiled its hot path; on one pinned core that takes
# far longer than on two, and a fixed warm-up left a freshly started server slower than one that had
# already served an earlier case) or WARMUP seconds have passed. Sets wrk_warmup to what happened.
warm_up() {
    local label=$1 url=$2 paths=$3 preload=$4 threads=$5 slice=${WARMUP_SLICE:-5} spent=0 n=0 prev=0 rps
    shift 5
    while :; do
        n=$((n + 1))
        PATHS=$paths LD_PRELOAD=$preload "$@" wrk -t"$threads" -c"$CONNECTIONS" -d"${slice}s" -s bench/ocsp/paths.lua "$url" \
            >"$W/wrk-$label-warmup-$n.txt"
        rps=$(awk '/Requests\/sec/ {print $2}' "$W/wrk-$label-warmup-$n.txt")
        spent=$((spent + slice))
        if awk -v a="$rps" -v b="$prev" 'BEGIN { exit !(b > 0 && a > 0 && (a - b) / b <= 0.03 && (b - a) / b <= 0.03) }'; then
            wrk_warmup="settled after ${spent} s"
            return
        fi
        if ((spent >= WARMUP)); then
            wrk_warmup="not settled in ${spent} s (last two slices ${prev} and ${rps} req/s)"
            return
        fi
        prev=$rps
    done
}

# The path of the LD_PRELOAD shim that gives wrk a client certificate (built once per work directory).
wrk_client_cert() {
    [[ -f $W/wrk-client-cert.so ]] \
        || gcc -O2 -shared -fPIC -o "$W/wrk-client-cert.so" bench/ocsp/wrk-client-cert.c -ldl \
        || fail "cannot build bench/ocsp/wrk-client-cert.c"
    echo "$W/wrk-client-cert.so"
}
