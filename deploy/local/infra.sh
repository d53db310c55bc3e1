#!/usr/bin/env bash
# Local DEV infrastructure for Inkan: a project-owned PostgreSQL cluster, SoftHSM2 tokens, a dev
# PKI and a single-node Kafka broker (KRaft).
#
#   deploy/local/infra.sh up|down|status|purge
#   deploy/local/infra.sh kafka-topics --list      (any kafka-topics arguments; bootstrap added)
#
# Defaults (DEV-ONLY credentials) come from local.env next to this script. Everything the
# script creates outside the system PostgreSQL packages lives in the state directory
# ${INKAN_LOCAL_DIR:-<repo>/.inkan-local}; `up` writes <state>/env for other scripts and tests.
set -euo pipefail

# SCRIPT_DIR, REPO_ROOT, STATE and without_inherited_fds come from lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $STATE == /* ]] || STATE=$PWD/$STATE   # resolve before the `cd /` below
# shellcheck source=local.env
source "$SCRIPT_DIR/local.env"

ENV_FILE=$STATE/env
HSM_CONF=$STATE/softhsm2.conf
TOKEN_DIR=$STATE/tokens
PG_MARKER=$STATE/pg-started-by-infra   # exists only while a cluster start by this script is "owned"
LOCK_FILE=$STATE/lock
KAFKA_DIR=$STATE/kafka
KAFKA_LIB=$KAFKA_DIR/lib
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_CONF=$KAFKA_DIR/server.properties
KAFKA_PID=$KAFKA_DIR/broker.pid   # exists only while a broker started by this script is "owned"
KAFKA_LOG=$STATE/logs/kafka.log
KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
KAFKA_BOOTSTRAP=127.0.0.1:$INKAN_KAFKA_PORT

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
                curl:curl jq:jq wrk:wrk; do
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

    # The postmaster must not inherit a lock fd, or it would hold that lock forever.
    if ! pg_running "$ver"; then
        without_inherited_fds pg_ctlcluster "$ver" "$INKAN_PG_CLUSTER" start
        printf '%s %s\n' "$ver" "$INKAN_PG_CLUSTER" >"$PG_MARKER"
        CREATED+=("started cluster $ver/$INKAN_PG_CLUSTER")
    elif ((conf_changed)); then
        without_inherited_fds pg_ctlcluster "$ver" "$INKAN_PG_CLUSTER" restart   # listen/shared_buffers need it
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
hsm_slot() { bash "$SCRIPT_DIR/hsm-slot.sh" "$1"; }

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

    for label in $(hsm_labels); do
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
    OCSP_HSM_SLOT=$(hsm_slot "$INKAN_OCSP_HSM_TOKEN_LABEL")
    OCSP_HSM_TEST_SLOT=$(hsm_slot "$INKAN_OCSP_HSM_TEST_TOKEN_LABEL")
}

# CA tokens (local, test), then the OCSP responder's (local, test).
hsm_labels() {
    printf '%s\n' "$INKAN_HSM_TOKEN_LABEL" "$INKAN_HSM_TEST_TOKEN_LABEL" \
        "$INKAN_OCSP_HSM_TOKEN_LABEL" "$INKAN_OCSP_HSM_TEST_TOKEN_LABEL"
}

# ---------------------------------------------------------------- Kafka

# Runs a Kafka tool class from the broker's jars (log4j2's default configuration: errors only).
kafka_tool() { java -cp "$KAFKA_LIB/*" "$@"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Describes who listens on 127.0.0.1:$1 (pid and command line), for error messages.
port_holder() {
    local pid
    pid=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    if [[ -n $pid ]]; then
        printf 'pid %s: %s' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-300)"
    else
        printf 'unknown process'
    fi
}

# Prints the pid of the running broker this state dir's pid file names, if it is really ours.
kafka_owned_pid() {
    [[ -f $KAFKA_PID ]] || return 1
    local pid
    pid=$(cat "$KAFKA_PID")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $KAFKA_CONF" || return 1
    printf '%s' "$pid"
}

# A real metadata round trip (list topics) against the broker, not just an open port.
kafka_answers() {
    timeout 30 java -cp "$KAFKA_LIB/*" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_DIR/tools.properties" \
        --list >/dev/null 2>&1
}

ensure_kafka_jars() {
    local want
    want=$(sha256sum <"$KAFKA_POM" | cut -d' ' -f1)
    [[ $(cat "$KAFKA_LIB/.pom-sha256" 2>/dev/null) == "$want" ]] && return 0
    log "fetching the Kafka broker's jars from Maven Central into $KAFKA_LIB (once)"
    rm -rf "$KAFKA_LIB.tmp"
    (cd "$REPO_ROOT" && ./mvnw -q -B -f "$KAFKA_POM" dependency:copy-dependencies \
        -DoutputDirectory="$KAFKA_LIB.tmp") 9>&- \
        || die "could not fetch the Kafka jars (./mvnw -f deploy/local/kafka/pom.xml dependency:copy-dependencies)"
    printf '%s\n' "$want" >"$KAFKA_LIB.tmp/.pom-sha256"
    # Swap whole: a half-finished download never counts. A running broker keeps its open jars.
    rm -rf "$KAFKA_LIB"
    mv "$KAFKA_LIB.tmp" "$KAFKA_LIB"
    CREATED+=("Kafka jars in $KAFKA_LIB ($(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars)")
}

# Starts "$@" in its own session, detached, output appended to $KAFKA_LOG, inherited fds closed.
# Prints its pid: one fork (the background subshell), which execs setsid, which execs "$@"
# without forking (the subshell is not a process group leader).
start_detached() {
    (close_inherited_fds && exec setsid "$@" </dev/null >>"$KAFKA_LOG" 2>&1) &
    printf '%s' "$!"
}

ensure_kafka() {
    command -v java >/dev/null || die "java (17 or newer) is needed for the Kafka broker"
    ensure_kafka_jars
    mkdir -p "$KAFKA_DATA" "${KAFKA_LOG%/*}"

    local conf conf_changed=0 id pid
    conf="# Managed by deploy/local/infra.sh (DEV ONLY) - overwritten by 'up'.
# One KRaft node acting as broker and controller, reachable on the loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$INKAN_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$INKAN_KAFKA_PORT,CONTROLLER://127.0.0.1:$INKAN_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$INKAN_KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA
# One node: every internal topic has one replica.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Services create their topics from their own configuration.
auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0
# Dev retention: a week or 1 GiB per partition, whichever comes first; 128 MiB segments.
log.retention.hours=168
log.retention.bytes=1073741824
log.segment.bytes=134217728"
    if [[ $(cat "$KAFKA_CONF" 2>/dev/null) != "$conf" ]]; then
        printf '%s\n' "$conf" >"$KAFKA_CONF"
        conf_changed=1
    fi
    printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n' >"$KAFKA_DIR/tools.properties"

    # KRaft storage is formatted once, with a cluster id kept next to it.
    if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
        if [[ ! -s $KAFKA_DIR/cluster-id ]]; then
            id=$(kafka_tool kafka.tools.StorageTool random-uuid) || die "kafka-storage random-uuid failed"
            printf '%s\n' "$id" >"$KAFKA_DIR/cluster-id"
        fi
        id=$(cat "$KAFKA_DIR/cluster-id")
        kafka_tool kafka.tools.StorageTool format -t "$id" -c "$KAFKA_CONF" >/dev/null \
            || die "could not format the Kafka storage in $KAFKA_DATA"
        CREATED+=("Kafka KRaft storage $KAFKA_DATA (cluster id $id)")
    fi

    if [[ -f $KAFKA_PID ]] && ! kafka_owned_pid >/dev/null; then
        log "Kafka broker of pid file $KAFKA_PID (pid $(cat "$KAFKA_PID")) is gone; starting a new one"
        rm -f "$KAFKA_PID"
    fi
    if pid=$(kafka_owned_pid) && ((conf_changed)); then
        stop_owned_kafka
        CREATED+=("stopped Kafka broker pid $pid (settings changed)")
    fi
    if ! pid=$(kafka_owned_pid); then
        local port
        for port in "$INKAN_KAFKA_PORT" "$INKAN_KAFKA_CONTROLLER_PORT"; do
            ! port_open "$port" || die "port 127.0.0.1:$port (local.env) is in use by something this state dir did not start ($(port_holder "$port")); stop it or change INKAN_KAFKA_PORT/INKAN_KAFKA_CONTROLLER_PORT"
        done
        printf '\n==== %s infra.sh starting Kafka broker (%s)\n' "$(date -Is)" "$KAFKA_CONF" >>"$KAFKA_LOG"
        pid=$(start_detached java -Xms128m -Xmx"$INKAN_KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
            -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.properties" \
            -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_CONF")
        printf '%s\n' "$pid" >"$KAFKA_PID"
        sleep 0.2
        kafka_owned_pid >/dev/null || die "Kafka broker did not start as pid $pid; see $KAFKA_LOG"
        CREATED+=("started Kafka broker on $KAFKA_BOOTSTRAP (pid $pid)")
    fi

    local deadline=$((SECONDS + 90))
    until port_open "$INKAN_KAFKA_PORT" && kafka_answers; do
        kill -0 "$pid" 2>/dev/null || { rm -f "$KAFKA_PID"; die "Kafka broker (pid $pid) exited; see $KAFKA_LOG"; }
        ((SECONDS < deadline)) || die "Kafka broker (pid $pid) does not answer on $KAFKA_BOOTSTRAP after 90 s; see $KAFKA_LOG"
        sleep 1
    done
    KAFKA_RUNNING_PID=$pid
}

# Stops the broker only if our pid file says we started it: SIGTERM (controlled shutdown), then
# SIGKILL after 60 s. Data stays.
stop_owned_kafka() {
    if [[ ! -f $KAFKA_PID ]]; then
        log "Kafka broker not started by infra.sh (or already stopped): left as is"
        return 0
    fi
    local pid i
    if pid=$(kafka_owned_pid); then
        kill -TERM "$pid"
        for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid"
            while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
            log "Kafka broker (pid $pid) ignored SIGTERM for 60 s: killed (data kept)"
        else
            log "stopped Kafka broker (pid $pid, data kept)"
        fi
    else
        log "Kafka broker (pid $(cat "$KAFKA_PID")) already stopped"
    fi
    rm -f "$KAFKA_PID"
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
            INKAN_OCSP_HSM_SLOT "$OCSP_HSM_SLOT" \
            INKAN_OCSP_HSM_TEST_SLOT "$OCSP_HSM_TEST_SLOT" \
            INKAN_HSM_PIN "$INKAN_HSM_PIN" \
            INKAN_PG_HOST 127.0.0.1 \
            INKAN_PG_PORT "$INKAN_PG_PORT" \
            INKAN_PKI_DIR "$STATE/pki" \
            INKAN_KAFKA_BOOTSTRAP "$KAFKA_BOOTSTRAP"
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
    # Tests run brokers of their own (jp.inkan.testing.KafkaBroker) and only need the jars:
    # INKAN_DEV_BROKER=0 skips the dev broker on 59092, which run.sh needs.
    if [[ ${INKAN_DEV_BROKER:-1} == 0 ]]; then
        ensure_kafka_jars
    else
        ensure_kafka
    fi
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
    log "                '$INKAN_OCSP_HSM_TOKEN_LABEL' slot $OCSP_HSM_SLOT, '$INKAN_OCSP_HSM_TEST_TOKEN_LABEL' slot $OCSP_HSM_TEST_SLOT"
    if [[ -n ${KAFKA_RUNNING_PID:-} ]]; then
        log "Kafka broker on $KAFKA_BOOTSTRAP (pid $KAFKA_RUNNING_PID, started by infra.sh); data $KAFKA_DATA, log $KAFKA_LOG"
    else
        log "Kafka: jars in $KAFKA_LIB; dev broker not started (INKAN_DEV_BROKER=0)"
    fi
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
    stop_owned_kafka
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
        for label in $(hsm_labels); do
            slot=$(SOFTHSM2_CONF=$HSM_CONF hsm_slot "$label")
            log "SoftHSM token '$label': $([[ -n $slot ]] && echo "slot $slot" || echo missing)"
        done
    else
        log "SoftHSM: not configured ($HSM_CONF missing)"
    fi
    local pid
    if pid=$(kafka_owned_pid); then
        log "Kafka: broker on $KAFKA_BOOTSTRAP running (pid $pid, started by infra.sh)$(
            port_open "$INKAN_KAFKA_PORT" || echo ", but the port is not open")"
    elif port_open "$INKAN_KAFKA_PORT"; then
        log "Kafka: $KAFKA_BOOTSTRAP is served by something infra.sh did not start ($(port_holder "$INKAN_KAFKA_PORT"))"
    else
        log "Kafka: no broker on $KAFKA_BOOTSTRAP"
    fi
    [[ -d $KAFKA_DATA ]] && log "Kafka: data $KAFKA_DATA ($(du -sh "$KAFKA_DATA" | cut -f1)), log $KAFKA_LOG"
    if [[ -f $ENV_FILE ]]; then log "env file: $ENV_FILE"; else log "env file: $ENV_FILE (missing, run up)"; fi
}

# kafka-topics against the local broker, for debugging: infra.sh kafka-topics --list,
# ... --describe --topic T. --bootstrap-server is added unless given.
cmd_kafka_topics() {
    [[ -f $KAFKA_LIB/.pom-sha256 ]] || die "no Kafka jars in $KAFKA_LIB: run '$0 up' first"
    local args=("$@")
    [[ " $* " == *" --bootstrap-server "* ]] || args=(--bootstrap-server "$KAFKA_BOOTSTRAP" "$@")
    exec java -cp "$KAFKA_LIB/*" org.apache.kafka.tools.TopicCommand "${args[@]}"
}

cmd_purge() {
    require_root purge
    # Refuse obviously wrong state dirs before rm -rf.
    case $STATE in / | "$REPO_ROOT" | "$SCRIPT_DIR" | "${HOME:-/}") die "refusing to purge $STATE" ;; esac
    if [[ -d $STATE ]]; then
        take_lock
        stop_owned_kafka
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
    log "removed state dir $STATE (tokens, Kafka jars and data, env file)"
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    purge) cmd_purge ;;
    kafka-topics) shift; cmd_kafka_topics "$@" ;;
    *) echo "usage: $0 up|down|status|purge|kafka-topics <kafka-topics arguments>" >&2; exit 2 ;;
esac
