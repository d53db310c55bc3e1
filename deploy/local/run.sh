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
(cd "$REPO_ROOT" && ./mvnw -B -q -DskipTests package -pl ca-service -am)

CA_URL=http://127.0.0.1:8081
if running ca-service; then
    say "ca-service already running (pid $(cat "$PIDS/ca-service.pid"))"
else
    say "starting ca-service on $CA_URL (bootstraps both CAs in the HSM on first start)"
    INKAN_CA_BOOTSTRAP=true nohup java -jar "$REPO_ROOT/ca-service/target/quarkus-app/quarkus-run.jar" \
        >"$LOGS/ca-service.log" 2>&1 &
    echo $! >"$PIDS/ca-service.pid"
fi
wait_ready ca-service "$CA_URL/q/health/ready" 120
say "ca-service ready"

# ---- demo: one card's two certificates ---------------------------------------------------------
DEMO=$STATE/demo
mkdir -p "$DEMO"
today=$(TZ=Asia/Tokyo date +%F)
born=$(TZ=Asia/Tokyo date -d "$today -40 years -100 days" +%F)
card_expiry=$(TZ=Asia/Tokyo date -d "$today +10 years" +%F)
card="DEMO$(date +%s)"

issue() { # issue TYPE -> writes $DEMO/TYPE.json
    local type=$1
    openssl req -new -newkey rsa:2048 -nodes -keyout "$DEMO/$type.key" -subj "/CN=card key" \
        -out "$DEMO/$type.csr" 2>/dev/null
    jq -n --arg type "$type" --rawfile csr "$DEMO/$type.csr" --arg born "$born" \
        --arg expiry "$card_expiry" --arg card "$card" '{
          type: $type, csr: $csr, municipalityCode: "131016", counterId: "A01",
          cardSerial: $card, cardExpiry: $expiry,
          holder: { name: "山田\u3000太郎", dateOfBirth: $born, sex: 1,
                    address: "東京都千代田区千代田１－１", adultWard: false } }' >"$DEMO/$type.request.json"
    curl -fsS -H 'Content-Type: application/json' --data @"$DEMO/$type.request.json" \
        "$CA_URL/internal/v1/certificates" >"$DEMO/$type.json"
    jq -r .certificatePem "$DEMO/$type.json" >"$DEMO/$type.pem"
}

say "demo: issuing a resident's authentication and signature certificates"
issue AUTHENTICATION
issue SIGNATURE
curl -fsS "$CA_URL/internal/v1/cas/signature/roots.pem" >"$DEMO/signature-roots.pem"
curl -fsS "$CA_URL/internal/v1/cas/authentication/roots.pem" >"$DEMO/authentication-roots.pem"
for type in AUTHENTICATION SIGNATURE; do
    roots=$DEMO/${type,,}-roots.pem
    printf '\n--- %s certificate (serial %s)\n' "$type" "$(jq -r .serial "$DEMO/$type.json")"
    openssl x509 -in "$DEMO/$type.pem" -noout -subject -dates -nameopt utf8,sep_comma_plus_space
    openssl verify -x509_strict -CAfile "$roots" "$DEMO/$type.pem"
done
printf '\n'
say "the system is running:"
say "  ca-service      $CA_URL  (OpenAPI: $CA_URL/q/openapi, health: $CA_URL/q/health)"
say "  PostgreSQL      127.0.0.1:$INKAN_PG_PORT   SoftHSM2 config: $SOFTHSM2_CONF"
say "  logs            $LOGS   demo files: $DEMO"
say "stop with: deploy/local/stop.sh"
