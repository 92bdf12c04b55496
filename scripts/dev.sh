#!/usr/bin/env bash
# make dev: install what is missing, start DynamoDB Local, create the table and the dev
# admin, print a token, and serve every template.yaml route through cargo lambda watch.
source "$(dirname "$0")/lib.sh"
DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
API_PORT="${API_PORT:-9000}"
DEV_ADMIN_EMAIL="${DEV_ADMIN_EMAIL:-admin@example.com}"
DEV_ADMIN_PASSWORD="${DEV_ADMIN_PASSWORD:-admin-password-change-me}"
export TABLE_NAME="${TABLE_NAME:-users}"
# Instances per function, so concurrent callers are served in parallel.
export WATCH_CONCURRENCY="${WATCH_CONCURRENCY:-4}"

ensure_tools
for p in "$DYNAMODB_PORT" "$API_PORT"; do
  port_in_use "$p" && die "port $p is already in use: stop what listens there, or set DYNAMODB_PORT / API_PORT"
done

cleanup() { trap "" PIPE; stop_started; log "stopped" 2>/dev/null || true; }
trap cleanup EXIT
# Ctrl-C (or a TERM) is the way to stop: a clean exit, status 0. The services run in
# their own sessions (setsid), so the signal reaches only this script, which stops them.
trap 'exit 0' INT TERM

log "building the functions and the admin CLI"
(cd "$ROOT" && cargo build --workspace --bins)

if [ "${DYNAMODB_IN_MEMORY:-0}" = 1 ]; then data=""; else data="$LOCAL/dynamodb-data"; fi
log "starting DynamoDB Local on 127.0.0.1:$DYNAMODB_PORT ${data:+(data in .local/dynamodb-data)}"
PIDS+=("$(start_ddb "$DYNAMODB_PORT" "$data")")
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNAMODB_PORT"

"$ROOT/target/debug/admin" create-table
TOKEN="$("$ROOT/target/debug/admin" create-admin "$DEV_ADMIN_EMAIL" --token <<<"$DEV_ADMIN_PASSWORD")"
sync_router

envfile="$LOCAL/dev.env"
{
  echo "TABLE_NAME=$TABLE_NAME"
  echo "AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB"
  echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
  echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
  echo "AWS_REGION=$AWS_REGION"
  for v in SIGNUP_ENABLED TOKEN_TTL_SECONDS DEFAULT_DISK_SPACE ACTIVITY_RETENTION_DAYS STREAM_MAX_SECONDS RUST_LOG CURSOR_SECRET LOGIN_MAX_FAILURES LOGIN_MAX_FAILURES_PER_IP; do
    [ -n "${!v:-}" ] && echo "$v=${!v}"
  done
} >"$envfile"

log "serving the API on http://127.0.0.1:$API_PORT"
PIDS+=("$(start_watch "$API_PORT" "$envfile")")
log "starting the background worker (admin worker; logs in .local/worker.log)"
PIDS+=("$(start_worker "$envfile")")
cat <<MSG

  API:     http://127.0.0.1:$API_PORT
  Console: http://127.0.0.1:$API_PORT/console/
  Admin:   $DEV_ADMIN_EMAIL / $DEV_ADMIN_PASSWORD
  Token:   $TOKEN

  Try:    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$API_PORT/v1/users/me

  CORS:   any origin is allowed locally (cargo lambda watch); deployed stacks allow
          only the CorsAllowOrigins template parameter (none by default)
  Worker: admin worker finishes large grants and group changes (.local/worker.log)
  Logs:   .local/watch-$API_PORT.log   Stop: Ctrl-C
MSG
while kill -0 "${PIDS[1]}" 2>/dev/null && kill -0 "${PIDS[0]}" 2>/dev/null && kill -0 "${PIDS[2]}" 2>/dev/null; do sleep 1; done
die "a service stopped; see .local/*.log"
