#!/usr/bin/env bash
# Starts Inkan on this machine (no Docker): PostgreSQL and SoftHSM2 through infra.sh, then the
# services, waits until each is ready, runs a short demo against them, and leaves them running.
# Stop with deploy/local/stop.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$SCRIPT_DIR/infra.sh" up
load_env
mkdir -p "$PIDS" "$LOGS"

say "building the services (first run downloads dependencies from Maven Central)"
(cd "$REPO_ROOT" && ./mvnw -B -q -DskipTests package -pl ca-service,registration-service,ocsp-responder,crl-publisher -am)

PKI=$INKAN_PKI_DIR
CA_URL=https://localhost:8081
REG_URL=https://localhost:8080
# ca-service admits registration-service's certificate only; the demo reads its roots as that service.
AS_REGISTRATION=(--cacert "$PKI/service-ca.pem" --cert "$PKI/registration-service.pem" --key "$PKI/registration-service.key")
AS_CHIYODA=(--cacert "$PKI/service-ca.pem" --cert "$PKI/municipalities/131016.pem" --key "$PKI/municipalities/131016.key")

start_service() { # name jar-dir management-port [env...]
    local name=$1 module=$2 management=$3
    shift 3
    if running "$name"; then
        say "$name already running (pid $(cat "$PIDS/$name.pid"))"
    else
        # Ready must mean ours: a stray process on the same ports would answer for a JVM that cannot bind them.
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$management/q/health" || true) == 000 ]] \
            || fail "port $management already answers, but not a $name that run.sh started: stop that process first"
        say "starting $name"
        # Production jars log JSON lines (for log shippers); this local demo keeps them readable
        # unless INKAN_LOG_JSON=true is exported.
        # The service's JVM options (deploy/jvm/<module>.options), as the images and benches use them.
        # The background subshell becomes the JVM (exec, and env and nohup exec too), so the pid that
        # stop.sh signals is the service's own; no inherited lock fd (see without_inherited_fds).
        (close_inherited_fds && exec env INKAN_LOG_JSON="${INKAN_LOG_JSON:-false}" "$@" nohup java $(jvm_options "$module") \
            -jar "$REPO_ROOT/$module/target/quarkus-app/quarkus-run.jar") >"$LOGS/$name.log" 2>&1 </dev/null &
        echo $! >"$PIDS/$name.pid"
    fi
    wait_ready "$name" "http://127.0.0.1:$management/q/health/ready" 120
    kill -0 "$(cat "$PIDS/$name.pid")" 2>/dev/null || fail "$name exited right after starting; see $LOGS/$name.log"
    say "$name ready"
}

start_service ca-service ca-service 9081 INKAN_CA_BOOTSTRAP=true
say "registering the sample municipalities and their client certificates (operator command)"
bash "$SCRIPT_DIR/municipality.sh" register-dev
start_service registration-service registration-service 9080 INKAN_CA_URL=$CA_URL
# Ready once its status store has caught up with the event topic and it holds a responder
# certificate (from ca-service, key in its own token) for every CA key generation.
start_service ocsp-responder ocsp-responder 9082 INKAN_CA_URL=$CA_URL INKAN_OCSP_STATE_DIR="$STATE/ocsp-state"
OCSP_URL=http://127.0.0.1:8082/ocsp
start_service crl-publisher crl-publisher 9083 INKAN_CA_URL=$CA_URL INKAN_CRL_DIR="$STATE/crl"

# ocsp_status TYPE -> good / revoked / ... as openssl ocsp reads our responder's signed answer
ocsp_status() {
    openssl ocsp -issuer "$DEMO/$1-roots.pem" -cert "$DEMO/$1.pem" -CAfile "$DEMO/$1-roots.pem" \
        -url "$OCSP_URL" 2>"$DEMO/ocsp-$1.err" | sed -n "s|^$DEMO/$1.pem: ||p" | head -1
}

# ---- demo: a counter submits one card application over mTLS ------------------------------------
DEMO=$STATE/demo
mkdir -p "$DEMO"
today=$(TZ=Asia/Tokyo date +%F)
born=$(TZ=Asia/Tokyo date -d "$today -40 years -100 days" +%F)
card_expiry=$(TZ=Asia/Tokyo date -d "$today +10 years" +%F)
for type in signature authentication; do
    openssl req -new -newkey rsa:2048 -nodes -keyout "$DEMO/$type.key" -subj "/CN=card key" \
        -out "$DEMO/$type.csr" 2>/dev/null
done
jq -n --rawfile sig "$DEMO/signature.csr" --rawfile auth "$DEMO/authentication.csr" --arg born "$born" \
    --arg expiry "$card_expiry" --arg card "DEMO$(date +%s)" '{
      residentRecordCode: "12345678901", cardSerial: $card, cardExpiry: $expiry, counterId: "W01",
      identityDocument: "MY_NUMBER_CARD",
      holder: { name: "山田\u3000太郎", dateOfBirth: $born, sex: 1,
                address: "東京都千代田区千代田１－１", adultWard: false },
      csrs: { signature: $sig, authentication: $auth } }' >"$DEMO/application.json"
key="demo-$(date +%s)"
say "demo: Chiyoda-ku (131016) submits a card application, Idempotency-Key $key"
curl -fsS "${AS_CHIYODA[@]}" -H 'Content-Type: application/json' -H "Idempotency-Key: $key" \
    --data @"$DEMO/application.json" "$REG_URL/api/v1/applications" >"$DEMO/result.json"
jq -r '"application \(.applicationId): \(.status)"' "$DEMO/result.json"
for type in SIGNATURE AUTHENTICATION; do
    jq -r --arg t "$type" '.certificates[] | select(.type == $t) | .pem' "$DEMO/result.json" >"$DEMO/${type,,}.pem"
    curl -fsS "${AS_REGISTRATION[@]}" "$CA_URL/internal/v1/cas/${type,,}/roots.pem" >"$DEMO/${type,,}-roots.pem"
    printf '\n--- %s certificate (serial %s)\n' "$type" \
        "$(jq -r --arg t "$type" '.certificates[] | select(.type == $t) | .serial' "$DEMO/result.json")"
    openssl x509 -in "$DEMO/${type,,}.pem" -noout -subject -dates -nameopt utf8,sep_comma_plus_space
    openssl verify -x509_strict -CAfile "$DEMO/${type,,}-roots.pem" "$DEMO/${type,,}.pem"
done
say "demo: the same Idempotency-Key and body again returns the same certificates"
curl -fsS "${AS_CHIYODA[@]}" -H 'Content-Type: application/json' -H "Idempotency-Key: $key" \
    --data @"$DEMO/application.json" "$REG_URL/api/v1/applications" >"$DEMO/replay.json"
first=$(jq -c '[.certificates[].serial]' "$DEMO/result.json")
again=$(jq -c '[.certificates[].serial]' "$DEMO/replay.json")
if [[ $first == "$again" ]]; then
    say "  same serials: $(jq -c '[.certificates[].serial]' "$DEMO/replay.json")"
else
    fail "replay returned different certificates"
fi

say "demo: OCSP (openssl ocsp, verified against the root) says of both certificates: signature $(ocsp_status signature), authentication $(ocsp_status authentication)"
signature_serial=$(jq -r '.certificates[] | select(.type == "SIGNATURE") | .serial' "$DEMO/result.json")
say "demo: the resident moves house; Chiyoda-ku revokes the signature certificate $signature_serial (affiliationChanged)"
curl -fsS "${AS_CHIYODA[@]}" -H 'Content-Type: application/json' --data '{"reason":"affiliationChanged"}' \
    "$REG_URL/api/v1/certificates/$signature_serial/revocation" >"$DEMO/revocation.json"
jq -r '"  \(.ca) \(.serial): \(.status) \(.reason) at \(.revokedAt)"' "$DEMO/revocation.json"
say "demo: the same revocation again answers with the first one's time (unchanged: $(curl -fsS "${AS_CHIYODA[@]}" \
    -H 'Content-Type: application/json' --data '{"reason":"affiliationChanged"}' \
    "$REG_URL/api/v1/certificates/$signature_serial/revocation" | jq -r .unchanged))"
# The revocation travels ca-service outbox -> Kafka -> the responder's store; usually well under a second.
for _ in $(seq 50); do
    [[ $(ocsp_status signature) == revoked ]] && break
    sleep 0.2
done
[[ $(ocsp_status signature) == revoked ]] || fail "OCSP does not say revoked 10 s after the revocation"
say "demo: OCSP now says: signature $(ocsp_status signature), authentication $(ocsp_status authentication)"
openssl ocsp -issuer "$DEMO/signature-roots.pem" -cert "$DEMO/signature.pem" -CAfile "$DEMO/signature-roots.pem" \
    -url "$OCSP_URL" 2>/dev/null | grep -E 'Reason|Revocation Time' | sed 's/^\s*/  /'
crl_url=$(openssl x509 -in "$DEMO/signature.pem" -noout -ext crlDistributionPoints | sed -n 's/.*URI://p' | head -1)
say "demo: the operator publishes CRLs now (the schedule would within minutes); fetching $crl_url"
# The revocation event reaches the publisher's store asynchronously: publish until the CRL lists it.
for _ in $(seq 20); do
    curl -fsS -X POST 'http://127.0.0.1:9083/crl/publish?kind=complete&ca=signature' >/dev/null
    curl -fsS "$crl_url" -o "$DEMO/signature-partition.crl"
    openssl crl -inform DER -in "$DEMO/signature-partition.crl" -out "$DEMO/signature-partition.crl.pem"
    openssl crl -in "$DEMO/signature-partition.crl.pem" -noout -text | grep -qi "${signature_serial}" && break
    sleep 0.5
done
openssl crl -in "$DEMO/signature-partition.crl.pem" -noout -CAfile "$DEMO/signature-roots.pem" -verify 2>&1 | sed 's/^/  /'
openssl verify -crl_check -CAfile "$DEMO/signature-roots.pem" -CRLfile "$DEMO/signature-partition.crl.pem" \
    "$DEMO/signature.pem" 2>&1 | grep -E 'revoked|OK' | sed 's/^/  /' || true
printf '\n'
say "the system is running:"
say "  registration-service  $REG_URL/api/v1  (mTLS, municipality certificates in $PKI/municipalities)"
say "                        OpenAPI: http://127.0.0.1:9080/q/openapi   health: http://127.0.0.1:9080/q/health"
say "  ca-service            $CA_URL/internal/v1  (mTLS, service clients only)   health: http://127.0.0.1:9081/q/health"
say "  ocsp-responder        $OCSP_URL  (RFC 6960 POST, RFC 5019 GET)   health: http://127.0.0.1:9082/q/health"
say "  crl-publisher         http://127.0.0.1:8083/crl/…  (DER CRLs at the certificates' URIs)   health: http://127.0.0.1:9083/q/health"
say "  Kafka                 $INKAN_KAFKA_BOOTSTRAP  (topic inkan.certificate-events)"
say "  PostgreSQL            127.0.0.1:$INKAN_PG_PORT   SoftHSM2 config: $SOFTHSM2_CONF"
say "  logs                  $LOGS   demo files: $DEMO"
say "stop with: deploy/local/stop.sh"
