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
TOKEN="$(target/debug/admin create-admin stress-admin@example.com --token <<<stress-admin-password)"
envfile="$LOCAL/stress.env"
printf 'TABLE_NAME=%s\nAWS_ENDPOINT_URL_DYNAMODB=%s\nAWS_ACCESS_KEY_ID=local\nAWS_SECRET_ACCESS_KEY=local\nAWS_REGION=us-east-1\n' \
  "$TABLE_NAME" "$AWS_ENDPOINT_URL_DYNAMODB" >"$envfile"
export WATCH_CONCURRENCY="${WATCH_CONCURRENCY:-4}"
PIDS+=("$(start_watch "$API_PORT" "$envfile")")
log "32 clients for ${STRESS_SECONDS:-60} s against http://127.0.0.1:$API_PORT"
set +e
API="http://127.0.0.1:$API_PORT" ADMIN_TOKEN="$TOKEN" python3 scripts/stress.py >"$LOCAL/stress.json"
load=$?
log "groups at scale: a grant to ${GROUP_SIZE:-10000} users, a join of a group granted on 30 workspaces, a revoke"
PIDS+=("$(start_worker "$envfile")")
BIG_GROUP="$(target/debug/admin group-fixture crowd "${GROUP_SIZE:-10000}")"
API="http://127.0.0.1:$API_PORT" ADMIN_TOKEN="$TOKEN" BIG_GROUP="$BIG_GROUP" GROUP_SIZE="${GROUP_SIZE:-10000}" \
  python3 scripts/group_scale.py >"$LOCAL/group-scale.json"
groups=$?
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
  echo "Groups at scale, through the same stack with \`admin worker\` running (as \`make dev\` runs it):"
  echo "a group of ${GROUP_SIZE:-10000} users (written directly by \`admin group-fixture\`) granted viewer on a"
  echo "workspace (the request answers \`applying\`; seconds until the grant is \`active\`), a page of"
  echo "its members, one user joining a group granted on 30 workspaces, and the revoke."
  echo
  echo '```json'; cat "$LOCAL/group-scale.json"; echo '```'
  echo
  echo '```'; cat "$LOCAL/stress-audit.txt"; echo '```'
} >docs/stress.md
cat docs/stress.md
[ "$load" = 0 ] || die "5xx or failed requests during the load"
[ "$groups" = 0 ] || die "the groups-at-scale run failed"
[ "$audit" = 0 ] || die "the audit found violations"
