//! `make bench`: every figure of docs/benchmarks.md, measured in one run against
//! DynamoDB Local and a local Lambda Runtime API ([`runtime_api`]).
//!
//! Environment: `DYNAMODB_ENDPOINT`, `LAMBDA_DIR` (the `cargo lambda build --release`
//! output), `HELLO_BIN`, `PEER_BIN` (the `lambda_http` peer, `src/bin/peer.rs`; by
//! default `$LAMBDA_DIR/peer/bootstrap`), `PYTHON` and `PY_HANDLER_DIR` (the boto3
//! peer), `COLD_RUNS`, `WARM_RUNS`, `SCALE` (comma-separated user counts). For a quick
//! look at a few figures, `ONLY` (comma-separated functions) and `PHASES` (any of
//! `cold`, `warm`, `scale`) narrow the run, and `FUNCTION_ENV` (`K=V,K=V`) adds
//! variables to every function process. Writes JSON to the first argument.

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

/// A process to start: its command line and its environment.
#[derive(Clone, Copy)]
struct Program<'a> {
    cmd: &'a [String],
    env: &'a [(String, String)],
}

impl<'a> Program<'a> {
    fn new(cmd: &'a [String], env: &'a [(String, String)]) -> Program<'a> {
        Program { cmd, env }
    }
}

/// The functions whose warm p50 and cold median are set against the `lambda_http`
/// peer's (issue 18); the peer runs alongside each of them.
const VS_PEER: [&str; 4] = ["get-me", "get-user", "get-workspace", "studio-storage-used"];

/// What the request log lines of a process add up to.
#[derive(Default)]
struct Logged {
    /// Request lines seen.
    requests: usize,
    read_units: f64,
    write_units: f64,
    /// DynamoDB requests sent through the store's send path (`db_calls`, absent when 0).
    db_calls: u64,
}

impl Logged {
    fn of<'a>(lines: impl IntoIterator<Item = &'a Value>) -> Logged {
        lines.into_iter().fold(Logged::default(), |mut acc, v| {
            acc.requests += 1;
            acc.read_units += v["read_units"].as_f64().unwrap_or(0.0);
            acc.write_units += v["write_units"].as_f64().unwrap_or(0.0);
            acc.db_calls += v["db_calls"].as_u64().unwrap_or(0);
            acc
        })
    }
}

/// A function process talking to our Runtime API, its log lines collected.
struct Proc {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
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
        let reader = child.stdout.take().map(|out| {
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Ok(mut l) = sink.lock() {
                        l.push(line);
                    }
                }
            })
        });
        Ok(Proc {
            child,
            lines,
            reader,
        })
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

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the process and returns its request log lines (`"message": "request"`),
    /// one per request in order: every line it wrote is read to the end of its output
    /// first, so the line of a request answered just before is never missed.
    fn finish(mut self) -> Vec<Value> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let lines = self.lines.lock().map(|l| l.clone()).unwrap_or_default();
        lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["message"] == "request")
            .collect()
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

/// One cold start of `program` answering `event`: exec to response and exec to its
/// first request for an event (ms), the answer's body, and the process's request log
/// lines when `capture`. `None` when it could not be started or gave no answer.
async fn start_once(
    program: Program<'_>,
    event: &[u8],
    capture: bool,
) -> Option<(f64, f64, Vec<u8>, Vec<Value>)> {
    // A Runtime API per process: a killed process's pending `next` must not take
    // the event meant for its successor.
    let api = RuntimeApi::start().await.ok()?;
    let started = std::time::Instant::now();
    let p = Proc::spawn(program.cmd, &api, program.env, capture).ok()?;
    let answer = invoke(&api, event.to_vec()).await;
    let lines = if capture {
        p.finish()
    } else {
        p.stop();
        Vec::new()
    };
    let a = answer?;
    Some((
        a.received.duration_since(started).as_secs_f64() * 1000.0,
        // The event waits in the queue, so it is handed out the moment the process
        // first asks for one: exec to that moment is its init.
        a.sent.duration_since(started).as_secs_f64() * 1000.0,
        a.body,
        lines,
    ))
}

/// Time from exec to the first response, `runs` times.
/// With `raw` (the table's config and the name of one of the service's functions),
/// the function's log line of each start gives its round trips (`db_calls`), and each
/// start is followed by the function's raw call sequence on a new client: what its
/// first DynamoDB round trips cost any caller on a fresh connection. With `peer`, each
/// start is also followed by a cold start of the peer (answering the same event), so
/// both meet DynamoDB Local and the machine in the same state.
async fn cold(
    program: Program<'_>,
    event: &[u8],
    runs: usize,
    raw: Option<(&Config, &str)>,
    peer: Option<Program<'_>>,
) -> Value {
    let capture = raw.is_some();
    let mut times = Vec::new();
    let mut init_times = Vec::new();
    let mut raw_times = Vec::new();
    let mut peer_times = Vec::new();
    let mut round_trips = Vec::new();
    let mut status = Value::Null;
    for _ in 0..runs {
        let Some((ms, init, body, lines)) = start_once(program, event, capture).await else {
            break;
        };
        times.push(ms);
        init_times.push(init);
        status = status_of(&body);
        if capture {
            // The start's one request; null when it wrote no request line.
            round_trips.push((!lines.is_empty()).then(|| Logged::of(&lines).db_calls));
        }
        if let Some((config, function)) = raw {
            let fresh = Ctx::new(config.clone()).await;
            let started = std::time::Instant::now();
            if raw::calls_for(&fresh, function).await {
                raw_times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        if let Some(peer) = peer {
            if let Some((ms, ..)) = start_once(peer, event, false).await {
                peer_times.push(ms);
            }
        }
    }
    let counted: Vec<u64> = round_trips.iter().flatten().copied().collect();
    json!({
        "ms": stats(times),
        "init_ms": stats(init_times),
        "raw_first_ms": (!raw_times.is_empty()).then(|| stats(raw_times)),
        "peer_ms": (!peer_times.is_empty()).then(|| stats(peer_times)),
        "status": status,
        // Of the last start, like the status (writing samples may answer differently
        // once their first start has written); the range covers every start.
        "round_trips": round_trips.last().copied().flatten(),
        "round_trips_range": (!counted.is_empty()).then(|| {
            json!([counted.iter().min(), counted.iter().max()])
        }),
    })
}

/// Warm latency, memory, CPU, capacity and round trips over `runs` invocations of one
/// process. With `peer` (its program and event), a warm process of the peer answers
/// one event after each invocation (and its raw calls), so both meet DynamoDB Local in
/// the same state.
async fn warm(
    program: Program<'_>,
    function: &str,
    template: &Value,
    runs: usize,
    raw_ctx: Option<&Ctx>,
    peer: Option<(Program<'_>, &[u8])>,
) -> Value {
    let Ok(api) = RuntimeApi::start().await else {
        return Value::Null;
    };
    let api = &api;
    let Ok(p) = Proc::spawn(program.cmd, api, program.env, true) else {
        return Value::Null;
    };
    let mut peer_proc = None;
    if let Some((peer, event)) = peer {
        if let Ok(peer_api) = RuntimeApi::start().await {
            if let Ok(pp) = Proc::spawn(peer.cmd, &peer_api, peer.env, false) {
                let _ = invoke(&peer_api, event.to_vec()).await;
                peer_proc = Some((peer_api, pp, event));
            }
        }
    }
    let _ = invoke(api, event_for(function, template)).await;
    let (_, cpu_before) = p.usage();
    let mut times = Vec::new();
    let mut raw_times = Vec::new();
    let mut peer_times = Vec::new();
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
        if let Some((peer_api, _, event)) = &peer_proc {
            if let Some(a) = invoke(peer_api, event.to_vec()).await {
                peer_times.push(a.received.duration_since(a.sent).as_secs_f64() * 1000.0);
            }
        }
    }
    let (hwm, cpu_after) = p.usage();
    if let Some((_, pp, _)) = peer_proc {
        pp.stop();
    }
    let lines = p.finish();
    // The first line is the discarded warm-up invocation.
    let logged = Logged::of(lines.iter().skip(1));
    let per = logged.requests.max(1) as f64;
    json!({
        "ms": stats(times),
        "raw_ms": (!raw_times.is_empty()).then(|| stats(raw_times)),
        "peer_ms": (!peer_times.is_empty()).then(|| stats(peer_times)),
        "statuses": statuses,
        "peak_rss_kib": hwm,
        "cpu_ms_per_request": (cpu_after - cpu_before) / runs as f64,
        "read_units": logged.read_units / per,
        "write_units": logged.write_units / per,
        // Mean DynamoDB requests per request; null for a process that logs none.
        "db_calls_per_request": (logged.requests > 0).then(|| logged.db_calls as f64 / per),
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
    // The peer is a bin of this crate, so `cargo lambda build` puts it beside the functions.
    let peer_default = lambda_dir.join("peer").join("bootstrap");
    let peer_bin = vec![env("PEER_BIN", &peer_default.to_string_lossy())];
    let mut peer_env = fenv.clone();
    peer_env.push(("USER_ID".into(), admin::samples::ADMIN_ID.into()));
    let peer = Program::new(&peer_bin, &peer_env);
    let get_me_event = load_event(&root, "get-me");
    let get_me = serde_json::to_vec(&get_me_event)?;

    eprintln!("cold starts");
    let mut cold_starts = serde_json::Map::new();
    let cold_phase = selected("PHASES", "cold");
    if cold_phase {
        cold_starts.insert(
            "hello-world (floor)".into(),
            cold(Program::new(&hello, &fenv), &get_me, cold_runs, None, None).await,
        );
        cold_starts.insert(
            "python boto3 (peer)".into(),
            cold(
                Program::new(&python, &py_env),
                &get_me,
                cold_runs,
                None,
                None,
            )
            .await,
        );
        cold_starts.insert(
            "lambda_http GetItem (peer)".into(),
            cold(peer, &get_me, cold_runs, None, None).await,
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
            cold(
                Program::new(&bin(f), &fenv),
                &ev,
                cold_runs,
                Some((&config, f)),
                VS_PEER.contains(&f.as_str()).then_some(peer),
            )
            .await,
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
    if selected("PHASES", "warm") {
        eprintln!("  peer");
        warm_results.insert(
            "peer".into(),
            warm(peer, "peer", &get_me_event, warm_runs, None, None).await,
        );
    }
    for f in warm_set
        .into_iter()
        .filter(|f| selected("PHASES", "warm") && selected("ONLY", f))
    {
        eprintln!("  {f}");
        let ev = load_event(&root, f);
        warm_results.insert(
            f.into(),
            warm(
                Program::new(&bin(f), &fenv),
                f,
                &ev,
                warm_runs,
                Some(&ctx),
                VS_PEER.contains(&f).then_some((peer, get_me.as_slice())),
            )
            .await,
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
            ("scim-get-user", None),
            ("scim-list-users", Some("count=50")),
            ("scim-search-users", None),
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
            let w = warm(Program::new(&bin(f), &fenv), f, &ev, 200, None, None).await;
            row.insert(f.into(), w);
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
