#!/usr/bin/env bash
# The operator command for the registry of relying parties (署名検証者, 利用者証明検証者, プラットフォーム事業者):
#
#   deploy/local/relying-party.sh add --id acme-sign --name 'ACME 署名検証' --kind SIGNATURE_VERIFIER \
#       --ca signature --client-cert acme.pem [--client-cert …] [--signer-cert acme-signer.pem] [--rate 200]
#   deploy/local/relying-party.sh suspend --id acme-sign
#   deploy/local/relying-party.sh activate --id acme-sign
#   deploy/local/relying-party.sh list
#   deploy/local/relying-party.sh usage [--day 2026-12-02] [--service ocsp-responder|crl-publisher] \
#       [--management http://127.0.0.1:9082,http://127.0.0.1:9083]   # replicas to publish first
#   deploy/local/relying-party.sh register-dev   # the sample parties of deploy/local/pki.sh (not "stranger")
#
# The registry is the compacted Kafka topic inkan.relying-parties (key = id); every ocsp-responder
# replica follows it and applies a change within about a second, without a restart. The usage report
# reads the compacted topic inkan.relying-party-usage (INKAN_RELYING_PARTY_USAGE_TOPIC), where every
# responder and crl-publisher replica publishes its counts per day. This runs the
# command from the responder's packaged classes (no responder is started).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
preset_bootstrap=${INKAN_KAFKA_BOOTSTRAP:-}
load_env
# A broker named by the caller (tests, another environment) wins over the local one.
[[ -n $preset_bootstrap ]] && export INKAN_KAFKA_BOOTSTRAP=$preset_bootstrap
APP=$REPO_ROOT/ocsp-responder/target/quarkus-app
[[ -d $APP/lib/main ]] || fail "build first: ./mvnw -DskipTests package -pl ocsp-responder -am"

# The responder's jars minus its JBoss log manager binding (that needs the Quarkus runtime): the
# Kafka client then logs nowhere, and the command prints only its own messages.
CP=$(find "$APP/app" "$APP/lib/main" -name '*.jar' ! -name '*slf4j-jboss*' | tr '\n' ':')
command_mode() {
    java -cp "$CP" -Dslf4j.internal.verbosity=ERROR jp.inkan.ocsp.events.RelyingPartyCommand "$@"
}

if [[ ${1:-} == register-dev ]]; then
    RP=$INKAN_PKI_DIR/relying-parties
    command_mode add --id sig-verifier --name '署名検証者 (dev)' --kind SIGNATURE_VERIFIER --ca signature \
        --client-cert "$RP/sig-verifier.pem" --signer-cert "$RP/sig-verifier-signer.pem"
    command_mode add --id auth-verifier --name '利用者証明検証者 (dev)' --kind AUTHENTICATION_VERIFIER \
        --ca authentication --client-cert "$RP/auth-verifier.pem" --signer-cert "$RP/auth-verifier-signer.pem"
    command_mode add --id platform --name 'プラットフォーム事業者 (dev)' --kind PLATFORM_OPERATOR \
        --ca signature,authentication --client-cert "$RP/platform.pem" --signer-cert "$RP/platform-signer.pem"
else
    command_mode "$@"
fi
