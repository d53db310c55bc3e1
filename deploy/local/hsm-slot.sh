#!/usr/bin/env bash
# Prints the slot id of the initialised SoftHSM2 token labelled $1 (one line per such token), as
# SunPKCS11 needs it: its configuration has no token-label keyword and SoftHSM2 gives each token a
# random slot id. Used by infra.sh and by the container images' entry point (deploy/compose).
#
#   SOFTHSM2_CONF=... deploy/local/hsm-slot.sh inkan-ca
set -euo pipefail
softhsm2-util --show-slots 2>/dev/null | awk -v want="${1:?usage: hsm-slot.sh LABEL}" '
    /^Slot [0-9]+/ { slot = $2 }
    /^[[:space:]]*Label:/ { l = $0; sub(/^[[:space:]]*Label:[[:space:]]*/, "", l); sub(/[[:space:]]+$/, "", l)
                            if (l == want) print slot }'
