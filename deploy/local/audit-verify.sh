#!/usr/bin/env bash
# Checks a service's audit trail: recomputes its hash chain and compares it with the chain heads
# anchored in ca-service's sealed chain (README "Audit trail").
#
#   deploy/local/audit-verify.sh crl-publisher         # GET <management>/admin/audit/verification
#   deploy/local/audit-verify.sh ocsp-responder        # the same, for one responder instance
#   deploy/local/audit-verify.sh registration-service  # = deploy/local/municipality.sh audit-verify
#   deploy/local/audit-verify.sh ca-service --as carol # = deploy/local/operator.sh --as carol audit-verify (seals;
#                                                      #   an operator certificate: --as NAME or --cert F --key F)
#
# Prints "BROKEN at entry n (line l): …" per break. Exit 0 intact, 1 broken, 3 intact but the
# anchors could not be read from ca-service (a consistent rewrite would go unnoticed), 2 usage.
# INKAN_CRL_MANAGEMENT_URL / INKAN_OCSP_MANAGEMENT_URL override the management addresses.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
case ${1:-} in
    crl-publisher) url=${INKAN_CRL_MANAGEMENT_URL:-http://127.0.0.1:9083} ;;
    ocsp-responder) url=${INKAN_OCSP_MANAGEMENT_URL:-http://127.0.0.1:9082} ;;
    registration-service) exec bash "$here/municipality.sh" audit-verify ;;
    ca-service) shift; exec bash "$here/operator.sh" "$@" audit-verify ;;
    *) echo "usage: $0 crl-publisher|ocsp-responder|registration-service|ca-service --as OPERATOR" >&2; exit 2 ;;
esac
report=$(curl -fsS "$url/admin/audit/verification") || { echo "$1 did not answer at $url" >&2; exit 1; }
jq -r '.breaks[] | "BROKEN at entry \(.seq)\(if (.line // 0) > 0 then " (line \(.line))" else "" end): \(.problem)"' <<<"$report"
jq -r '(.notes // [])[] | "note: \(.)"' <<<"$report"
if [[ $(jq -r .intact <<<"$report") != true ]]; then
    exit 1
fi
if [[ $(jq -r .anchors <<<"$report") == -1 ]]; then
    echo "chain intact ($(jq -r .entries <<<"$report") entries), but anchors NOT checked: ca-service did not answer"
    exit 3
fi
jq -r '"audit trail intact: \(.entries) entries up to \(.lastSeq), \(.anchors) anchor(s) in ca-service match"' <<<"$report"
