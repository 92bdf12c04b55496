"""Turns the harness's JSON into docs/benchmarks.md and PNG plots. Every figure comes
from the results file of one `make bench` run."""
import json
import platform
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results = json.loads(Path(sys.argv[1]).read_text())
docs = Path(sys.argv[2])
MIB = 1024 * 1024
# On-demand list prices (us-east-1), as used for the cost table.
LAMBDA_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
LAMBDA_REQUEST = 0.20 / 1e6
READ_UNIT = 0.125 / 1e6
WRITE_UNIT = 0.625 / 1e6


def fmt(x, digits=2):
    return "n/a" if x is None or x != x else f"{x:.{digits}f}"


def statuses(run):
    """`200×1000`-style counts of the statuses a run answered."""
    return ", ".join(f"{k}×{v}" for k, v in run["statuses"].items())


cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
lines = [
    "# Benchmarks",
    "",
    f"Measured by `make bench` on {platform.machine()} ({cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores), "
    "against DynamoDB Local (in memory) and a local Lambda Runtime API in the harness (`bench/src/runtime_api.rs`). "
    "Every figure below comes from one run; reproduce with `make bench` "
    "(`COLD_RUNS`, `WARM_RUNS`, `SCALE` override the counts). DynamoDB Local is not DynamoDB: "
    "absolute latencies here are local-loopback figures, useful for comparing the functions with each other, "
    "with the raw SDK calls and with the peers in the same run.",
    "",
    "## Binary size",
    "",
    "Stripped release `bootstrap` from `cargo lambda build --release` (target 6 MiB).",
    "",
    "| function | MiB |",
    "|---|---|",
]
sizes = results["sizes"]
for f, b in sorted(sizes.items(), key=lambda kv: -kv[1]):
    lines.append(f"| {f} | {fmt(b / MIB)} |")

cold = results["cold"]
floor = cold["hello-world (floor)"]["ms"]["p50"]
floor_init = cold["hello-world (floor)"]["init_ms"]["p50"]
peer = cold["python boto3 (peer)"]["ms"]["p50"]
lines += [
    "",
    "## Cold start",
    "",
    f"Time from exec of the process to its first response, median of {results['cold_runs']} starts each. "
    "The floor is a hello-world `lambda_runtime` binary built with the same profile; the peer is a Python "
    "handler doing the caller-profile `GetItem` with boto3 under `awslambdaric`. Each function answers its "
    "`events/` sample (writing samples repeat, so later starts may answer 404/409: the status column is the last one). "
    "Init is the part from exec to the process's first request for an event (the event is already waiting), "
    "that is, before any DynamoDB call; the rest is the first request, its DynamoDB round trips on a new connection "
    "included. Raw first calls: after each start the harness issues the function's DynamoDB calls on a new "
    "client (a new connection), for the functions that have a raw sequence; floor + raw is the least any "
    "function making those calls could take.",
    "",
    "| function | p50 ms | p90 ms | × floor | peer ÷ this | init p50 ms | init × floor init "
    "| raw first calls p50 ms | × (floor + raw) | status |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
for f, c in cold.items():
    p50 = c["ms"]["p50"]
    init = c["init_ms"]["p50"]
    first = (c.get("raw_first_ms") or {}).get("p50")
    vs_raw = fmt(p50 / (floor + first)) if first else "–"
    lines.append(
        f"| {f} | {fmt(p50)} | {fmt(c['ms']['p90'])} | {fmt(p50 / floor)} | {fmt(peer / p50)} "
        f"| {fmt(init)} | {fmt(init / floor_init)} | {fmt(first) if first else '–'} | {vs_raw} | {c['status']} |"
    )

warm = results["warm"]
raw = results["raw"]
lines += [
    "",
    "## Warm latency, memory and CPU",
    "",
    f"{results['warm_runs']} warm invocations of one process per function (after one discarded), timed from "
    "handing out the event to receiving the response. Raw: the same DynamoDB calls issued directly with the SDK "
    "from the harness (same client configuration), one sequence after each invocation of the function, so both "
    "meet DynamoDB Local in the same state. Peak RSS is `VmHWM` after the run; CPU is user+system time per request.",
    "",
    "| function | p50 ms | p99 ms | raw p50 ms | overhead | peak RSS MiB | CPU ms/req | read units | write units | statuses |",
    "|---|---|---|---|---|---|---|---|---|---|",
]


def logs_requests(w):
    """Whether the process wrote request log lines (the peer writes none)."""
    return not ("db_calls_per_request" in w and w["db_calls_per_request"] is None)


for f, w in warm.items():
    if not w:
        continue
    r = raw.get(f, {}).get("p50")
    over = fmt(w["ms"]["p50"] / r) + "×" if r else "–"
    units = (fmt(w["read_units"], 1), fmt(w["write_units"], 1)) if logs_requests(w) else ("–", "–")
    lines.append(
        f"| {f} | {fmt(w['ms']['p50'])} | {fmt(w['ms']['p99'])} | {fmt(r) if r else '–'} | {over} | "
        f"{fmt(w['peak_rss_kib'] / 1024, 1)} | {fmt(w['cpu_ms_per_request'], 3)} | {units[0]} | {units[1]} | "
        + statuses(w)
        + " |"
    )

# Round trips: what each function's request log line counts in the store's single send
# path (`db_calls`), on the first request of a cold start and on average warm.
PEER_COLD = "lambda_http GetItem (peer)"
trips = sorted(
    {f for f, c in cold.items() if "(" not in f and "round_trips" in c}
    | {f for f, w in warm.items() if w and f != "peer" and w.get("db_calls_per_request") is not None}
)
if trips:
    lines += [
        "",
        "## DynamoDB round trips per request",
        "",
        "DynamoDB requests each function sent per request, as its own request log line counts them (`db_calls`: "
        "every call of the store goes through its single send path, which counts it; a batch or a transaction is "
        "one request). Cold: the first request of a cold start (of the last start, like the cold table's status; "
        "the range covers every start where they differ). Warm: the mean over the warm run. The `lambda_http` "
        "peer makes one by construction.",
        "",
        "| function | cold start | warm mean |",
        "|---|---|---|",
    ]
    for f in trips:
        c = cold.get(f, {})
        rt = c.get("round_trips")
        rng = c.get("round_trips_range")
        cold_cell = "–" if rt is None else str(rt)
        if rng and rng[0] != rng[1]:
            cold_cell += f" ({rng[0]}–{rng[1]})"
        mean = (warm.get(f) or {}).get("db_calls_per_request")
        lines.append(f"| {f} | {cold_cell} | {fmt(mean) if mean is not None else '–'} |")

# Against the lambda_http peer (one GetItem, SDK defaults): the peer runs alongside each
# compared function (one peer invocation after each of the function's, one peer cold
# start after each of its cold starts); its standalone runs stand in where absent.
VS_PEER = ["get-me", "get-user", "get-workspace", "studio-storage-used"]
WARM_VS_PEER, COLD_VS_PEER = 1.2, 1.05


def peer_warm_p50(f):
    alongside = ((warm.get(f) or {}).get("peer_ms") or {}).get("p50")
    return alongside if alongside is not None else ((warm.get("peer") or {}).get("ms") or {}).get("p50")


def peer_cold_p50(f):
    alongside = ((cold.get(f) or {}).get("peer_ms") or {}).get("p50")
    return alongside if alongside is not None else ((cold.get(PEER_COLD) or {}).get("ms") or {}).get("p50")


def ratio(a, b):
    return a / b if a is not None and b else None


peer_rows = []
for f in VS_PEER:
    w = (warm.get(f) or {}).get("ms", {}).get("p50")
    c = (cold.get(f) or {}).get("ms", {}).get("p50")
    if w is None and c is None:
        continue
    pw, pc = peer_warm_p50(f), peer_cold_p50(f)
    peer_rows.append((f, w, pw, ratio(w, pw), c, pc, ratio(c, pc)))


def met(r, target):
    return "–" if r is None else ("met" if r <= target else "**not met**")


if peer_rows:
    standalone_warm = ((warm.get("peer") or {}).get("ms") or {}).get("p50")
    standalone_cold = ((cold.get(PEER_COLD) or {}).get("ms") or {}).get("p50")
    lines += [
        "",
        "## Against the lambda_http peer",
        "",
        "The peer (`bench/src/bin/peer.rs`) is a plain `lambda_http` function doing one consistent `GetItem` "
        "(the sample admin's profile) with the SDK's defaults, built with the same profile. It runs alongside "
        "each function below, in the same conditions: one peer invocation after each of the function's warm "
        "invocations, one peer cold start after each of its cold starts; those are the peer figures here. "
        f"On its own in the same run: warm p50 {fmt(standalone_warm)} ms (`peer` in the warm table), cold "
        f"p50 {fmt(standalone_cold)} ms (`{PEER_COLD}` in the cold table). "
        f"Targets: warm p50 ≤ {WARM_VS_PEER}× the peer's, cold median ≤ {COLD_VS_PEER}× the peer's.",
        "",
        "| function | warm p50 ms | peer warm p50 ms | × peer | ≤ 1.2× | cold p50 ms | peer cold p50 ms | × peer | ≤ 1.05× |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f, w, pw, rw, c, pc, rc in peer_rows:
        lines.append(
            f"| {f} | {fmt(w)} | {fmt(pw)} | {fmt(rw) + '×' if rw is not None else '–'} | {met(rw, WARM_VS_PEER)} "
            f"| {fmt(c)} | {fmt(pc)} | {fmt(rc) + '×' if rc is not None else '–'} | {met(rc, COLD_VS_PEER)} |"
        )

lines += [
    "",
    "## Scale",
    "",
    "The same functions after bulk-loading users (200 warm requests each): latency and DynamoDB capacity "
    "per request, as the functions' own log lines report it (`MEASURE_CAPACITY=true`). "
    "List: `GET /v1/users?limit=50` as admin; search: `q=other000&limit=20` (the bulk users are `other00000`, "
    "`other00001`, ..., so the first page of matches is the same 20 users at every size).",
    "",
    "| users | function | p50 ms | p99 ms | read units | write units | statuses |",
    "|---|---|---|---|---|---|---|",
]
for row in results["scale"]:
    for f, w in row["results"].items():
        lines.append(
            f"| {row['users']} | {f} | {fmt(w['ms']['p50'])} | {fmt(w['ms']['p99'])} | {fmt(w['read_units'], 1)} | {fmt(w['write_units'], 1)} | "
            + statuses(w)
            + " |"
        )

lines += [
    "",
    "## Cost per million requests",
    "",
    "Lambda: at each function's `MemorySize` in `template.yaml`, billed per 1 ms. Lambda gives CPU in proportion "
    "to memory (one vCPU at 1,769 MB), so the duration is estimated from the warm run as its waiting time (p50 "
    "minus CPU per request) plus its CPU time scaled by 1,769 MB ÷ memory: at 128 MB a request's CPU takes about "
    "14× as long as on this machine's core. DynamoDB: the capacity per request above. Prices "
    f"(on-demand list prices, us-east-1): Lambda ${LAMBDA_GB_SECOND['arm64']}/GB-s arm64, "
    f"${LAMBDA_GB_SECOND['x86_64']}/GB-s x86_64, $0.20 per million requests; DynamoDB $0.125 per million read "
    "request units, $0.625 per million write request units. Local durations stand in for Lambda's, so "
    "treat the compute column as an estimate; the DynamoDB column follows directly from measured units.",
    "",
    "| function | memory MB | est. Lambda ms | Lambda arm64 $ | Lambda x86_64 $ | DynamoDB $ | total (arm64) $ |",
    "|---|---|---|---|---|---|---|",
]
import math
import re


def memory_sizes():
    """MemorySize per binary from template.yaml (the Globals value unless a function sets its own)."""
    text = (Path(__file__).resolve().parent.parent / "template.yaml").read_text()
    default = int(re.search(r"^Globals:.*?^\s+MemorySize: (\d+)", text, re.S | re.M).group(1))
    sizes = {}
    for block in re.split(r"\n  \w+:\n    Type: ", text):
        binary = re.search(r"Binary: ([\w-]+)", block)
        if binary:
            own = re.search(r"^      MemorySize: (\d+)", block, re.M)
            sizes[binary.group(1)] = int(own.group(1)) if own else default
    return sizes


MEMORY = memory_sizes()
FULL_CPU_MB = 1769
for f, w in warm.items():
    if not w or f == "peer":
        continue
    mb = MEMORY.get(f, 128)
    cpu = w["cpu_ms_per_request"]
    est = max(w["ms"]["p50"] - cpu, 0) + cpu * max(FULL_CPU_MB / mb, 1)
    gb_s = math.ceil(est) / 1000 * mb / 1024
    arm = 1e6 * (gb_s * LAMBDA_GB_SECOND["arm64"] + LAMBDA_REQUEST)
    x86 = 1e6 * (gb_s * LAMBDA_GB_SECOND["x86_64"] + LAMBDA_REQUEST)
    ddb = 1e6 * (w["read_units"] * READ_UNIT + w["write_units"] * WRITE_UNIT)
    lines.append(f"| {f} | {mb} | {fmt(est, 1)} | {fmt(arm)} | {fmt(x86)} | {fmt(ddb)} | {fmt(arm + ddb)} |")

# Plots.
fig, ax = plt.subplots(figsize=(9, 7))
names = list(cold.keys())
ax.barh(names, [cold[n]["ms"]["p50"] for n in names], color=["#888" if "(" in n else "#3a7" for n in names])
ax.set_xlabel("cold start p50 (ms)")
ax.set_xscale("log")
fig.tight_layout()
fig.savefig(docs / "bench-cold-start.png", dpi=90)
fig, ax = plt.subplots(figsize=(9, 5))
names = [n for n in warm if warm[n]]
ax.bar(names, [warm[n]["ms"]["p50"] for n in names], label="function p50")
ax.bar(names, [raw.get(n, {}).get("p50", 0) for n in names], label="raw SDK p50", alpha=0.7)
ax.set_ylabel("ms")
ax.tick_params(axis="x", rotation=60)
ax.legend()
fig.tight_layout()
fig.savefig(docs / "bench-warm.png", dpi=90)
lines += ["", "![cold starts](bench-cold-start.png)", "", "![warm latency](bench-warm.png)", ""]


# Targets, judged from this run's figures alone.
def verdict(ok):
    return "**met**" if ok else "**not met**"


def names(items):
    return ", ".join(f"`{n}` ({v})" for n, v in items) or "none"


functions = [f for f in cold if "(" not in f]
biggest = max(sizes.items(), key=lambda kv: kv[1])
over_floor = [(f, fmt(cold[f]["ms"]["p50"] / floor) + "×") for f in functions if cold[f]["ms"]["p50"] > 1.5 * floor]
init_over = [
    (f, fmt(cold[f]["init_ms"]["p50"] / floor_init) + "×")
    for f in functions
    if cold[f]["init_ms"]["p50"] > 1.5 * floor_init
]
vs_raw = [
    (f, fmt(cold[f]["ms"]["p50"] / (floor + cold[f]["raw_first_ms"]["p50"])) + "×")
    for f in functions
    if cold[f].get("raw_first_ms")
]
slow_vs_peer = [(f, fmt(peer / cold[f]["ms"]["p50"]) + "×") for f in functions if peer / cold[f]["ms"]["p50"] < 5]
overheads = [(f, w["ms"]["p50"] / raw[f]["p50"]) for f, w in warm.items() if w and raw.get(f)]
over_raw = [(f, fmt(o) + "×") for f, o in overheads if o > 1.25]
own = {f: w for f, w in warm.items() if w and f != "peer"}
rss = [(f, fmt(w["peak_rss_kib"] / 1024, 1) + " MiB") for f, w in own.items()]
over_rss = [(f, v) for (f, v), w in zip(rss, own.values()) if w["peak_rss_kib"] > 32 * 1024]
warm_vs_peer = [(f, rw) for f, _, _, rw, *_ in peer_rows if rw is not None]
cold_vs_peer = [(f, rc) for f, *_, rc in peer_rows if rc is not None]
scale_rows = results["scale"]
flat = []
if len(scale_rows) >= 2:
    first, last = scale_rows[0], scale_rows[-1]
    for f in ("get-user", "list-users", "search-users"):
        a = first["results"].get(f, {}).get("read_units")
        b = last["results"].get(f, {}).get("read_units")
        if a is not None and b is not None:
            flat.append((f, a, b))
lines += [
    "## Targets in this run",
    "",
    f"- Every `bootstrap` ≤ 6 MiB: {verdict(biggest[1] <= 6 * MIB)}; the largest is `{biggest[0]}` "
    f"at {fmt(biggest[1] / MIB)} MiB.",
    f"- Cold start ≤ 1.5× the floor: {verdict(not over_floor)}. Over it: {names(over_floor)}. "
    f"Init alone (exec to the first request for an event) over 1.5× the floor's init: {names(init_over)}. "
    f"Cold start against the floor plus the same DynamoDB calls on a new connection: {names(vs_raw)}.",
    f"- Cold start ≥ 5× faster than the Python peer: {verdict(not slow_vs_peer)}. Under 5×: {names(slow_vs_peer)}.",
    f"- Warm p50 overhead ≤ 1.25× the raw calls: {verdict(not over_raw)}. "
    f"Per function: {names([(f, fmt(o) + '×') for f, o in overheads])}.",
    "- get, list page and search cost the same capacity at "
    + (f"{scale_rows[-1]['users']:,} users as at {scale_rows[0]['users']:,}: " if len(scale_rows) >= 2 else "both sizes: ")
    + f"{verdict(bool(flat) and all(a == b for _, a, b in flat))} ("
    + "; ".join(f"`{f}` {fmt(a, 1)} → {fmt(b, 1)} read units" for f, a, b in flat)
    + ").",
    f"- Peak RSS ≤ 32 MiB per function: {verdict(not over_rss)}. Highest: "
    + names(sorted(rss, key=lambda kv: -float(kv[1].split()[0]))[:3])
    + ".",
    f"- Warm p50 ≤ {WARM_VS_PEER}× the `lambda_http` peer's: "
    f"{verdict(bool(warm_vs_peer) and all(r <= WARM_VS_PEER for _, r in warm_vs_peer))}. "
    f"Per function: {names([(f, fmt(r) + '×') for f, r in warm_vs_peer])}.",
    f"- Cold median ≤ {COLD_VS_PEER}× the `lambda_http` peer's: "
    f"{verdict(bool(cold_vs_peer) and all(r <= COLD_VS_PEER for _, r in cold_vs_peer))}. "
    f"Per function: {names([(f, fmt(r) + '×') for f, r in cold_vs_peer])}.",
    "",
]
notes = Path(__file__).resolve().parent.parent / "bench" / "NOTES.md"
if notes.exists():
    lines += [notes.read_text().rstrip(), ""]
(docs / "benchmarks.md").write_text("\n".join(lines) + "\n")
print("wrote", docs / "benchmarks.md")
