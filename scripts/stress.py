"""make stress: 32 clients for 60 s against the running `make dev` API, mixing creates,
updates, member changes, file records, deletes and logins. Prints a status histogram
and latency figures as JSON; bounded in time and in count, loopback only."""
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request

API = os.environ.get("API", "http://127.0.0.1:9000")
CLIENTS = int(os.environ.get("CLIENTS", "32"))
SECONDS = float(os.environ.get("STRESS_SECONDS", "60"))
MAX_REQUESTS = int(os.environ.get("MAX_REQUESTS", "200000"))
ADMIN = os.environ["ADMIN_TOKEN"]


def call(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except Exception:  # connection reset, timeout
        status, raw = 0, b""
    elapsed = (time.monotonic() - started) * 1000
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = None
    return status, payload, elapsed


lock = threading.Lock()
statuses, latencies, done = {}, [], [0]
deadline = time.monotonic() + SECONDS


def record(kind, status, ms):
    with lock:
        statuses.setdefault(kind, {}).setdefault(str(status), 0)
        statuses[kind][str(status)] += 1
        latencies.append(ms)
        done[0] += 1


def client(n):
    rnd = random.Random(n)
    s, ws, ms = call("POST", "/v1/workspaces", ADMIN, {"name": f"stress-{n}"})
    record("create-workspace", s, ms)
    wid = ws["workspace_id"] if ws and s == 201 else None
    mine = []
    i = 0
    while time.monotonic() < deadline and done[0] < MAX_REQUESTS:
        i += 1
        op = rnd.choice(["create", "create", "update", "member", "file", "delete", "login", "list"])
        if op == "create" or not mine:
            name = f"s{n}x{i}x{rnd.randrange(1 << 30)}"
            s, u, ms = call("POST", "/v1/users", ADMIN, {"email": f"{name}@example.com", "username": name, "password": "stress-password"})
            record("create", s, ms)
            if s == 201:
                mine.append((u["user_id"], name))
            continue
        uid, name = rnd.choice(mine)
        if op == "update":
            s, _, ms = call("PATCH", f"/v1/users/{uid}", ADMIN, {"bio": f"bio {i}", "first_name": "Stress"})
        elif op == "member" and wid:
            if rnd.random() < 0.6:
                s, _, ms = call("PUT", f"/v1/workspaces/{wid}/members/{uid}", ADMIN, {"role": rnd.choice(["viewer", "editor", "admin"])})
            else:
                s, _, ms = call("DELETE", f"/v1/workspaces/{wid}/members/{uid}", ADMIN)
        elif op == "file":
            s, _, ms = call("POST", f"/v1/users/{uid}/files", ADMIN, {"checksum": f"c{rnd.randrange(20)}", "size": rnd.randrange(1, 10_000)})
        elif op == "delete":
            s, _, ms = call("DELETE", f"/v1/users/{uid}", ADMIN)
            if s in (204, 404):
                mine.remove((uid, name))
        elif op == "login":
            s, _, ms = call("POST", "/v1/auth/token", None, {"login": name, "password": "stress-password"})
        else:
            s, _, ms = call("GET", "/v1/users?limit=20", ADMIN)
        record(op, s, ms)


threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
started = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
wall = time.monotonic() - started
latencies.sort()
five_xx = sum(c for kinds in statuses.values() for st, c in kinds.items() if st.startswith("5") or st == "0")
print(json.dumps({
    "clients": CLIENTS,
    "seconds": round(wall, 1),
    "requests": done[0],
    "requests_per_second": round(done[0] / wall, 1),
    "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
    "p99_ms": round(latencies[int(len(latencies) * 0.99)], 1) if latencies else None,
    "five_xx_or_failed": five_xx,
    "statuses": statuses,
}, indent=2))
sys.exit(1 if five_xx else 0)
