#!/usr/bin/env bash
# Initialises SoftHSM2 tokens once (an existing token with the label is left as it is):
#
#   init-tokens.sh TOKEN_DIR:LABEL:PIN_FILE:SO_PIN_FILE ...
#
# Run by the hsm-init service of deploy/compose and the token init containers of k8s/. With
# INKAN_TOKEN_OWNER=<uid> the token directory is handed to that user (the services run as 10001).
set -euo pipefail
fail() { printf 'init-tokens: %s\n' "$*" >&2; exit 1; }
hsm_slot=${INKAN_HSM_SLOT_COMMAND:-/usr/local/bin/inkan-hsm-slot}
(($#)) || fail "usage: init-tokens.sh TOKEN_DIR:LABEL:PIN_FILE:SO_PIN_FILE ..."
for spec in "$@"; do
    IFS=: read -r dir label pin_file so_pin_file <<<"$spec"
    [[ -n $dir && -n $label && -r $pin_file && -r $so_pin_file ]] \
        || fail "bad spec '$spec' (directory, label, readable PIN file, readable SO PIN file)"
    mkdir -p "$dir"
    conf=$(mktemp)
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' "$dir" >"$conf"
    export SOFTHSM2_CONF=$conf
    if [[ -n $("$hsm_slot" "$label") ]]; then
        printf 'init-tokens: token %s in %s exists\n' "$label" "$dir"
    else
        softhsm2-util --init-token --free --label "$label" \
            --pin "$(head -n 1 "$pin_file")" --so-pin "$(head -n 1 "$so_pin_file")" >/dev/null
        [[ -n $("$hsm_slot" "$label") ]] || fail "token $label not found in $dir after init"
        printf 'init-tokens: initialised token %s in %s\n' "$label" "$dir"
    fi
    rm -f "$conf"
    [[ -z ${INKAN_TOKEN_OWNER:-} ]] || chown -R "$INKAN_TOKEN_OWNER:$INKAN_TOKEN_OWNER" "$dir"
done
