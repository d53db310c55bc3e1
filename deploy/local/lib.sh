# Shared by the local scripts: paths, logging, and process bookkeeping for the services we start.
# shellcheck shell=bash
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE=${INKAN_LOCAL_DIR:-$REPO_ROOT/.inkan-local}
PIDS=$STATE/pids
LOGS=$STATE/logs

say() { printf '[inkan] %s\n' "$*"; }
fail() { printf '[inkan] ERROR: %s\n' "$*" >&2; exit 1; }

load_env() {
    # shellcheck source=/dev/null
    source "$STATE/env"
}

# running NAME -> true when the service we started is still alive
running() {
    local pid_file=$PIDS/$1.pid
    [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

# wait_ready NAME URL SECONDS
wait_ready() {
    local name=$1 url=$2 deadline=$((SECONDS + $3))
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do
        running "$name" || fail "$name exited during start-up; see $LOGS/$name.log"
        (( SECONDS < deadline )) || fail "$name not ready after $3 s; see $LOGS/$name.log"
        sleep 1
    done
}

# jvm_options MODULE -> the java @argfile of the module's JVM options (deploy/jvm/<module>.options), if it has one
jvm_options() {
    local file=$REPO_ROOT/deploy/jvm/$1.options
    if [[ -f $file ]]; then printf '@%s\n' "$file"; fi
}

# stop_service NAME: TERM (graceful shutdown), then KILL after 30 s
stop_service() {
    local name=$1 pid_file=$PIDS/$1.pid pid
    [[ -f $pid_file ]] || return 0
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        say "stopped $name (pid $pid)"
    fi
    rm -f "$pid_file"
}

# Runs "$@" with every inherited file descriptor above 2 closed. The long-lived processes we start
# (postmaster, Kafka broker, the services run.sh starts) must not keep our lock (fd 9) or a
# caller's for as long as they run: `flock /tmp/inkan-tests.lock infra.sh up` passes its lock on as fd 3.
# For a process started in the background whose pid is kept, write `(close_inherited_fds && exec …) &`
# instead: a backgrounded function call forks once more, and $! would name that shell, not the process.
without_inherited_fds() { (close_inherited_fds && exec "$@"); }

close_inherited_fds() {
    local fd
    # No redirection on this loop: bash would keep a saved copy of stderr that the loop closes.
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        if ((fd > 2)) && [[ -e /proc/$BASHPID/fd/$fd ]]; then eval "exec $fd>&-"; fi
    done
    return 0
}
