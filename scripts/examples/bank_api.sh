#!/usr/bin/env bash
# A bank's system using the loans API (issue #5), step by step: report a loan, send it again,
# retry with an Idempotency-Key, record a payment, change the status, list, and the refusals.
#   usage: IPFIN=http://127.0.0.1:8080 IPFIN_TOKEN=ipfin_… scripts/examples/bank_api.sh [credit code]
#   a token for the demo bank: ipfin token --org 深南银行深圳分行 --name 信贷系统
set -euo pipefail
: "${IPFIN:?set IPFIN to the server address}" "${IPFIN_TOKEN:?set IPFIN_TOKEN to the bank token}"
CODE=${1:-91440305MA5001017N}   # the demo's 深圳市南山示例科技有限公司
CONTRACT=EX-$(date +%s)
PLEDGE=Y2026$(date +%s | tail -c 10)
call() { # method path [body] [extra header]
  local method=$1 path=$2 body=${3:-} extra=${4:-}
  local args=(-s -o /tmp/ipfin-example.out -w '%{http_code}' -X "$method" "$IPFIN$path"
    -H "Authorization: Bearer $IPFIN_TOKEN" -H "Content-Type: application/json")
  [ -n "$extra" ] && args+=(-H "$extra")
  [ -n "$body" ] && args+=(-d "$body")
  local status
  status=$(curl "${args[@]}")
  printf '%s %s → %s %s\n' "$method" "$path" "$status" "$(head -c 400 /tmp/ipfin-example.out)"
}
loan() { # principal_fen [extra fields]
  printf '{"contract_number":"%s","borrower_credit_code":"%s","principal_fen":%s,"annual_rate":"0.0345",
    "start_date":"2026-03-05","end_date":"2027-03-04","first_loan":true%s,
    "pledges":[{"number":"%s","secured_amount_fen":500000000,"registration_date":"2026-03-01",
    "items":[{"kind":"patent","number":"202310123456.6","title":"一种电池管理方法"}]}]}' \
    "$CONTRACT" "$CODE" "$1" "${2:-}" "$PLEDGE"
}
echo "== report, re-send, retry with the same Idempotency-Key"
call POST /api/v1/loans "$(loan 500000000)" "Idempotency-Key: $CONTRACT-1"
ID=$(grep -o '"id":[0-9]*' /tmp/ipfin-example.out | cut -d: -f2)
call POST /api/v1/loans "$(loan 500000000)"
call POST /api/v1/loans "$(loan 500000000)" "Idempotency-Key: $CONTRACT-1"
call POST /api/v1/loans "$(loan 450000000)" "Idempotency-Key: $CONTRACT-1"
echo "== update: a changed principal"
call POST /api/v1/loans "$(loan 450000000)"
echo "== payment, status, list"
call POST "/api/v1/loans/$ID/payments" '{"date":"2026-06-05","principal_fen":100000000,"interest_fen":3881250}'
call POST "/api/v1/loans/$ID/status" '{"status":"overdue","date":"2026-07-06","note":"逾期 1 天"}'
call GET "/api/v1/loans?q=$CONTRACT"
echo "== refusals (nothing stored)"
call POST /api/v1/loans "$(loan 0)"
call POST /api/v1/loans "$(loan 500000000 ',"other_collateral":true,"ip_ratio":"1.5"')"
call POST /api/v1/loans "$(loan 500000000 ',"lender_org_id":999999')"
call POST "/api/v1/loans/$ID/payments" '{"date":"2026-08-05","principal_fen":400000001}'
