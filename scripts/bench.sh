#!/usr/bin/env bash
# make bench: release-build every function, then measure sizes, cold starts, warm
# latency beside raw SDK calls, scale, memory, CPU and cost in one run, and write
# docs/benchmarks.md with its plots. Not part of make test.
source "$(dirname "$0")/lib.sh"
ensure_tools
cd "$ROOT"
ensure_pip "$ROOT/scripts/requirements-bench.txt"

# A target directory of its own, so release builds never wait on the debug one.
export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$LOCAL/bench-target}"
LAMBDA_DIR="$CARGO_TARGET_DIR/lambda"
log "cargo lambda build --release (every function, the hello-world floor, the harness)"
cargo lambda build --release

DDB_PORT="$(free_port)"
PIDS+=("$(start_ddb "$DDB_PORT")")

log "measuring (COLD_RUNS=${COLD_RUNS:-20} WARM_RUNS=${WARM_RUNS:-1000} SCALE=${SCALE:-1000,50000})"
DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT" \
LAMBDA_DIR="$LAMBDA_DIR" \
HELLO_BIN="$LAMBDA_DIR/hello/bootstrap" \
PYTHON="$VENV/bin/python" \
PY_HANDLER_DIR="$ROOT/bench/python" \
  "$LAMBDA_DIR/bench/bootstrap" "$LOCAL/bench-results.json"

if [[ -n "${ONLY:-}${PHASES:-}" ]]; then
  # A narrowed run lacks figures the report needs: keep docs/ as the last full run left it.
  log "narrowed run (ONLY/PHASES): results in .local/bench-results.json, docs/ left as they are"
  exit 0
fi
log "writing docs/benchmarks.md"
"$VENV/bin/python" "$ROOT/scripts/bench_report.py" "$LOCAL/bench-results.json" "$ROOT/docs"
