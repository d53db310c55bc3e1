#!/usr/bin/env bash
# CRL of BENCH_ENTRIES (default 1,000,000) revoked entries: ours (crl-publisher streaming from
# PostgreSQL, ca-service checking and signing with SoftHSM2) against `openssl ca -gencrl` over an
# index.txt of the same serials, in one run; then a delta CRL after BENCH_DELTA (10,000) new
# revocations. Both sides run under /usr/bin/time -v. Writes bench/results/crl-publisher.md.
#
# Takes /tmp/inkan-tests.lock (it wipes the *_test databases, as the tests do).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
N=${BENCH_ENTRIES:-1000000}
DELTA_N=${BENCH_DELTA:-10000}
# The services' own JVM options (deploy/jvm/<module>.options, as run.sh and the images use them);
# BENCH_PUBLISHER_JAVA_OPTS / BENCH_CA_JAVA_OPTS replace them for experiments.
PUB_JAVA_OPTS=${BENCH_PUBLISHER_JAVA_OPTS:-@deploy/jvm/crl-publisher.options}
CA_JAVA_OPTS=${BENCH_CA_JAVA_OPTS:-@deploy/jvm/ca-service.options}
# MALLOC_ARENA_MAX for both JVMs (BENCH_MALLOC_ARENA_MAX=2 ...); unset by default, as the services run:
# with the native heap trimmed every 2 s it made no measurable difference (2026-12-03).
MALLOC_ARENAS=${BENCH_MALLOC_ARENA_MAX-}

exec 9>/tmp/inkan-tests.lock
echo "[bench] waiting for /tmp/inkan-tests.lock"
flock 9
INKAN_DEV_BROKER=0 bash deploy/local/infra.sh up >/dev/null
set -a; . .inkan-local/env; set +a
for tool in openssl python3 psql curl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "[bench] $tool is missing" >&2; exit 1; }
done
if [[ ! -f ca-service/target/quarkus-app/quarkus-run.jar || ! -f crl-publisher/target/quarkus-app/quarkus-run.jar ]]; then
    ./mvnw -B -q -pl common,ca-service,crl-publisher package -DskipTests
fi

WORK=$REPO/.inkan-local/bench-crl
rm -rf "$WORK"; mkdir -p "$WORK/ref" "$WORK/out"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_ready() {
    for _ in $(seq 1 240); do
        curl -fs "$1" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "[bench] not ready: $1" >&2; exit 1
}
# the java child of /usr/bin/time
java_of() { for _ in $(seq 1 50); do p=$(pgrep -P "$1" java || true); [[ -n "$p" ]] && { echo "$p"; return; }; sleep 0.1; done; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# ---- 1. Reference: openssl ca -gencrl over an index.txt of the same serials ----------------------
echo "[bench] writing index.txt with $N revoked entries"
python3 - "$N" "$WORK/ref/index.txt" <<'EOF'
import hashlib, sys, time
n, path = int(sys.argv[1]), sys.argv[2]
now = int(time.time())
with open(path, "w") as out:
    for i in range(1, n + 1):
        serial = "4" + hashlib.md5(str(i).encode()).hexdigest()[1:]
        revoked = time.strftime("%y%m%d%H%M%SZ", time.gmtime(now - 86400 - i))
        out.write(f"R\t310101000000Z\t{revoked},keyCompromise\t{serial.upper()}\tunknown\t/CN=bench{i}\n")
EOF
cd "$WORK/ref"
echo "unique_subject = no" > index.txt.attr
echo 01 > crlnumber
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -sha256 \
    -subj "/C=JP/O=JPKI-TEST/OU=JPKI for digital signature/OU=Japan Agency for Local Authority Information Systems" 2>/dev/null
cat > openssl.cnf <<'EOF'
[ ca ]
default_ca = bench
[ bench ]
dir = .
database = ./index.txt
crlnumber = ./crlnumber
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
default_crl_days = 1
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
echo "[bench] openssl ca -gencrl"
/usr/bin/time -v -o ref.time openssl ca -gencrl -config openssl.cnf -out ref.crl -batch 2>ref.log
REF_SECONDS=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' ref.time)
REF_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' ref.time)
REF_BYTES=$(openssl crl -in ref.crl -outform DER | wc -c)
cd "$REPO"

# ---- 2. Ours: ca-service and crl-publisher as processes -----------------------------------------
CA_PORT=$(free_port); CA_MPORT=$(free_port); PUB_PORT=$(free_port); PUB_MPORT=$(free_port); PUB_SPORT=$(free_port)
echo "[bench] starting ca-service (test database and token, wiped) on $CA_PORT"
env ${MALLOC_ARENAS:+MALLOC_ARENA_MAX=$MALLOC_ARENAS} INKAN_CA_DB_URL="$INKAN_CA_DB_TEST_URL" INKAN_HSM_SLOT="$INKAN_HSM_TEST_SLOT" INKAN_CA_BOOTSTRAP=true \
    QUARKUS_FLYWAY_CLEAN_DISABLED=false QUARKUS_FLYWAY_CLEAN_AT_START=true INKAN_KAFKA_BOOTSTRAP=127.0.0.1:9 \
    /usr/bin/time -v -o "$WORK/ca.time" java $CA_JAVA_OPTS -Dquarkus.http.ssl-port="$CA_PORT" \
    -Dquarkus.management.port="$CA_MPORT" -Dquarkus.log.category.\"org.apache.kafka\".level=OFF \
    -jar ca-service/target/quarkus-app/quarkus-run.jar >"$WORK/ca.log" 2>&1 &
CA_TIME=$!; PIDS+=("$CA_TIME")
wait_ready "http://127.0.0.1:$CA_MPORT/q/health/ready"
CA_PID=$(java_of "$CA_TIME")
echo "[bench] starting crl-publisher on $PUB_PORT (events and schedule off: the store is loaded directly)"
env ${MALLOC_ARENAS:+MALLOC_ARENA_MAX=$MALLOC_ARENAS} INKAN_CRL_DB_URL="$INKAN_CRL_DB_TEST_URL" INKAN_CA_URL="https://localhost:$CA_PORT" INKAN_CRL_DIR="$WORK/out" \
    QUARKUS_FLYWAY_CLEAN_DISABLED=false QUARKUS_FLYWAY_CLEAN_AT_START=true \
    /usr/bin/time -v -o "$WORK/pub.time" java $PUB_JAVA_OPTS -Dquarkus.http.port="$PUB_PORT" -Dquarkus.http.ssl-port="$PUB_SPORT" \
    -Dquarkus.management.port="$PUB_MPORT" -Dinkan.crl.events.enabled=false -Dquarkus.scheduler.enabled=false \
    -jar crl-publisher/target/quarkus-app/quarkus-run.jar >"$WORK/pub.log" 2>&1 &
PUB_TIME=$!; PIDS+=("$PUB_TIME")
wait_ready "http://127.0.0.1:$PUB_MPORT/q/health/ready"
PUB_PID=$(java_of "$PUB_TIME")

DB=${INKAN_CRL_DB_TEST_URL#jdbc:postgresql://}
DB_HOSTPORT=${DB%%/*}; DB_NAME=${DB#*/}; DB_NAME=${DB_NAME%%\?*}
sql() { PGPASSWORD="$INKAN_CRL_DB_PASSWORD" psql -q -v ON_ERROR_STOP=1 -h "${DB_HOSTPORT%:*}" -p "${DB_HOSTPORT#*:}" \
    -U "$INKAN_CRL_DB_USER" -d "$DB_NAME" "$@"; }
echo "[bench] loading $N revoked entries into the publisher's store (the same serials)"
LOAD_START=$(date +%s%N)
sql <<EOF
truncate cert_status;
update change_counter set value = 1;
insert into cert_status (issuer_key_id, serial, ca, key_generation, municipality_code, not_after, status, revoked_at,
                         reason, invalidity_date, revision, change_seq)
select 'bench', '4' || substr(md5(i::text), 2), 'SIGNATURE', 1, '131016',
       extract(epoch from now())::bigint + 5 * 365 * 86400, 'R', extract(epoch from now())::bigint - 86400 - i,
       1, null, 2, 1
from generate_series(1, $N) i;
analyze cert_status;
EOF
LOAD_MS=$(( ($(date +%s%N) - LOAD_START) / 1000000 ))
# a first, empty publication warms both JVMs (class loading, TLS session) and creates the scopes
curl -fs -X POST "http://127.0.0.1:$PUB_MPORT/crl/publish?kind=complete&ca=authentication" >/dev/null
PUB_RSS_BEFORE=$(rss "$PUB_PID"); PUB_HWM_BEFORE=$(hwm "$PUB_PID")
CA_RSS_BEFORE=$(rss "$CA_PID"); CA_HWM_BEFORE=$(hwm "$CA_PID")

echo "[bench] complete CRLs of the signature CA (the 131016 partition and the full CRL: $N entries each)"
T0=$(date +%s%N)
curl -fs -X POST "http://127.0.0.1:$PUB_MPORT/crl/publish?kind=complete&ca=signature" >"$WORK/complete.json"
TRIGGER_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
PUB_HWM_AFTER=$(hwm "$PUB_PID"); CA_HWM_AFTER=$(hwm "$CA_PID")

echo "[bench] $DELTA_N new revocations, then delta CRLs"
sql <<EOF
update change_counter set value = 2;
insert into cert_status (issuer_key_id, serial, ca, key_generation, municipality_code, not_after, status, revoked_at,
                         reason, invalidity_date, revision, change_seq)
select 'bench', '5' || substr(md5(i::text), 2), 'SIGNATURE', 1, '131016',
       extract(epoch from now())::bigint + 5 * 365 * 86400, 'R', extract(epoch from now())::bigint - i, 4, null, 2, 2
from generate_series(1, $DELTA_N) i;
analyze cert_status;
EOF
curl -fs -X POST "http://127.0.0.1:$PUB_MPORT/crl/publish?kind=delta&ca=signature" >"$WORK/delta.json"

# The CRLs must be right, not just fast.
curl -fs --cert "$INKAN_PKI_DIR/crl-publisher.pem" --key "$INKAN_PKI_DIR/crl-publisher.key" \
    --cacert "$INKAN_PKI_DIR/service-ca.pem" "https://localhost:$CA_PORT/internal/v1/cas/signature/roots.pem" >"$WORK/root.pem"
curl -fs "http://127.0.0.1:$PUB_PORT/crl/signature/g01/full.crl" -o "$WORK/full.crl"
curl -fs "http://127.0.0.1:$PUB_PORT/crl/signature/g01/full-delta.crl" -o "$WORK/full-delta.crl"
VERIFY=$(openssl crl -inform DER -in "$WORK/full.crl" -noout -CAfile "$WORK/root.pem" -verify 2>&1 | tr '\n' ' ')
DELTA_VERIFY=$(openssl crl -inform DER -in "$WORK/full-delta.crl" -noout -CAfile "$WORK/root.pem" -verify 2>&1 | tr '\n' ' ')
OURS_COUNT=$(openssl crl -inform DER -in "$WORK/full.crl" -noout -text | grep -c 'Serial Number:' || true)
REF_COUNT=$(openssl crl -in "$WORK/ref/ref.crl" -noout -text | grep -c 'Serial Number:' || true)

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$PUB_PID" "$CA_PID"
wait "$PUB_TIME" "$CA_TIME" 2>/dev/null || true
PIDS=()

python3 - "$WORK" "$N" "$DELTA_N" "$REF_SECONDS" "$REF_KB" "$REF_BYTES" "$TRIGGER_MS" "$LOAD_MS" \
    "$PUB_RSS_BEFORE" "$PUB_HWM_BEFORE" "$PUB_HWM_AFTER" "$CA_RSS_BEFORE" "$CA_HWM_BEFORE" "$CA_HWM_AFTER" \
    "$VERIFY" "$DELTA_VERIFY" "$OURS_COUNT" "$REF_COUNT" "$PUB_JAVA_OPTS" "$CA_JAVA_OPTS" "$LOAD_BEFORE" "$LOAD_AFTER" "${MALLOC_ARENAS:-default}" <<'EOF'
import json, sys, re, subprocess, datetime, os
(work, n, delta_n, ref_elapsed, ref_kb, ref_bytes, trigger_ms, load_ms, pub_rss0, pub_hwm0, pub_hwm1, ca_rss0, ca_hwm0,
 ca_hwm1, verify, delta_verify, ours_count, ref_count, pub_opts, ca_opts, load0, load1, arenas) = sys.argv[1:]
def seconds(s):
    parts = [float(p) for p in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
def peak(path):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read()).group(1))
def expand(opts):  # @argfiles as the java launcher reads them, for the record
    out = []
    for word in opts.split():
        if word.startswith("@"):
            out += [w for line in open(word[1:]) for w in line.split("#")[0].split()]
        else:
            out.append(word)
    return " ".join(out)
pub_opts = expand(pub_opts); ca_opts = expand(ca_opts)
ref_s = seconds(ref_elapsed); ref_mb = int(ref_kb) / 1024
complete = json.load(open(f"{work}/complete.json")); delta = json.load(open(f"{work}/delta.json"))
full = next(p for p in complete if p["path"].endswith("/full.crl"))
part = next(p for p in complete if p["path"].endswith("/131016.crl"))
dfull = next(p for p in delta if p["path"].endswith("/full-delta.crl"))
dpart = next(p for p in delta if p["path"].endswith("/131016-delta.crl"))
pub_peak = peak(f"{work}/pub.time") / 1024; ca_peak = peak(f"{work}/ca.time") / 1024
ours_s = full["millis"] / 1000
cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"], capture_output=True, text=True).stdout.strip()
mb = lambda kb: int(kb) / 1024
out = f"""# crl-publisher: a CRL of {int(n):,} revoked entries, against `openssl ca -gencrl`

Run by `bench/crl-publisher.sh` on {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}, {os.cpu_count()} cores ({cpu}),
both sides in the same run over the same {int(n):,} serials (128-bit, reason keyCompromise). Ours: the
crl-publisher jar streaming the entries from its PostgreSQL store into the DER encoder, ca-service
(jar, SoftHSM2 token) checking and hashing the streamed TBSCertList and signing the digest with
RSA-2048, the publisher verifying the signature and writing, fsyncing and renaming the file.
JVM options (`deploy/jvm/<module>.options` unless overridden): publisher `{pub_opts}`, ca-service `{ca_opts}`; `MALLOC_ARENA_MAX={arenas}` for both.
Load average (1/5/15 min) at the start: {load0}, at the end: {load1} — the machine is shared with other
builds and tests, so absolute times vary between runs (openssl alone took 5.8 s on an idle box of this
kind, see MACHINE-NOTES); the ratios compare both sides under the same conditions.

## Complete CRL, {int(n):,} entries

| | wall time | peak RSS | CRL size |
|---|---|---|---|
| `openssl ca -gencrl` (reference, whole process) | {ref_s:.2f} s | {ref_mb:.0f} MB | {int(ref_bytes):,} B |
| ours, full CRL (allocation to rename, as the publisher times it) | {ours_s:.2f} s | see below | {full['bytes']:,} B |
| ours, the 131016 partition (same entries, with IDP) | {part['millis']/1000:.2f} s | | {part['bytes']:,} B |

Ours, full CRL broken down: build (database stream + DER) {full['buildMillis']} ms, sign (upload,
ca-service check + SHA-256 + HSM) {full['signMillis']} ms, verify + write + fsync + rename {full['writeMillis']} ms.
The trigger call published both {int(n):,}-entry scopes (and the empty partitions of the other sample
municipalities) one after the other in {int(trigger_ms)/1000:.2f} s.

Memory (kB → MB), measured from /proc and `/usr/bin/time -v`:

| process | RSS before the publication | peak RSS before | peak RSS after both CRLs | peak RSS over its whole life |
|---|---|---|---|---|
| crl-publisher JVM | {mb(pub_rss0):.0f} MB | {mb(pub_hwm0):.0f} MB | {mb(pub_hwm1):.0f} MB | {pub_peak:.0f} MB |
| ca-service JVM | {mb(ca_rss0):.0f} MB | {mb(ca_hwm0):.0f} MB | {mb(ca_hwm1):.0f} MB | {ca_peak:.0f} MB |

Ratios against the reference (target ≤ 0.5):

- time: full CRL {ours_s/ref_s:.2f}× openssl's.
- memory, publisher process peak: {pub_peak/ref_mb:.2f}×; ca-service process peak: {ca_peak/ref_mb:.2f}×;
  both together: {(pub_peak+ca_peak)/ref_mb:.2f}×. Growth of the peak during the publication:
  publisher {mb(int(pub_hwm1)-int(pub_hwm0)):.0f} MB, ca-service {mb(int(ca_hwm1)-int(ca_hwm0)):.0f} MB.

## Delta CRL after {int(delta_n):,} new revocations

| scope | entries | time (allocation to rename) | build | sign | write |
|---|---|---|---|---|---|
| full-delta | {dfull['entries']:,} | {dfull['millis']} ms | {dfull['buildMillis']} ms | {dfull['signMillis']} ms | {dfull['writeMillis']} ms |
| 131016-delta | {dpart['entries']:,} | {dpart['millis']} ms | {dpart['buildMillis']} ms | {dpart['signMillis']} ms | {dpart['writeMillis']} ms |

Target < 200 ms.

## Checks

- `openssl crl -verify` of our full CRL against the ca-service root: `{verify.strip()}`; of the delta: `{delta_verify.strip()}`.
- Entries counted by `openssl crl -text`: ours {ours_count}, reference {ref_count}.
- Loading the store (SQL `insert … generate_series`, not part of either measurement, like writing
  index.txt): {int(load_ms)/1000:.1f} s.
"""
open("bench/results/crl-publisher.md", "w").write(out)
print(out)
EOF
