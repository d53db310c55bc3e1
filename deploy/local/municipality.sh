#!/usr/bin/env bash
# The operator command for the registry of municipalities (registration-service's database):
#
#   deploy/local/municipality.sh register --code 131016 --prefecture 東京都 --name 千代田区 --certificate client.pem
#   deploy/local/municipality.sh list
#   deploy/local/municipality.sh register-dev   # every sample municipality of deploy/local/pki.sh but 272035
#   deploy/local/municipality.sh audit-verify   # re-computes registration-service's audit hash chain and checks it
#                                               # against its anchors in ca-service (exit 1 broken, 3 anchors unchecked)
#
# It runs registration-service's jar in command mode (no HTTP listener) against the same database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env
JAR=$REPO_ROOT/registration-service/target/quarkus-app/quarkus-run.jar
[[ -f $JAR ]] || fail "build first: ./mvnw -DskipTests package -pl registration-service -am"

command_mode() {
    java -Dquarkus.http.host-enabled=false -Dquarkus.http.ssl-port=0 -Dquarkus.management.port=0 \
        -Dquarkus.log.level=WARN -jar "$JAR" municipality "$@"
}

if [[ ${1:-} == audit-verify ]]; then
    java -Dquarkus.http.host-enabled=false -Dquarkus.http.ssl-port=0 -Dquarkus.management.port=0 \
        -Dquarkus.log.level=WARN -jar "$JAR" audit verify
elif [[ ${1:-} == register-dev ]]; then
    while IFS='|' read -r code prefecture name; do
        [[ $code == 272035 ]] && continue   # kept unregistered on purpose: its certificate must be refused
        command_mode register --code "$code" --prefecture "$prefecture" --name "$name" \
            --certificate "$INKAN_PKI_DIR/municipalities/$code.pem"
    done <"$INKAN_PKI_DIR/municipalities/registry.txt"
else
    command_mode "$@"
fi
