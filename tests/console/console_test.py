"""The admin console in a real headless Chromium, against a running stack.

Run by `make test` (scripts/test.sh) against its `cargo lambda watch` stack:
CONSOLE_API is the API's base URL, ADMIN_TOKEN a global admin's login token for the
set-up calls, ADMIN_LOGIN / ADMIN_PASSWORD that admin's credentials for the browser,
AXE_JS the path of axe-core's axe.min.js, CHROMIUM the system browser. Screenshots of
each screen go to SHOTS (default docs/console).

It asserts what a person sees (text, enabled and disabled controls) and runs axe-core
on every screen: a serious or critical violation fails the run.
"""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

API = os.environ["CONSOLE_API"].rstrip("/")
ADMIN_TOKEN = os.environ["ADMIN_TOKEN"]
ADMIN_LOGIN = os.environ["ADMIN_LOGIN"]
ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]
AXE = Path(os.environ["AXE_JS"]).read_text()
SHOTS = Path(os.environ.get("SHOTS", "docs/console"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RUN = str(int(time.time()))[-6:]
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)

problems = []


def step(text):
    print(f"  console: {text}", flush=True)


def api(method, path, token=None, body=None, headers=None):
    """One call of the API itself (set-up, and the changes made 'elsewhere')."""
    hs = {"Accept": "application/json", **(headers or {})}
    if token:
        hs["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        hs["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method, headers=hs)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text else None)


def must(status_body, want):
    status, body = status_body
    assert status == want, f"expected {want}, got {status}: {body}"
    return body


def axe(page, name):
    """axe-core on the screen as it stands: serious and critical violations fail."""
    page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document);
            return { passes: r.passes.length, violations: r.violations.map(v => ({ id: v.id,
              impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")) })) };
        }"""
    )
    assert found["passes"] > 10, f"axe checked next to nothing on {name}: {found}"
    found = found["violations"]
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    step(f"axe on {name}: {len(found)} violation(s), {len(bad)} serious or critical")
    for v in found:
        step(f"axe on {name}: {v['impact']} {v['id']} ({v['help']}) at {v['targets']}")
    if bad:
        problems.append(f"axe: {len(bad)} serious or critical violation(s) on {name}")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def watch(page, who):
    """Page errors and CSP refusals are failures, wherever they happen."""
    page.on("pageerror", lambda e: problems.append(f"{who}: page error: {e}"))

    def on_console(msg):
        if msg.type == "error" and (
            "Content Security Policy" in msg.text or "Refused to" in msg.text
        ):
            problems.append(f"{who}: {msg.text}")

    page.on("console", on_console)


def visit(page, url):
    """Opens `url`, rendering it afresh even when the tab is already there."""
    if page.url == url:
        page.reload()
    else:
        page.goto(url)


def rows_of(page, table, text):
    return page.get_by_role("table", name=table, exact=True).locator("tbody tr", has_text=text)


def login(page, login_name, password):
    page.goto(f"{API}/console/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email or username").fill(login_name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def main():
    # Set-up through the API: a user to invite, with a password to log in with.
    casey_name = f"casey-{RUN}"
    casey_email = f"{casey_name}@example.com"
    casey_password = "casey-password-123"
    casey = must(
        api("POST", "/v1/users", ADMIN_TOKEN, {
            "email": casey_email, "username": casey_name, "password": casey_password,
            "first_name": "Casey", "last_name": "Jones",
        }),
        201,
    )
    casey_token = must(
        api("POST", "/v1/auth/token", body={"login": casey_email, "password": casey_password}), 201
    )["token"]
    # 21 more, one more than a page of the users table
    for i in range(21):
        must(api("POST", "/v1/users", ADMIN_TOKEN, {
            "email": f"pager-{RUN}-{i:02}@example.com", "username": f"pager-{RUN}-{i:02}",
            "password": "pager-password-123",
        }), 201)
    ws_name = f"Research {RUN}"
    group_name = f"Editors {RUN}"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        admin_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        admin_ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=API)
        page = admin_ctx.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        watch(page, "admin")

        step("security headers of the page")
        resp = page.goto(f"{API}/console/")
        csp = resp.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "connect-src 'self'" in csp, csp
        assert "unsafe-inline" not in csp, csp
        assert resp.headers.get("x-content-type-options") == "nosniff"
        assert resp.headers.get("referrer-policy") == "no-referrer"
        assert resp.headers.get("cache-control") == "no-cache"

        step("login: a wrong password shows the API's error")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        axe(page, "login")
        shot(page, "login")
        page.get_by_label("Email or username").fill(ADMIN_LOGIN)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("AUTHENTICATION_FAILED")
        expect(page.get_by_role("button", name="Log in")).to_be_enabled()

        step("login as the admin with the keyboard only: the users table, search and filters")
        page.reload()
        # the screen's heading has the focus; the skip link moves it to the content and
        # leaves the route alone
        page.get_by_role("link", name="Skip to content").focus()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        assert page.url.endswith("#/login"), page.url
        page.keyboard.press("Tab")
        expect(page.get_by_label("Email or username")).to_be_focused()
        page.keyboard.type(ADMIN_LOGIN)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Password")).to_be_focused()
        page.keyboard.type(ADMIN_PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
        nav = page.get_by_role("navigation", name="Main")
        for item in ["Users", "Workspaces", "Groups", "Provisioning tokens", "My invitations", "My profile"]:
            expect(nav.get_by_role("link", name=item, exact=True)).to_be_visible()
        assert admin_ctx.cookies() == [], "the console set a cookie"
        token_kept = page.evaluate("() => Object.values(sessionStorage)")
        assert any(v.startswith("ust_") for v in token_kept), "no token in sessionStorage"
        assert page.evaluate("() => localStorage.length") == 0
        expect(page.get_by_role("button", name="Previous page")).to_be_disabled()
        page.get_by_label("Search", exact=True).fill(casey_name)
        page.get_by_role("button", name="Apply").click()
        rows = page.get_by_role("table", name="Users").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(casey_email)
        expect(rows.first).to_contain_text("active")
        step("cursor paging: 21 matches are a page of 20 and a page of 1")
        page.get_by_label("Search", exact=True).fill(f"pager-{RUN}")
        page.get_by_label("Sort by").select_option("username")
        page.get_by_role("button", name="Apply").click()
        expect(rows).to_have_count(20)
        expect(rows.first).to_contain_text(f"pager-{RUN}-00")
        expect(page.get_by_role("button", name="Previous page")).to_be_disabled()
        page.get_by_role("button", name="Next page").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(f"pager-{RUN}-20")
        expect(page.get_by_role("button", name="Next page")).to_be_disabled()
        page.get_by_role("button", name="Previous page").click()
        expect(rows).to_have_count(20)
        page.get_by_label("Search", exact=True).fill(casey_name)
        page.get_by_label("Status").select_option("suspended")
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_text("No users match these filters.")).to_be_visible()
        page.get_by_label("Status").select_option("")
        page.get_by_label("Search", exact=True).fill("")
        page.get_by_label("Sort by").select_option("username")
        page.get_by_role("button", name="Apply").click()
        expect(rows.first).to_be_visible()
        axe(page, "users")
        shot(page, "users")

        step("a workspace: create it and invite Casey")
        nav.get_by_role("link", name="Workspaces").click()
        expect(page.get_by_role("heading", name="Workspaces", exact=True)).to_be_visible()
        page.get_by_label("Name").fill(ws_name)
        page.get_by_role("button", name="Create workspace").click()
        expect(page.get_by_role("heading", name=ws_name)).to_be_visible()
        ws_url = page.url
        invitations = page.get_by_role("form", name="Invite")
        invitations.get_by_label("Email").fill(casey_email)
        invitations.get_by_label("Role").select_option("viewer")
        invitations.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text(f"Invitation sent to {casey_email}.")).to_be_visible()
        expect(page.get_by_role("button", name=f"Revoke the invitation of {casey_email}")).to_be_enabled()

        step("Casey, in a second browser context, sees only what is theirs and accepts")
        casey_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        cpage = casey_ctx.new_page()
        cpage.set_default_timeout(TIMEOUT_MS)
        watch(cpage, "casey")
        login(cpage, casey_name, casey_password)
        expect(cpage.get_by_role("heading", name="Casey Jones")).to_be_visible()
        cnav = cpage.get_by_role("navigation", name="Main")
        expect(cnav.get_by_role("link", name="My invitations")).to_be_visible()
        expect(cnav.get_by_role("link", name="Users", exact=True)).to_have_count(0)
        expect(cnav.get_by_role("link", name="Provisioning tokens")).to_have_count(0)
        # Casey's own page has no admin controls
        expect(cpage.get_by_role("button", name="Suspend")).to_have_count(0)
        expect(cpage.get_by_role("button", name="Save profile")).to_be_enabled()
        cnav.get_by_role("link", name="My invitations").click()
        accept = cpage.get_by_role("button", name=f"Accept the invitation to {ws_name}")
        expect(accept).to_be_enabled()
        expect(cpage.get_by_role("button", name=f"Decline the invitation to {ws_name}")).to_be_enabled()
        axe(cpage, "invitations")
        shot(cpage, "invitations")
        accept.click()
        expect(cpage.get_by_text(f"You joined {ws_name} as viewer.")).to_be_visible()
        expect(cpage.get_by_text("No pending invitations.")).to_be_visible()
        cnav.get_by_role("link", name="Workspaces").click()
        crow = rows_of(cpage, "Workspaces", ws_name)
        expect(crow).to_contain_text("viewer")
        step("Casey is refused the admin screens by the API, and the console says so")
        visit(cpage, f"{API}/console/#/tokens")
        expect(cpage.get_by_role("alert")).to_contain_text("FORBIDDEN")
        expect(cpage.get_by_role("alert")).to_contain_text("HTTP 403")

        step("the admin sees Casey as a direct viewer, then grants a group and sees the role change")
        visit(page, ws_url)
        member = rows_of(page, "Members", casey_email)
        expect(member).to_contain_text("viewer")
        expect(member).to_contain_text("direct membership")
        nav.get_by_role("link", name="Groups").click()
        expect(page.get_by_role("heading", name="Groups", exact=True)).to_be_visible()
        new_group = page.get_by_role("form", name="New group")
        new_group.get_by_label("Name").fill(group_name)
        new_group.get_by_label("Description").fill("Everyone who edits research")
        new_group.get_by_role("button", name="Create group").click()
        expect(page.get_by_role("heading", name=group_name)).to_be_visible()
        expect(page.get_by_text("No members yet.")).to_be_visible()
        expect(page.get_by_text("This group is granted no workspace.")).to_be_visible()
        group_url = page.url
        page.get_by_label("Email or username").fill(casey_name)
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_text(f"{casey_name} added.")).to_be_visible()
        expect(rows_of(page, "Members", casey_email)).to_be_visible()
        page.get_by_label("Email or username").fill("nobody-at-all@example.com")
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_role("alert")).to_contain_text("No user has the email or username")
        visit(page, ws_url)
        grant = page.get_by_role("form", name="Grant a group")
        grant.get_by_label("Group").select_option(label=group_name)
        grant.get_by_label("Role").select_option("editor")
        grant.get_by_role("button", name="Grant").click()
        expect(page.get_by_text("Granted editor (active).")).to_be_visible()
        expect(member).to_contain_text("editor")
        expect(member).to_contain_text(f"group {group_name}")
        expect(member).to_contain_text("direct membership")
        expect(page.get_by_role("button", name=f"Revoke the grant of {group_name}")).to_be_enabled()
        axe(page, "workspace")
        shot(page, "workspace")
        visit(page, group_url)
        granted = rows_of(page, "Workspaces granted", ws_name)
        expect(granted).to_contain_text("editor")
        expect(granted).to_contain_text("active")
        axe(page, "group")
        shot(page, "group")
        # Casey sees the change on their side too
        visit(cpage, f"{API}/console/#/workspaces")
        expect(rows_of(cpage, "Workspaces", ws_name)).to_contain_text("editor")

        step("a user's page: storage, the live feed, an edit conflict, suspend and activate")
        visit(page, f"{API}/console/#/users/{casey['user_id']}")
        expect(page.get_by_role("heading", name="Casey Jones")).to_be_visible()
        expect(page.get_by_text("Live", exact=True)).to_be_visible()
        expect(page.get_by_text("500.0 MiB")).to_be_visible()  # the default quota
        feed = page.get_by_role("list", name="Activity")
        before = feed.locator("li").count()
        must(api("PATCH", "/v1/users/me", casey_token, {"bio": "changed elsewhere"}), 200)
        expect(feed.locator("li")).to_have_count(before + 1)
        expect(feed.locator("li").first).to_contain_text("user.updated")
        page.get_by_label("first name").fill("Cassandra")
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_role("alert")).to_contain_text("Changed elsewhere — reload.")
        page.get_by_role("button", name="Reload").click()
        expect(page.get_by_label("bio")).to_have_value("changed elsewhere")
        expect(page.get_by_label("first name")).to_have_value("Casey")
        page.get_by_label("first name").fill("Cassandra")
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_text("Profile saved.")).to_be_visible()
        expect(page.get_by_role("heading", name="Cassandra Jones")).to_be_visible()
        suspend = page.get_by_role("button", name="Suspend")
        activate = page.get_by_role("button", name="Activate")
        expect(suspend).to_be_enabled()
        expect(activate).to_be_disabled()
        suspend.click()
        expect(page.locator(".badge", has_text="suspended")).to_be_visible()
        expect(page.get_by_role("button", name="Suspend")).to_be_disabled()
        expect(page.get_by_role("button", name="Activate")).to_be_enabled()
        page.get_by_role("button", name="Activate").click()
        expect(page.locator(".badge", has_text="active")).to_be_visible()
        expect(page.get_by_role("button", name="Activate")).to_be_disabled()
        page.get_by_label("Quota (MiB)").fill("750")
        page.get_by_role("button", name="Save quota").click()
        expect(page.get_by_text("750.0 MiB")).to_be_visible()
        axe(page, "user")
        shot(page, "user")

        step("provisioning tokens: shown once with a copy button, listed, revoked")
        nav.get_by_role("link", name="Provisioning tokens").click()
        expect(page.get_by_role("heading", name="Provisioning tokens")).to_be_visible()
        token_name = f"Okta {RUN}"
        page.get_by_label("Name").fill(token_name)
        page.get_by_role("button", name="Create token").click()
        secret = page.get_by_label(f"Token {token_name}")
        expect(secret).to_have_value(starts_with("scim_"))
        expect(page.get_by_text("it is shown only once")).to_be_visible()
        copy = page.get_by_role("button", name="Copy")
        expect(copy).to_be_enabled()
        copy.click()
        expect(page.get_by_text("Copied.")).to_be_visible()
        assert page.evaluate("() => navigator.clipboard.readText()") == secret.input_value()
        row = rows_of(page, "Provisioning tokens", token_name)
        expect(row).to_have_count(1)
        axe(page, "tokens")
        shot(page, "tokens")
        # the secret works under /scim/v2 until it is revoked
        scim_token = secret.input_value()
        must(api("GET", "/scim/v2/Users?count=1", scim_token), 200)
        page.get_by_role("button", name=f"Revoke {token_name}").click()
        expect(row).to_have_count(0)
        must(api("GET", "/scim/v2/Users?count=1", scim_token), 401)

        step("logging out revokes the token and forgets it")
        kept = [v for v in page.evaluate("() => Object.values(sessionStorage)") if v.startswith("ust_")]
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        expect(page.get_by_text("You are logged out.")).to_be_visible()
        assert page.evaluate("() => sessionStorage.length") == 0
        assert kept and api("GET", "/v1/users/me", kept[0])[0] == 401, "the token outlived logout"
        visit(page, f"{API}/console/#/users")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()

        browser.close()

    if problems:
        for p in problems:
            print(f"  FAIL {p}")
        sys.exit(1)
    print("console: every screen passed")


def starts_with(prefix):
    return re.compile("^" + re.escape(prefix))


if __name__ == "__main__":
    main()
