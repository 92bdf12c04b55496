//! `make bench`: every figure of docs/benchmarks.md, measured in one run against
//! DynamoDB Local and a local Lambda Runtime API ([`runtime_api`]).
//!
//! Environment: `DYNAMODB_ENDPOINT`, `LAMBDA_DIR` (the `cargo lambda build --release`
//! output), `HELLO_BIN`, `PYTHON` and `PY_HANDLER_DIR` (the boto3 peer), `COLD_RUNS`,
//! `WARM_RUNS`, `SCALE` (comma-separated user counts). For a quick look at a few
//! figures, `ONLY` (comma-separated functions) and `PHASES` (any of `cold`, `warm`,
//! `scale`) narrow the run, and `FUNCTION_ENV` (`K=V,K=V`) adds variables to every
//! function process. Writes JSON to the first argument.

mod raw;
mod runtime_api;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runtime_api::RuntimeApi;
use serde_json::{json, Value};
use shared::config::Config;
use shared::Ctx;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Whether `item` is in the comma-separated list `name` (every item when it is unset).
fn selected(name: &str, item: &str) -> bool {
    match std::env::var(name) {
        Ok(list) if !list.trim().is_empty() => list.split(',').any(|s| s.trim() == item),
        _ => true,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn stats(mut v: Vec<f64>) -> Value {
    v.sort_by(|a, b| a.total_cmp(b));
    json!({ "n": v.len(), "p50": percentile(&v, 0.5), "p90": percentile(&v, 0.9), "p99": percentile(&v, 0.99) })
}

/// A function process talking to our Runtime API, its log lines collected.
struct Proc {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    fn spawn(
        program: &[String],
        api: &RuntimeApi,
        extra: &[(String, String)],
        capture: bool,
    ) -> std::io::Result<Proc> {
        let mut cmd = Command::new(&program[0]);
        cmd.args(&program[1..])
            .env("AWS_LAMBDA_RUNTIME_API", &api.addr)
            .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .stdout(if capture {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Ok(mut l) = sink.lock() {
                        l.push(line);
                    }
                }
            });
        }
        Ok(Proc { child, lines })
    }

    /// Peak resident set (KiB) and CPU time (ms) so far.
    fn usage(&self) -> (u64, f64) {
        let pid = self.child.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let hwm = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks: f64 = fields
            .get(11)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            + fields
                .get(12)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
        (hwm, ticks * 10.0)
    }

    /// Capacity units the function logged per request (measured store only).
    fn capacity(&self) -> Vec<(f64, f64)> {
        let lines = self.lines.lock().map(|l| l.clone()).unwrap_or_default();
        lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["message"] == "request")
            .map(|v| {
                (
                    v["read_units"].as_f64().unwrap_or(0.0),
                    v["write_units"].as_f64().unwrap_or(0.0),
                )
            })
            .collect()
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes each invocation of a writing endpoint distinct (new user, new file): the
/// tag counts across the whole run, so the scale phase never repeats a warm-run name.
fn event_for(function: &str, template: &Value) -> Vec<u8> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let i = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut ev = template.clone();
    let tag = format!("{}-{i}", std::process::id());
    match function {
        "create-user" => {
            ev["body"] = json!(json!({"email": format!("bench-{tag}@example.com"), "username": format!("bench-{tag}"), "password": "a-long-password"}).to_string());
        }
        "record-file" => {
            ev["body"] = json!(json!({"checksum": format!("bench{tag}"), "size": 1}).to_string());
        }
        _ => {}
    }
    serde_json::to_vec(&ev).unwrap_or_default()
}

fn load_event(root: &Path, function: &str) -> Value {
    let text =
        std::fs::read_to_string(root.join(format!("events/{function}.json"))).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn status_of(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body)
        .ok()
        .map(|v| v["statusCode"].clone())
        .unwrap_or(Value::Null)
}

async fn invoke(api: &RuntimeApi, event: Vec<u8>) -> Option<runtime_api::Answer> {
    tokio::time::timeout(Duration::from_secs(30), api.invoke(event))
        .await
        .ok()
        .flatten()
}

/// Time from exec to the first response, `runs` times.
/// With `raw` (the table's config and the function's name), each start is followed by
/// the function's raw call sequence on a new client: what its first DynamoDB round
/// trips cost any caller on a fresh connection.
async fn cold(
    program: &[String],
    env: &[(String, String)],
    event: &[u8],
    runs: usize,
    raw: Option<(&Config, &str)>,
) -> Value {
    let mut times = Vec::new();
    let mut init_times = Vec::new();
    let mut raw_times = Vec::new();
    let mut status = Value::Null;
    for _ in 0..runs {
        // A Runtime API per process: a killed process's pending `next` must not take
        // the event meant for its successor.
        let Ok(api) = RuntimeApi::start().await else {
            break;
        };
        let started = std::time::Instant::now();
        let Ok(p) = Proc::spawn(program, &api, env, false) else {
            break;
        };
        if let Some(a) = invoke(&api, event.to_vec()).await {
            times.push(a.received.duration_since(started).as_secs_f64() * 1000.0);
            // The event waits in the queue, so it is handed out the moment the process
            // first asks for one: exec to that moment is its init.
            init_times.push(a.sent.duration_since(started).as_secs_f64() * 1000.0);
            status = status_of(&a.body);
        }
        p.stop();
        if let Some((config, function)) = raw {
            let fresh = Ctx::new(config.clone()).await;
            let started = std::time::Instant::now();
            if raw::calls_for(&fresh, function).await {
                raw_times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    json!({
        "ms": stats(times),
        "init_ms": stats(init_times),
        "raw_first_ms": (!raw_times.is_empty()).then(|| stats(raw_times)),
        "status": status,
    })
}

/// Warm latency, memory, CPU and capacity over `runs` invocations of one process.
async fn warm(
    program: &[String],
    env: &[(String, String)],
    function: &str,
    template: &Value,
    runs: usize,
    raw_ctx: Option<&Ctx>,
) -> Value {
    let Ok(api) = RuntimeApi::start().await else {
        return Value::Null;
    };
    let api = &api;
    let Ok(p) = Proc::spawn(program, api, env, true) else {
        return Value::Null;
    };
    let _ = invoke(api, event_for(function, template)).await;
    let (_, cpu_before) = p.usage();
    let mut times = Vec::new();
    let mut raw_times = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 1..=runs {
        if let Some(a) = invoke(api, event_for(function, template)).await {
            times.push(a.received.duration_since(a.sent).as_secs_f64() * 1000.0);
            *statuses.entry(status_of(&a.body).to_string()).or_insert(0) += 1;
        }
        if let Some(ctx) = raw_ctx {
            let started = std::time::Instant::now();
            if raw::calls_for(ctx, function).await {
                raw_times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let (hwm, cpu_after) = p.usage();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let caps = p.capacity();
    // The first line is the discarded warm-up invocation.
    let (read, write) = caps
        .iter()
        .skip(1)
        .fold((0.0, 0.0), |(r, w), (a, b)| (r + a, w + b));
    let per = (caps.len().saturating_sub(1)).max(1) as f64;
    p.stop();
    json!({
        "ms": stats(times),
        "raw_ms": (!raw_times.is_empty()).then(|| stats(raw_times)),
        "statuses": statuses,
        "peak_rss_kib": hwm,
        "cpu_ms_per_request": (cpu_after - cpu_before) / runs as f64,
        "read_units": read / per,
        "write_units": write / per,
    })
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench-results.json".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let endpoint = env("DYNAMODB_ENDPOINT", "http://127.0.0.1:8000");
    let lambda_dir = PathBuf::from(env("LAMBDA_DIR", "target/lambda"));
    let cold_runs: usize = env("COLD_RUNS", "20").parse()?;
    let warm_runs: usize = env("WARM_RUNS", "1000").parse()?;
    let scale: Vec<usize> = env("SCALE", "1000,50000")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    std::env::set_var("AWS_ACCESS_KEY_ID", "local");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
    std::env::set_var("AWS_REGION", "us-east-1");

    let table = format!("bench-{}", std::process::id());
    let mut config = Config::for_table(&table, &endpoint);
    config.measure_capacity = true;
    let ctx = Ctx::new(config.clone()).await;
    admin::table::create_table(ctx.store.client(), &table, admin::routes::TEMPLATE).await?;
    admin::samples::seed(&ctx).await?;
    let fenv: Vec<(String, String)> = vec![
        ("TABLE_NAME".into(), table.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB".into(), endpoint.clone()),
        ("AWS_ACCESS_KEY_ID".into(), "local".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "local".into()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("STREAM_MAX_SECONDS".into(), "0".into()),
        ("MEASURE_CAPACITY".into(), "true".into()),
        ("LOGIN_MAX_FAILURES".into(), "1000000".into()),
        ("LOGIN_MAX_FAILURES_PER_IP".into(), "1000000".into()),
    ];
    let mut fenv = fenv;
    fenv.extend(
        env("FUNCTION_ENV", "")
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string())),
    );
    let functions: Vec<String> = std::fs::read_to_string(root.join("events/ORDER"))?
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    let bin = |f: &str| {
        vec![lambda_dir
            .join(f)
            .join("bootstrap")
            .to_string_lossy()
            .into_owned()]
    };

    eprintln!("sizes");
    let sizes: Value = functions
        .iter()
        .map(|f| {
            (
                f.clone(),
                json!(file_size(&lambda_dir.join(f).join("bootstrap"))),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    let hello = vec![env("HELLO_BIN", "target/release/hello")];
    let python = vec![
        env("PYTHON", "python3"),
        "-m".into(),
        "awslambdaric".into(),
        "handler.handler".into(),
    ];
    let mut py_env = fenv.clone();
    py_env.push(("PYTHONPATH".into(), env("PY_HANDLER_DIR", "bench/python")));
    py_env.push(("USER_ID".into(), admin::samples::ADMIN_ID.into()));
    let get_me = serde_json::to_vec(&load_event(&root, "get-me"))?;

    eprintln!("cold starts");
    let mut cold_starts = serde_json::Map::new();
    let cold_phase = selected("PHASES", "cold");
    if cold_phase {
        cold_starts.insert(
            "hello-world (floor)".into(),
            cold(&hello, &fenv, &get_me, cold_runs, None).await,
        );
        cold_starts.insert(
            "python boto3 (peer)".into(),
            cold(&python, &py_env, &get_me, cold_runs, None).await,
        );
    }
    for f in functions
        .iter()
        .filter(|f| cold_phase && selected("ONLY", f))
    {
        eprintln!("  {f}");
        let ev = serde_json::to_vec(&load_event(&root, f))?;
        cold_starts.insert(
            f.clone(),
            cold(&bin(f), &fenv, &ev, cold_runs, Some((&config, f))).await,
        );
    }

    // The cold starts ran the log-out sample, which revoked the sample token: store it
    // again so the warm runs are authenticated.
    if cold_phase && selected("ONLY", "auth-logout") {
        let admin_id = uuid::Uuid::parse_str(admin::samples::ADMIN_ID)?;
        let admin_user = ctx
            .store
            .get_user(admin_id)
            .await?
            .ok_or("sample admin missing")?;
        shared::auth::store_token(&ctx, &admin_user, admin::samples::ADMIN_TOKEN.into()).await?;
    }

    eprintln!("warm latency");
    let warm_set = [
        "get-me",
        "get-user",
        "get-workspace",
        "list-users",
        "search-users",
        "studio-storage-used",
        "studio-list-users",
        "list-activities",
        "count-activities",
        "get-storage",
        "patch-user",
        "create-user",
        "record-file",
        "auth-login",
    ];
    let mut warm_results = serde_json::Map::new();
    for f in warm_set
        .into_iter()
        .filter(|f| selected("PHASES", "warm") && selected("ONLY", f))
    {
        eprintln!("  {f}");
        let ev = load_event(&root, f);
        warm_results.insert(
            f.into(),
            warm(&bin(f), &fenv, f, &ev, warm_runs, Some(&ctx)).await,
        );
    }
    let raw_results: serde_json::Map<String, Value> = warm_results
        .iter()
        .filter(|(_, v)| !v["raw_ms"].is_null())
        .map(|(f, v)| (f.clone(), v["raw_ms"].clone()))
        .collect();

    eprintln!("scale");
    let mut scale_results = Vec::new();
    let mut have = 0usize;
    for n in scale.into_iter().filter(|_| selected("PHASES", "scale")) {
        raw::add_users(&ctx, have, n).await?;
        have = n;
        let mut row = serde_json::Map::new();
        for (f, query) in [
            ("get-user", None),
            ("list-users", Some("limit=50")),
            ("search-users", Some("q=other000&limit=20")),
            ("create-user", None),
        ]
        .into_iter()
        .filter(|(f, _)| selected("ONLY", f))
        {
            eprintln!("  {n} {f}");
            let mut ev = load_event(&root, f);
            if let Some(q) = query {
                ev["rawQueryString"] = json!(q);
                let map: serde_json::Map<String, Value> = q
                    .split('&')
                    .filter_map(|p| p.split_once('='))
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect();
                ev["queryStringParameters"] = Value::Object(map);
            }
            row.insert(f.into(), warm(&bin(f), &fenv, f, &ev, 200, None).await);
        }
        scale_results.push(json!({ "users": n, "results": row }));
    }

    let results = json!({
        "sizes": sizes,
        "cold": cold_starts,
        "warm": warm_results,
        "raw": raw_results,
        "scale": scale_results,
        "cold_runs": cold_runs,
        "warm_runs": warm_runs,
    });
    std::fs::write(&out_path, serde_json::to_vec_pretty(&results)?)?;
    eprintln!("wrote {out_path}");
    Ok(())
}
