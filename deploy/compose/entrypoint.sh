#!/usr/bin/env bash
# Entry point of the Inkan service images (deploy/compose, k8s/): turns file-based secrets and
# SoftHSM2 token labels into what the services' application.properties read, then runs the command.
#
#   INKAN_<X>_PASSWORD_FILE=/run/secrets/x   -> INKAN_<X>_PASSWORD = the file's first line
#       (the database passwords: ${INKAN_CA_DB_PASSWORD} etc. have no file variant of their own;
#        HSM PINs need nothing here: inkan.hsm.pin-file / ...hsm.pin-file read files themselves)
#   INKAN_HSM_TOKEN_LABEL=inkan-ca           -> INKAN_HSM_SLOT      (unless INKAN_HSM_SLOT is set)
#   INKAN_OCSP_HSM_TOKEN_LABEL=inkan-ocsp    -> INKAN_OCSP_HSM_SLOT (unless INKAN_OCSP_HSM_SLOT is set)
#       (SoftHSM2 only: a real HSM's slot is known and given directly)
set -euo pipefail

fail() { printf 'inkan-entrypoint: %s\n' "$*" >&2; exit 78; }

for name in $(compgen -e); do
    [[ $name =~ ^INKAN_[A-Z0-9_]+_PASSWORD_FILE$ ]] || continue
    file=${!name}
    [[ -r $file ]] || fail "$name names $file, which is missing or unreadable"
    value=$(head -n 1 -- "$file" | tr -d '\r\n')
    [[ -n $value ]] || fail "$name names $file, which is empty"
    export "${name%_FILE}=$value"
done

hsm_slot=${INKAN_HSM_SLOT_COMMAND:-/usr/local/bin/inkan-hsm-slot}
for label_var in INKAN_HSM_TOKEN_LABEL INKAN_OCSP_HSM_TOKEN_LABEL; do
    slot_var=${label_var%_TOKEN_LABEL}_SLOT
    [[ -n ${!label_var:-} && -z ${!slot_var:-} ]] || continue
    slot=$("$hsm_slot" "${!label_var}") || fail "cannot list the SoftHSM2 slots (SOFTHSM2_CONF=${SOFTHSM2_CONF:-unset})"
    [[ -n $slot ]] || fail "no initialised token labelled '${!label_var}' (SOFTHSM2_CONF=${SOFTHSM2_CONF:-unset}); did the token init run?"
    [[ $slot != *$'\n'* ]] || fail "several tokens labelled '${!label_var}'"
    export "$slot_var=$slot"
done

exec "$@"
