"""make stress, groups at scale: against the running local stack and its worker, grant a
workspace to a group of GROUP_SIZE users (the request answers at once, `applying`, and
the worker finishes it), add one user to a group granted on 30 workspaces (applied
before the answer), then revoke the large grant. Prints the figures as JSON."""

import json
import os
import time
import urllib.request

API = os.environ["API"]
TOKEN = os.environ["ADMIN_TOKEN"]
BIG = os.environ["BIG_GROUP"]
SIZE = int(os.environ.get("GROUP_SIZE", "10000"))


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    elapsed = time.monotonic() - started
    return status, (json.loads(text) if text else None), elapsed


def must(expected, result, what):
    status, body, _ = result
    if status != expected:
        raise SystemExit(f"{what}: {status} {body}")
    return result


def grant_of(wid):
    _, body, _ = must(200, call("GET", f"/v1/workspaces/{wid}/groups"), "grants")
    return body["grants"][0] if body["grants"] else None


def wait(wid, done, limit=1800):
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if done(grant_of(wid)):
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit("the worker did not finish in time")


# A fresh admin of its own: the stress admin is already in many workspaces.
must(201, call("POST", "/v1/users", {"email": "scale-admin@example.com", "username": "scale-admin",
                                     "password": "scale-admin-password", "roles": ["user", "admin"]}), "admin")
_, login, _ = must(201, call("POST", "/v1/auth/token", {"login": "scale-admin", "password": "scale-admin-password"}), "login")
TOKEN = login["token"]

out = {"group_size": SIZE}
_, ws, _ = must(201, call("POST", "/v1/workspaces", {"name": "big"}), "workspace")
wid = ws["workspace_id"]
_, grant, secs = must(200, call("PUT", f"/v1/workspaces/{wid}/groups/{BIG}", {"role": "viewer"}), "grant")
out["grant_request_seconds"] = round(secs, 3)
out["grant_answer_status"] = grant["status"]
out["grant_applied_seconds"] = round(wait(wid, lambda g: g and g["status"] == "active"), 1)
_, w, _ = must(200, call("GET", f"/v1/workspaces/{wid}"), "workspace")
out["member_count_after_grant"] = w["member_count"]
_, page, secs = must(200, call("GET", f"/v1/users?workspace_id={wid}&limit=50&sort_by=email"), "page")
out["members_page_seconds"] = round(secs, 3)

# one user joining a group granted on 30 workspaces
_, small, _ = must(201, call("POST", "/v1/groups", {"name": "thirty"}), "group")
gid = small["group_id"]
for i in range(30):
    _, w30, _ = must(201, call("POST", "/v1/workspaces", {"name": f"w{i}"}), "workspace")
    must(200, call("PUT", f"/v1/workspaces/{w30['workspace_id']}/groups/{gid}", {"role": "editor"}), "grant 30")
_, me, _ = must(200, call("GET", "/v1/users/me"), "me")
_, joined, secs = must(200, call("PUT", f"/v1/groups/{gid}/members/{page['users'][0]['user_id']}"), "join")
out["join_30_grants_request_seconds"] = round(secs, 3)
out["join_30_grants_status"] = joined["status"]

# revoking the large grant
_, _, secs = must(204, call("DELETE", f"/v1/workspaces/{wid}/groups/{BIG}"), "revoke")
out["revoke_request_seconds"] = round(secs, 3)
out["revoke_done_seconds"] = round(wait(wid, lambda g: g is None), 1)
_, w, _ = must(200, call("GET", f"/v1/workspaces/{wid}"), "workspace")
out["member_count_after_revoke"] = w["member_count"]
print(json.dumps(out, indent=2))
