#!/usr/bin/env bash
# Makes the secret files deploy/compose (and k8s/overlays/local) mount, once, with fresh random
# values: database passwords, HSM user and SO PINs, and a dev PKI (deploy/local/pki.sh: service CA,
# service certificates whose SANs include the service names, RA client CA, resident hash key).
#
#   deploy/compose/secrets.sh [DIR]      (default deploy/compose/secrets; ignored by git)
#
# Existing files are kept. DEV ONLY: a real deployment gets its secrets from its secret store.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${1:-$SCRIPT_DIR/secrets}
mkdir -p "$DIR"

random_secret() { # name bytes
    [[ -s $DIR/$1 ]] && return 0
    openssl rand -hex "$2" >"$DIR/$1"
}
for name in postgres-password ca-db-password registration-db-password crl-db-password; do
    random_secret "$name" 24
done
# SoftHSM2 PINs: 4 to 255 characters.
for name in ca-hsm-pin ca-hsm-so-pin ocsp-hsm-pin ocsp-hsm-so-pin; do
    random_secret "$name" 16
done
bash "$SCRIPT_DIR/../local/pki.sh" "$DIR/pki"
# Compose mounts secrets as bind mounts with the host's modes, and the containers run as other
# users (postgres 999, the services 10001): make them readable. Keep the directory itself private.
chmod 0700 "$DIR"
find "$DIR" -type f -exec chmod 0644 {} +
find "$DIR" -mindepth 1 -type d -exec chmod 0755 {} +
