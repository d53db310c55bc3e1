#!/usr/bin/env bash
# Local DEV infrastructure for Inkan: a project-owned PostgreSQL cluster and SoftHSM2 tokens.
#
#   deploy/local/infra.sh up|down|status|purge
#
# Defaults (DEV-ONLY credentials) come from local.env next to this script. Everything the
# script creates outside the system PostgreSQL packages lives in the state directory
# ${INKAN_LOCAL_DIR:-<repo>/.inkan-local}; `up` writes <state>/env for other scripts and tests.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE=${INKAN_LOCAL_DIR:-$REPO_ROOT/.inkan-local}
[[ $STATE == /* ]] || STATE=$PWD/$STATE   # resolve before the `cd /` below
# shellcheck source=local.env
source "$SCRIPT_DIR/local.env"

ENV_FILE=$STATE/env
HSM_CONF=$STATE/softhsm2.conf
TOKEN_DIR=$STATE/tokens
PG_MARKER=$STATE/pg-started-by-infra   # exists only while a cluster start by this script is "owned"
LOCK_FILE=$STATE/lock

# The postgres user may not be able to enter the caller's directory (pg_ctlcluster/psql warn).
cd /

log() { printf '[infra] %s\n' "$*"; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

services() { tr ',' ' ' <<<"$INKAN_SERVICES"; }

# svc_var ca DB_USER -> value of INKAN_CA_DB_USER from local.env
svc_var() {
    local name="INKAN_${1^^}_$2"
    [[ -n ${!name:-} ]] || die "$name is not set in local.env"
    printf '%s' "${!name}"
}

require_root() { [[ $EUID -eq 0 ]] || die "'$1' needs root (apt-get, pg_ctlcluster, runuser)"; }

# Serialise concurrent invocations; fd 9 stays open (and locked) until the script exits.
take_lock() {
    mkdir -p "$STATE"
    exec 9>"$LOCK_FILE"
    flock -w 300 9 || die "timed out waiting for $LOCK_FILE"
}

# ---------------------------------------------------------------- packages

ensure_packages() {
    # package:command pairs; a package counts as missing if dpkg lacks it or its tool is absent.
    local pair pkg cmd missing=()
    for pair in postgresql:pg_createcluster softhsm2:softhsm2-util gnutls-bin:certtool \
                gnutls-bin:ocsptool opensc:pkcs11-tool openssl:openssl \
                curl:curl jq:jq; do
        pkg=${pair%%:*} cmd=${pair#*:}
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' \
           || ! command -v "$cmd" >/dev/null; then
            [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    log "installing packages: ${missing[*]}"
    # Wait (rather than fail) if another apt/dpkg run holds the lock.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
    CREATED+=("packages: ${missing[*]}")
}

# ---------------------------------------------------------------- PostgreSQL

# Prints "<version> <port> <status>" of the project cluster, or nothing if it does not exist.
pg_cluster_info() {
    command -v pg_lsclusters >/dev/null || return 0
    pg_lsclusters -h 2>/dev/null | awk -v c="$INKAN_PG_CLUSTER" '$2 == c { print $1, $3, $4; exit }'
}

pg_running() { pg_ctlcluster "$1" "$INKAN_PG_CLUSTER" status >/dev/null 2>&1; }

# Admin access: peer auth as postgres over the unix socket (no admin password to manage).
pg_admin() { runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -p "$INKAN_PG_PORT" -d postgres "$@"; }

# Service access exactly as the services do it: TCP to 127.0.0.1 with scram password auth.
pg_login_ok() {
    PGPASSWORD=$3 psql -X -q -At -h 127.0.0.1 -p "$INKAN_PG_PORT" -U "$1" -d "$2" \
        -c 'select 1' >/dev/null 2>&1
}

ensure_pg() {
    local info ver port
    info=$(pg_cluster_info)
    if [[ -z $info ]]; then
        # Newest installed server (a leftover dir without bin/postgres does not count).
        ver=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null \
              | cut -d/ -f5 | sort -n | tail -1)
        [[ -n $ver ]] || die "no PostgreSQL server found in /usr/lib/postgresql"
        # UTF8 explicitly: a POSIX-locale shell would otherwise yield SQL_ASCII databases.
        # start-conf manual: only this script (or you) starts it, never the init system.
        pg_createcluster --start-conf=manual --locale=C.UTF-8 --encoding=UTF8 \
            -p "$INKAN_PG_PORT" "$ver" "$INKAN_PG_CLUSTER" >/dev/null
        CREATED+=("PostgreSQL $ver cluster '$INKAN_PG_CLUSTER'")
    else
        read -r ver port _ <<<"$info"
        [[ $port == "$INKAN_PG_PORT" ]] \
            || die "cluster $ver/$INKAN_PG_CLUSTER uses port $port, local.env says $INKAN_PG_PORT (run purge?)"
    fi
    PG_VERSION=$ver

    local etc=/etc/postgresql/$ver/$INKAN_PG_CLUSTER conf_changed=0 hba_changed=0 conf
    # conf.d is included after postgresql.conf, so these win; rewritten only if different.
    conf="# Managed by deploy/local/infra.sh (DEV ONLY) - overwritten by 'up'.
# Loopback only: never reachable from the network, never clashes with a system cluster.
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
password_encryption = 'scram-sha-256'
# Durability stays ON even for dev: tests must see production commit semantics.
fsync = on
synchronous_commit = on
full_page_writes = on"
    mkdir -p "$etc/conf.d"
    if [[ $(cat "$etc/conf.d/inkan.conf" 2>/dev/null) != "$conf" ]]; then
        printf '%s\n' "$conf" >"$etc/conf.d/inkan.conf"
        conf_changed=1
    fi
    if ! grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+scram-sha-256' \
            "$etc/pg_hba.conf"; then
        printf 'host all all 127.0.0.1/32 scram-sha-256\n' >>"$etc/pg_hba.conf"
        hba_changed=1
    fi

    # 9>&-: the postmaster must not inherit the lock fd, or it would hold the lock forever.
    if ! pg_running "$ver"; then
        pg_ctlcluster "$ver" "$INKAN_PG_CLUSTER" start 9>&-
        printf '%s %s\n' "$ver" "$INKAN_PG_CLUSTER" >"$PG_MARKER"
        CREATED+=("started cluster $ver/$INKAN_PG_CLUSTER")
    elif ((conf_changed)); then
        pg_ctlcluster "$ver" "$INKAN_PG_CLUSTER" restart 9>&-   # listen/shared_buffers need it
        CREATED+=("restarted cluster $ver/$INKAN_PG_CLUSTER (settings changed)")
    elif ((hba_changed)); then
        pg_ctlcluster "$ver" "$INKAN_PG_CLUSTER" reload 9>&-
    fi

    local i
    for ((i = 0; i < 60; i++)); do
        pg_isready -q -h 127.0.0.1 -p "$INKAN_PG_PORT" && break
        sleep 0.5
    done
    pg_isready -q -h 127.0.0.1 -p "$INKAN_PG_PORT" || die "PostgreSQL not ready on 127.0.0.1:$INKAN_PG_PORT"

    local svc db user pw made
    for svc in $(services); do
        db=$(svc_var "$svc" DB_NAME) user=$(svc_var "$svc" DB_USER) pw=$(svc_var "$svc" DB_PASSWORD)
        # Each SELECT prints what is missing; \gexec then runs the generated DDL (CREATE
        # DATABASE cannot run inside a DO block/transaction, hence this pattern).
        made=$(pg_admin -v user="$user" -v pw="$pw" -v db="$db" -v testdb="${db}_test" <<'SQL'
SELECT 'role ' || :'user' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user');
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT 'database ' || d FROM unnest(ARRAY[:'db', :'testdb']) d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d);
SELECT format('CREATE DATABASE %I OWNER %I', d, :'user') FROM unnest(ARRAY[:'db', :'testdb']) d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SQL
)
        [[ -z $made ]] || CREATED+=("PostgreSQL ${made//$'\n'/, }")
        # Keep the role password in sync with local.env without rewriting it on every run.
        if ! pg_login_ok "$user" "$db" "$pw"; then
            pg_admin -v user="$user" -v pw="$pw" <<<"SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'pw') \gexec"
            pg_login_ok "$user" "$db" "$pw" || die "user $user cannot log in to $db over 127.0.0.1"
            CREATED+=("reset password of role $user")
        fi
    done
}

# ---------------------------------------------------------------- SoftHSM2

# Prints the slot id of the initialised token with label $1 (labels are space padded).
hsm_slot() {
    softhsm2-util --show-slots 2>/dev/null | awk -v want="$1" '
        /^Slot [0-9]+/ { slot = $2 }
        /^[[:space:]]*Label:/ { l = $0; sub(/^[[:space:]]*Label:[[:space:]]*/, "", l); sub(/[[:space:]]+$/, "", l)
                                if (l == want) print slot }'
}

hsm_library() {
    local lib=/usr/lib/softhsm/libsofthsm2.so
    [[ -e $lib ]] || lib=$(dpkg -L softhsm2 libsofthsm2 2>/dev/null | grep -m1 '/libsofthsm2\.so$' || true)
    [[ -n $lib && -e $lib ]] || die "libsofthsm2.so not found"
    printf '%s' "$lib"
}

ensure_hsm() {
    local conf label slots
    mkdir -p "$TOKEN_DIR"
    conf="# Managed by deploy/local/infra.sh (DEV ONLY)
directories.tokendir = $TOKEN_DIR
objectstore.backend = file
log.level = ERROR
slots.removable = false"
    [[ $(cat "$HSM_CONF" 2>/dev/null) == "$conf" ]] || printf '%s\n' "$conf" >"$HSM_CONF"
    export SOFTHSM2_CONF=$HSM_CONF

    for label in "$INKAN_HSM_TOKEN_LABEL" "$INKAN_HSM_TEST_TOKEN_LABEL"; do
        if [[ -z $(hsm_slot "$label") ]]; then
            softhsm2-util --init-token --free --label "$label" \
                --pin "$INKAN_HSM_PIN" --so-pin "$INKAN_HSM_SO_PIN" >/dev/null
            CREATED+=("SoftHSM token '$label'")
        fi
        slots=$(hsm_slot "$label")
        [[ -n $slots ]] || die "token '$label' not found after init"
        [[ $slots != *$'\n'* ]] || die "several tokens labelled '$label' in $TOKEN_DIR"
    done
    HSM_SLOT=$(hsm_slot "$INKAN_HSM_TOKEN_LABEL")
    HSM_TEST_SLOT=$(hsm_slot "$INKAN_HSM_TEST_TOKEN_LABEL")
}

# ---------------------------------------------------------------- env file

write_env() {
    local svc SVC db content
    content=$(
        echo "# Generated by deploy/local/infra.sh up - DEV ONLY, contains dev credentials."
        printf 'export %s=%q\n' \
            SOFTHSM2_CONF "$HSM_CONF" \
            INKAN_HSM_LIBRARY "$(hsm_library)" \
            INKAN_HSM_SLOT "$HSM_SLOT" \
            INKAN_HSM_TEST_SLOT "$HSM_TEST_SLOT" \
            INKAN_HSM_PIN "$INKAN_HSM_PIN" \
            INKAN_PG_HOST 127.0.0.1 \
            INKAN_PG_PORT "$INKAN_PG_PORT" \
            INKAN_PKI_DIR "$STATE/pki"
        for svc in $(services); do
            SVC=${svc^^} db=$(svc_var "$svc" DB_NAME)
            printf 'export %s=%q\n' \
                "INKAN_${SVC}_DB_URL" "jdbc:postgresql://127.0.0.1:$INKAN_PG_PORT/$db" \
                "INKAN_${SVC}_DB_TEST_URL" "jdbc:postgresql://127.0.0.1:$INKAN_PG_PORT/${db}_test" \
                "INKAN_${SVC}_DB_USER" "$(svc_var "$svc" DB_USER)" \
                "INKAN_${SVC}_DB_PASSWORD" "$(svc_var "$svc" DB_PASSWORD)"
        done
    )
    # Only touch the file when its content changes; write atomically so readers never see half.
    if [[ $(cat "$ENV_FILE" 2>/dev/null) != "$content" ]]; then
        (umask 077 && printf '%s\n' "$content" >"$ENV_FILE.tmp")
        mv -f "$ENV_FILE.tmp" "$ENV_FILE"
        CREATED+=("env file $ENV_FILE")
    fi
}

# ---------------------------------------------------------------- commands

cmd_up() {
    require_root up
    take_lock
    CREATED=()
    ensure_packages
    ensure_pg
    ensure_hsm
    bash "$SCRIPT_DIR/pki.sh" "$STATE/pki"
    write_env

    local item svc dbs=()
    for svc in $(services); do dbs+=("$(svc_var "$svc" DB_NAME)" "$(svc_var "$svc" DB_NAME)_test"); done
    if ((${#CREATED[@]})); then
        for item in "${CREATED[@]}"; do log "changed: $item"; done
    else
        log "already up, nothing changed"
    fi
    log "PostgreSQL $PG_VERSION/$INKAN_PG_CLUSTER on 127.0.0.1:$INKAN_PG_PORT ($(
        [[ -f $PG_MARKER ]] && echo "started by infra.sh" || echo "started elsewhere, 'down' leaves it running"))"
    log "databases: ${dbs[*]}"
    log "SoftHSM tokens: '$INKAN_HSM_TOKEN_LABEL' slot $HSM_SLOT, '$INKAN_HSM_TEST_TOKEN_LABEL' slot $HSM_TEST_SLOT"
    log "state dir: $STATE"
    log "env file:  $ENV_FILE   (source it: . $ENV_FILE)"
}

# Stops the cluster only if our marker says we started it; data and tokens stay.
stop_owned_cluster() {
    if [[ ! -f $PG_MARKER ]]; then
        log "PostgreSQL cluster '$INKAN_PG_CLUSTER' not started by infra.sh (or already stopped): left as is"
        return 0
    fi
    local ver name
    read -r ver name <"$PG_MARKER"
    if pg_running "$ver"; then
        pg_ctlcluster "$ver" "$name" stop
        log "stopped PostgreSQL cluster $ver/$name (data kept)"
    else
        log "PostgreSQL cluster $ver/$name already stopped"
    fi
    rm -f "$PG_MARKER"
}

cmd_down() {
    require_root down
    [[ -d $STATE ]] || { log "no state dir $STATE; nothing to stop"; return 0; }
    take_lock
    stop_owned_cluster
}

cmd_status() {
    local info ver port st
    info=$(pg_cluster_info)
    if [[ -z $info ]]; then
        log "PostgreSQL: cluster '$INKAN_PG_CLUSTER' does not exist"
    else
        read -r ver port st <<<"$info"
        log "PostgreSQL: cluster $ver/$INKAN_PG_CLUSTER on 127.0.0.1:$port is $st$(
            [[ -f $PG_MARKER ]] && echo " (started by infra.sh)")"
    fi
    if [[ -f $HSM_CONF ]] && command -v softhsm2-util >/dev/null; then
        local label slot
        for label in "$INKAN_HSM_TOKEN_LABEL" "$INKAN_HSM_TEST_TOKEN_LABEL"; do
            slot=$(SOFTHSM2_CONF=$HSM_CONF hsm_slot "$label")
            log "SoftHSM token '$label': $([[ -n $slot ]] && echo "slot $slot" || echo missing)"
        done
    else
        log "SoftHSM: not configured ($HSM_CONF missing)"
    fi
    if [[ -f $ENV_FILE ]]; then log "env file: $ENV_FILE"; else log "env file: $ENV_FILE (missing, run up)"; fi
}

cmd_purge() {
    require_root purge
    # Refuse obviously wrong state dirs before rm -rf.
    case $STATE in / | "$REPO_ROOT" | "$SCRIPT_DIR" | "${HOME:-/}") die "refusing to purge $STATE" ;; esac
    if [[ -d $STATE ]]; then
        take_lock
        stop_owned_cluster
    fi
    local info ver
    info=$(pg_cluster_info)
    if [[ -n $info ]]; then
        ver=${info%% *}
        pg_dropcluster --stop "$ver" "$INKAN_PG_CLUSTER"
        log "dropped PostgreSQL cluster $ver/$INKAN_PG_CLUSTER and its data"
    fi
    rm -rf "$STATE"
    log "removed state dir $STATE (tokens, env file)"
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    purge) cmd_purge ;;
    *) echo "usage: $0 up|down|status|purge" >&2; exit 2 ;;
esac
