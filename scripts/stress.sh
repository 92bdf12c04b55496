#!/usr/bin/env bash
# make stress: start the local stack (as make dev does, in memory, on free ports), run
# scripts/stress.py against it, then audit the table. Writes docs/stress.md.
source "$(dirname "$0")/lib.sh"
ensure_tools
cd "$ROOT"
cargo build --workspace --bins
DDB_PORT="$(free_port)"; API_PORT="$(free_port)"
PIDS+=("$(start_ddb "$DDB_PORT")")
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DDB_PORT" TABLE_NAME="stress"
target/debug/admin create-table
TOKEN="$(target/debug/admin create-admin stress-admin@example.com stress-admin-password --token)"
envfile="$LOCAL/stress.env"
printf 'TABLE_NAME=%s\nAWS_ENDPOINT_URL_DYNAMODB=%s\nAWS_ACCESS_KEY_ID=local\nAWS_SECRET_ACCESS_KEY=local\nAWS_REGION=us-east-1\n' \
  "$TABLE_NAME" "$AWS_ENDPOINT_URL_DYNAMODB" >"$envfile"
export WATCH_CONCURRENCY="${WATCH_CONCURRENCY:-4}"
PIDS+=("$(start_watch "$API_PORT" "$envfile")")
log "32 clients for ${STRESS_SECONDS:-60} s against http://127.0.0.1:$API_PORT"
set +e
API="http://127.0.0.1:$API_PORT" ADMIN_TOKEN="$TOKEN" python3 scripts/stress.py >"$LOCAL/stress.json"
load=$?
target/debug/admin audit >"$LOCAL/stress-audit.txt"
audit=$?
set -e
{
  echo "# Stress run"
  echo
  echo "Measured by \`make stress\` on $(nproc) cores, $(date -u +%Y-%m-%d): the local stack (cargo lambda watch,"
  echo "debug builds, ${WATCH_CONCURRENCY:-4} instances per function, DynamoDB Local in memory), 32 clients mixing"
  echo "creates, updates, member changes, file records, deletes, logins and list pages, then \`admin audit\`."
  echo
  echo '```json'; cat "$LOCAL/stress.json"; echo '```'
  echo
  echo '```'; cat "$LOCAL/stress-audit.txt"; echo '```'
} >docs/stress.md
cat docs/stress.md
[ "$load" = 0 ] || die "5xx or failed requests during the load"
[ "$audit" = 0 ] || die "the audit found violations"
