#!/usr/bin/env bash
# DEV-ONLY TLS material for running Inkan locally, made with openssl, idempotently:
#
#   deploy/local/pki.sh <dir>
#
#   service-ca.pem      signs the services' own certificates (server and client, mTLS between services)
#     ca-service.pem            server (localhost, 127.0.0.1)
#     registration-service.pem  server for municipalities, client towards ca-service
#     crl-publisher.pem         client towards ca-service (later issue)
#     ocsp-responder.pem        client that ca-service must refuse for issuance (tests)
#     operators/<name>.pem      operators alice, bob, carol: clients of ca-service's operator API
#                               (dual control needs two of them; deploy/local/operator.sh)
#   ra-client-ca.pem    the local RA client CA: one client certificate per municipality
#     municipalities/<code>.pem   subject serialNumber=<local government code>, CN=<municipality>
#     municipalities/<code>-other-key.pem   same subject, another key (must be refused)
#   rp-client-ca.pem    the relying-party client CA (TLS client certificates for OCSP and CRLs)
#     relying-parties/<name>.pem          TLS client certificate of a sample relying party
#     relying-parties/<name>-signer.pem   its OCSP request-signing certificate
#   resident-hash.key   the keyed-hash key for resident record codes (hex)
#
# Each certificate comes with <name>.key (PKCS#8 PEM) and <name>.p12 (password "changeit") for
# tools that want a keystore. Nothing here is for any shared or production system.
set -euo pipefail

DIR=${1:?usage: pki.sh <dir>}
mkdir -p "$DIR/municipalities" "$DIR/operators" "$DIR/relying-parties"
cd "$DIR"
P12_PASSWORD=changeit
DAYS=825

# Sample municipalities: code|prefecture|municipality (the same codes ca-service seeds).
MUNICIPALITIES=(
    "011002|北海道|札幌市"
    "131016|東京都|千代田区"
    "131041|東京都|新宿区"
    "141003|神奈川県|横浜市"
    "231002|愛知県|名古屋市"
    "271004|大阪府|大阪市"
    "272035|大阪府|豊中市"   # a valid code nobody registers: its certificate must be refused
)

changed=()

# ca <name> <subject>
ca() {
    [[ -f $1.pem ]] && return 0
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
        -keyout "$1.key" -out "$1.pem" -subj "$2" -utf8 \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    changed+=("$1")
}

# leaf <issuer> <name> <subject> <extendedKeyUsage> [subjectAltName]
leaf() {
    local issuer=$1 name=$2 subject=$3 eku=$4 san=${5:-}
    [[ -f $name.pem ]] && return 0
    local ext
    ext=$(mktemp)
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature"
        echo "extendedKeyUsage=$eku"
        echo "subjectKeyIdentifier=hash"
        echo "authorityKeyIdentifier=keyid"
        [[ -n $san ]] && echo "subjectAltName=$san"
    } >"$ext"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
        -subj "$subject" -utf8 -out "$name.csr" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
        -days $DAYS -sha256 -extfile "$ext" -out "$name.pem" 2>/dev/null
    rm -f "$name.csr" "$ext"
    openssl pkcs12 -export -in "$name.pem" -inkey "$name.key" -certfile "$issuer.pem" -name "$(basename "$name")" \
        -passout "pass:$P12_PASSWORD" -out "$name.p12"
    changed+=("$name")
}

ca service-ca "/C=JP/O=Inkan DEV/CN=Inkan Local Service CA"
ca ra-client-ca "/C=JP/O=Inkan DEV/CN=Inkan Local RA Client CA"
ca rp-client-ca "/C=JP/O=Inkan DEV/CN=Inkan Local Relying Party Client CA"

# Each service's own name too: in deploy/compose and k8s/ the services call https://ca-service:8081.
LOCAL_SAN="DNS:localhost,IP:127.0.0.1"
for service in ca-service registration-service crl-publisher ocsp-responder; do
    eku=serverAuth,clientAuth
    [[ $service == ca-service ]] && eku=serverAuth
    leaf service-ca "$service" "/C=JP/O=Inkan DEV/CN=$service" "$eku" "$LOCAL_SAN,DNS:$service"
done
for operator in alice bob carol; do
    leaf service-ca "operators/$operator" "/C=JP/O=Inkan DEV/OU=operators/CN=operator-$operator" clientAuth
done

for entry in "${MUNICIPALITIES[@]}"; do
    IFS='|' read -r code prefecture name <<<"$entry"
    subject="/C=JP/O=Inkan DEV municipalities/L=$prefecture/serialNumber=$code/CN=$name"
    leaf ra-client-ca "municipalities/$code" "$subject" clientAuth
    leaf ra-client-ca "municipalities/$code-other-key" "$subject" clientAuth
done
printf '%s\n' "${MUNICIPALITIES[@]}" >municipalities/registry.txt

# Sample relying parties (registered with deploy/local/relying-party.sh; "stranger" never is).
for rp in sig-verifier auth-verifier platform stranger; do
    leaf rp-client-ca "relying-parties/$rp" "/C=JP/O=Inkan DEV relying parties/CN=$rp" clientAuth
    leaf rp-client-ca "relying-parties/$rp-signer" "/C=JP/O=Inkan DEV relying parties/CN=$rp OCSP request signer" clientAuth
done

if [[ ! -f resident-hash.key ]]; then
    (umask 077 && openssl rand -hex 32 >resident-hash.key)
    changed+=(resident-hash.key)
fi

# A trust bundle for clients of the services (curl --cacert, openssl s_client -CAfile).
cat service-ca.pem >services-trust.pem
if ((${#changed[@]})); then
    printf '[pki] created in %s: %s\n' "$DIR" "${changed[*]}"
fi
