#!/usr/bin/env bash
# The operator command for ca-service's operator API (mutual TLS with an operator certificate):
#
#   deploy/local/operator.sh --as alice request rotate --ca signature --switch-at 2026-12-03T00:00:00Z
#   deploy/local/operator.sh --as alice request retire --ca authentication --generation 1
#   deploy/local/operator.sh --as alice request bootstrap
#   deploy/local/operator.sh --as alice request release-hold --ca signature --serial 1f3a...
#   deploy/local/operator.sh --as bob approve <request id>
#   deploy/local/operator.sh --as bob execute <request id>
#   deploy/local/operator.sh --as bob list | generations | audit-verify | audit-seal
#
# Rotation, retirement, bootstrap and hold release need approvals by distinct operators
# (inkan.ca.operators.approvals-required, default 2; the requester counts as one) before the request
# expires (inkan.ca.operators.request-ttl). --as names a certificate under $INKAN_PKI_DIR/operators/
# (dev: alice, bob, carol) or --cert/--key give one; INKAN_CA_URL (default https://localhost:8081).
# Prints ca-service's JSON answer; exits non-zero on an HTTP error (problem+json printed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -f $STATE/env ]] && load_env
PKI=${INKAN_PKI_DIR:-$STATE/pki}
URL=${INKAN_CA_URL:-https://localhost:8081}
CERT= KEY=

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

while [[ ${1:-} == --* ]]; do
    case $1 in
        --as) CERT=$PKI/operators/$2.pem KEY=$PKI/operators/$2.key; shift 2 ;;
        --cert) CERT=$2; shift 2 ;;
        --key) KEY=$2; shift 2 ;;
        --url) URL=$2; shift 2 ;;
        *) usage ;;
    esac
done
[[ -n $CERT && -n $KEY ]] || fail "say who you are: --as <operator> or --cert FILE --key FILE"
[[ -f $CERT && -f $KEY ]] || fail "no operator certificate at $CERT / $KEY"

# call METHOD PATH [JSON]
call() {
    local out status
    out=$(mktemp)
    status=$(curl -sS -o "$out" -w '%{http_code}' --cert "$CERT" --key "$KEY" --cacert "$PKI/service-ca.pem" \
        -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$URL$2")
    if command -v jq >/dev/null; then jq . "$out"; else cat "$out"; echo; fi
    rm -f "$out"
    [[ $status == 2?? ]] || { printf '[operator] HTTP %s\n' "$status" >&2; exit 1; }
}

command=${1:-}; shift || true
case $command in
    request)
        action=${1:-}; shift || usage
        ca= generation= serial= switch_at=
        while (($#)); do
            case $1 in
                --ca) ca=${2^^}; shift 2 ;;
                --generation) generation=$2; shift 2 ;;
                --serial) serial=$2; shift 2 ;;
                --switch-at) switch_at=$2; shift 2 ;;
                *) usage ;;
            esac
        done
        action=${action^^}; action=${action//-/_}
        body=$(jq -cn --arg action "$action" --arg ca "$ca" --arg generation "$generation" --arg serial "$serial" \
            --arg switchAt "$switch_at" '{action: $action}
              + (if $ca != "" then {ca: $ca} else {} end)
              + (if $generation != "" then {generation: ($generation | tonumber)} else {} end)
              + (if $serial != "" then {serial: $serial} else {} end)
              + (if $switchAt != "" then {switchAt: $switchAt} else {} end)')
        call POST /operator/v1/requests "$body" ;;
    approve) call POST "/operator/v1/requests/${1:?request id}/approval" ;;
    execute) call POST "/operator/v1/requests/${1:?request id}/execution" ;;
    list) call GET /operator/v1/requests ;;
    generations) call GET /operator/v1/generations ;;
    audit-verify) call GET /operator/v1/audit/verification ;;
    audit-seal) call POST /operator/v1/audit/seal ;;
    *) usage ;;
esac
