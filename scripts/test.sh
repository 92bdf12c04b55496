#!/usr/bin/env bash
# make test: everything CI runs. Starts its own DynamoDB Local on a free port.
source "$(dirname "$0")/lib.sh"
ensure_tools
ensure_console_tools
cd "$ROOT"

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

log "starting DynamoDB Local (in memory)"
DDB_PORT="$(free_port)"
PIDS+=("$(start_ddb "$DDB_PORT")")
export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
# The fault test starts and stops a DynamoDB Local of its own.
DYNAMODB_JAR="$(ddb_jar)"
export DYNAMODB_JAR

log "unit and integration tests (nextest)"
# The handlers run on the test thread; in Lambda they run on the main thread, whose
# stack is 8 MiB. Debug builds keep whole futures on the stack, so give the test
# threads the same 8 MiB rather than Rust's 2 MiB default for spawned threads.
RUST_MIN_STACK=8388608 cargo nextest run --workspace --no-fail-fast

log "cargo lambda invoke of every events/ sample against cargo lambda watch"
cargo build --workspace --bins
router_current || die "the cargo-lambda watch router in Cargo.toml differs from template.yaml: run make router"
export AWS_ENDPOINT_URL_DYNAMODB="$DYNAMODB_ENDPOINT"
export TABLE_NAME="samples-$(date +%s)"
target/debug/admin create-table
target/debug/admin seed-samples
API_PORT="$(free_port)"
envfile="$LOCAL/test.env"
printf 'TABLE_NAME=%s\nAWS_ENDPOINT_URL_DYNAMODB=%s\nAWS_ACCESS_KEY_ID=local\nAWS_SECRET_ACCESS_KEY=local\nAWS_REGION=us-east-1\nSTREAM_MAX_SECONDS=3\n' \
  "$TABLE_NAME" "$DYNAMODB_ENDPOINT" >"$envfile"
PIDS+=("$(start_watch "$API_PORT" "$envfile")")
passed=0; failed=0
while read -r fn expected; do
  [ -z "$fn" ] && continue
  out="$(cargo lambda invoke "$fn" --data-file "events/$fn.json" -A 127.0.0.1 -P "$API_PORT" 2>&1)" || true
  status="$(printf '%s' "$out" | python3 -c 'import json,sys
try: print(json.loads(sys.stdin.read()).get("statusCode"))
except Exception: print("unparsable")')"
  # A streaming function answers with its raw event stream, not a JSON envelope.
  if [ "$expected" = stream ] && printf '%s' "$out" | grep -q '^retry: 1000'; then status=stream; fi
  if [ "$status" = "$expected" ]; then
    passed=$((passed+1)); echo "  ok   $fn -> $status"
  else
    failed=$((failed+1)); echo "  FAIL $fn -> $status (expected $expected): $out"
  fi
done < events/ORDER
echo "invoke: $passed passed, $failed failed"
[ "$failed" = 0 ] || die "cargo lambda invoke failures"

log "the real cargo lambda watch router against API Gateway's route selection"
# Without a token every function answers 401 (or 422 for a body it needs), never
# 404/405; the fallback answers 404 or 405 in the error envelope. So a probe API
# Gateway sends to a function must not answer 404/405, and one it sends to $default
# must answer 404/405 with the envelope (cargo-lambda's own 404 has none).
bad=0
while read -r method path function; do
  [ "$method" = HEAD ] && continue # no body to tell the fallback's answer by
  out="$(curl -s -X "$method" -w '\n%{http_code}' "http://127.0.0.1:$API_PORT$path")"
  code="${out##*$'\n'}"; body="${out%$'\n'*}"
  if [ "$function" = fallback ]; then
    # Under /scim/ the fallback answers in SCIM's error schema (RFC 7644 §3.12).
    case "$code:$body" in 404:*'"status_code"'*|405:*'"status_code"'*) ;;
      404:*'messages:2.0:Error'*|405:*'messages:2.0:Error'*) [[ "$path" == /scim/* ]] || {
        bad=$((bad+1)); echo "  FAIL $method $path -> $code (a SCIM error outside /scim/): $body"; } ;;
      *) bad=$((bad+1)); echo "  FAIL $method $path -> $code (expected the fallback): $body" ;; esac
  elif [ "$function" = console ]; then
    # The console is public: its page (200), or its own 404 for an asset it lacks.
    case "$code:$body" in 200:*|308:*|404:*'"resource_type":"asset"'*) ;;
      *) bad=$((bad+1)); echo "  FAIL $method $path -> $code (expected console): $body" ;; esac
  else
    case "$code" in 404|405) bad=$((bad+1)); echo "  FAIL $method $path -> $code (expected $function): $body" ;; esac
  fi
done < <(target/debug/admin route-probes)
echo "router: $bad mismatches"
[ "$bad" = 0 ] || die "the local router differs from API Gateway's route selection"
ROUTER_TOKEN="$(target/debug/admin create-admin router-check@example.com --token <<<router-check-password)"
code="$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $ROUTER_TOKEN" \
  -H 'Content-Type: application/json' -d '{"bio": "patched through /v1/users/me"}' \
  "http://127.0.0.1:$API_PORT/v1/users/me")"
[ "$code" = 200 ] || die "PATCH /v1/users/me answered $code locally (expected 200)"

log "schemathesis against docs/openapi.yaml on the same local API (bounded, fixed seed)"
ST_TOKEN="$(target/debug/admin create-admin schemathesis@example.com --token <<<schemathesis-password)"
# Without log-out: a valid call of it revokes the fuzzer's token, and every operation
# it reached after that answered only 401 (27 of them). Logout has its own tests.
schemathesis run docs/openapi.yaml --url "http://127.0.0.1:$API_PORT" \
  -H "Authorization: Bearer $ST_TOKEN" --exclude-operation-id auth-logout \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance \
  --phases examples,fuzzing --mode positive --max-examples 10 --seed 1 -w 2
log "schemathesis negative coverage: every malformed or out-of-range input is refused with a 4xx"
schemathesis run docs/openapi.yaml --url "http://127.0.0.1:$API_PORT" \
  -H "Authorization: Bearer $ST_TOKEN" \
  --checks negative_data_rejection \
  --phases coverage --mode negative --max-examples 5 --seed 1 -w 2
log "schemathesis on /scim/v2 with a provisioning token (the login token above is 401 there)"
ST_SCIM_TOKEN="$(target/debug/admin provisioning-token schemathesis)"
schemathesis run docs/openapi.yaml --url "http://127.0.0.1:$API_PORT" \
  -H "Authorization: Bearer $ST_SCIM_TOKEN" --include-path-regex '^/scim/v2' \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance \
  --phases examples,fuzzing --mode positive --max-examples 10 --seed 1 -w 2
schemathesis run docs/openapi.yaml --url "http://127.0.0.1:$API_PORT" \
  -H "Authorization: Bearer $ST_SCIM_TOKEN" --include-path-regex '^/scim/v2' \
  --checks negative_data_rejection \
  --phases coverage --mode negative --max-examples 5 --seed 1 -w 2

log "the admin console in headless Chromium (Playwright, axe-core) on the same local API"
CONSOLE_PASSWORD=console-admin-password
CONSOLE_API="http://127.0.0.1:$API_PORT" \
ADMIN_LOGIN=console-admin@example.com ADMIN_PASSWORD="$CONSOLE_PASSWORD" \
ADMIN_TOKEN="$(target/debug/admin create-admin console-admin@example.com --token <<<"$CONSOLE_PASSWORD")" \
AXE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js" CHROMIUM="$(chromium_bin)" SHOTS="$ROOT/docs/console" \
  "$VENV/bin/python" tests/console/console_test.py

log "sam validate --lint and cfn-lint"
sam validate --lint --template template.yaml --region us-east-1
cfn-lint template.yaml
log "all checks passed"
