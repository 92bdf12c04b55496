// The admin console: a page over the public API, nothing else. The login token lives
// in sessionStorage (gone with the tab) and goes out only in the Authorization header.
// Every screen shows its loading, empty and error states; errors are the API's own
// envelope (`message`, `error`, `details`).

const TOKEN_KEY = "user-service-token";
const PAGE = 20;
const WS_ROLES = ["viewer", "editor", "admin"];
const STATUSES = ["active", "suspended", "deactivated"];
const DEVICE_TYPES = ["nano_s", "nano_s_plus", "nano_x", "stax", "flex", "blue", "software"];
const SORTS = ["created_at", "updated_at", "email", "username", "last_name"];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const live = document.getElementById("live");
const streamBase = document.querySelector('meta[name="stream-base"]')?.content || "/";

const state = { me: null, abort: null, flash: null };

// ---------------------------------------------------------------- DOM helpers

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid == null || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

function replace(el, ...kids) {
  el.replaceChildren();
  for (const kid of kids.flat(Infinity)) {
    if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
}

function announce(text) {
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 30);
}

function field(label, input) {
  return h("label", null, label, input);
}

function select(name, options, value, extra) {
  return h("select", { name, ...extra },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

function link(href, text) {
  return h("a", { href }, text);
}

function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function bytes(n) {
  if (n == null) return "—";
  if (n < 1024 * 1024) return `${n} bytes`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function table(label, headers, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("table", { "aria-label": label },
    h("thead", null, h("tr", null, headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", null, rows));
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "";
    this.details = (body && body.details) || {};
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function call(method, path, { body, headers } = {}) {
  const hs = { Accept: "application/json", ...headers };
  const t = token();
  if (t) hs.Authorization = `Bearer ${t}`;
  let payload;
  if (body !== undefined) {
    hs["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers: hs, body: payload, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, { error: "NETWORK_ERROR", message: `The API could not be reached (${e.message}).` });
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    if (resp.status === 401 && t && path !== "/v1/auth/token") {
      sessionStorage.removeItem(TOKEN_KEY);
      state.me = null;
      state.flash = "Your session has ended. Log in again.";
      location.hash = "#/login";
    }
    throw err;
  }
  return { data, etag: resp.headers.get("ETag") };
}

async function get(path) {
  return (await call("GET", path)).data;
}

function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

function errorBox(err) {
  const d = err.details || {};
  const extra = [];
  if (d.field) extra.push(`field: ${d.field}`);
  if (d.parameter) extra.push(`parameter: ${d.parameter}`);
  if (d.required_permission) extra.push(`needs: ${d.required_permission}`);
  if (Array.isArray(d.errors)) for (const e of d.errors) extra.push(`${e.field}: ${e.message}`);
  return h("div", { class: "alert", role: "alert" },
    h("strong", null, err.message || "Something went wrong."),
    err.code ? h("span", { class: "muted" }, ` (${err.code}${err.status ? `, HTTP ${err.status}` : ""})`) : null,
    extra.length ? h("div", null, extra.join("; ")) : null);
}

// Loads into `box`: "Loading…", then what `render` makes of the data, or the error
// with a way to try again.
async function load(box, loader, render) {
  replace(box, h("p", { class: "muted", role: "status" }, "Loading…"));
  try {
    const data = await loader();
    replace(box, render(data));
  } catch (err) {
    replace(box, errorBox(err), h("button", { type: "button", class: "secondary", onclick: () => load(box, loader, render) }, "Try again"));
  }
}

// A form whose submit runs `action`; its button is disabled meanwhile, and what went
// wrong is shown in the form.
function actionForm(attrs, children, action) {
  const out = h("div", { class: "form-result" });
  const form = h("form", { ...attrs, novalidate: true }, children, out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => { b.disabled = true; });
    replace(out);
    try {
      const msg = await action(new FormData(form), form);
      if (msg) replace(out, h("div", { class: "notice", role: "status" }, msg));
    } catch (err) {
      replace(out, msg412(err) || errorBox(err));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

function msg412(err) {
  if (err.status !== 412) return null;
  return h("div", { class: "alert", role: "alert" },
    h("strong", null, "Changed elsewhere — reload."),
    " Someone saved this record after you opened it; your edit was not applied. ",
    h("button", { type: "button", class: "secondary", onclick: () => render() }, "Reload"));
}

// A button that runs `action`, disabled while it runs; errors go to `errors`.
function actionButton(text, action, { cls = "secondary", errors, disabled = false, label } = {}) {
  const b = h("button", { type: "button", class: cls, disabled, "aria-label": label });
  b.textContent = text;
  b.addEventListener("click", async () => {
    b.disabled = true;
    if (errors) replace(errors);
    try {
      await action();
    } catch (err) {
      if (errors) replace(errors, msg412(err) || errorBox(err));
      b.disabled = false;
    }
  });
  return b;
}

// A cursor-paged list: `fetchPage(cursor)` answers the API's page, `rows(page)` the
// rows to show; Previous and Next walk the cursors.
function pagedList(fetchPage, renderPage) {
  const box = h("div");
  const cursors = [null];
  let at = 0;
  const show = () => load(box, () => fetchPage(cursors[at]), (page) => {
    cursors[at + 1] = page.next_cursor || null;
    const pager = h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", disabled: at === 0, onclick: () => { at -= 1; show(); } }, "Previous page"),
      h("span", null, `Page ${at + 1}${page.total != null ? ` · ${page.total}${page.total_is_lower_bound ? "+" : ""} in all` : ""}`),
      h("button", { type: "button", class: "secondary", disabled: !page.has_more, onclick: () => { at += 1; show(); } }, "Next page"));
    return [renderPage(page), pager];
  });
  show();
  return { box, reload: () => { cursors.length = 1; at = 0; show(); } };
}

// ---------------------------------------------------------------- session

function isAdmin() {
  return !!state.me && (state.me.roles || []).includes("admin");
}

function home() {
  return isAdmin() ? "#/users" : `#/users/${state.me.user_id}`;
}

function renderChrome() {
  if (!state.me) {
    replace(nav);
    replace(who);
    return;
  }
  const items = [];
  if (isAdmin() || state.me.view_all) items.push(["#/users", "Users"]);
  items.push(["#/workspaces", "Workspaces"]);
  items.push(["#/groups", "Groups"]);
  if (isAdmin()) items.push(["#/tokens", "Provisioning tokens"]);
  items.push(["#/invitations", "My invitations"]);
  items.push([`#/users/${state.me.user_id}`, "My profile"]);
  const here = location.hash;
  replace(nav, h("ul", null, items.map(([href, text]) =>
    h("li", null, h("a", { href, "aria-current": (here === href || here.startsWith(`${href}/`)) && !(href === "#/users" && here === `#/users/${state.me.user_id}`) ? "page" : null }, text)))));
  replace(who,
    h("span", null, `Signed in as ${state.me.username}`),
    h("button", { type: "button", onclick: logout }, "Log out"));
}

async function logout() {
  try { await call("DELETE", "/v1/auth/token"); } catch { /* the token is dropped either way */ }
  sessionStorage.removeItem(TOKEN_KEY);
  state.me = null;
  state.flash = "You are logged out.";
  location.hash = "#/login";
}

function screen(title, ...intro) {
  document.title = `${title} · User service console`;
  const h1 = h("h1", { tabindex: "-1" }, title);
  replace(main, h1, intro);
  h1.focus();
  return main;
}

// ---------------------------------------------------------------- screens

function loginScreen() {
  renderChrome();
  const flash = state.flash;
  state.flash = null;
  screen("Log in", flash ? h("p", { class: "notice", role: "status" }, flash) : null);
  main.append(actionForm({ class: "login", "aria-label": "Log in" }, [
    field("Email or username", h("input", { name: "login", autocomplete: "username", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, "Log in"),
  ], async (fd) => {
    const { data } = await call("POST", "/v1/auth/token", {
      body: { login: fd.get("login"), password: fd.get("password") },
    });
    sessionStorage.setItem(TOKEN_KEY, data.token);
    state.me = data.user;
    location.hash = home();
  }));
}

let usersView = {
  filters: { search: "", status: "", role: "", workspace_id: "", device_type: "", sort_by: "created_at", sort_order: "asc" },
};

function usersScreen() {
  screen("Users");
  const f = usersView.filters;
  const wsSelect = select("workspace_id", [["", "Any workspace"]], f.workspace_id);
  get(`/v1/workspaces${qs({ limit: 200 })}`).then((page) => {
    for (const w of page.workspaces) wsSelect.append(h("option", { value: w.workspace_id, selected: w.workspace_id === f.workspace_id }, w.name));
  }).catch(() => {});
  const roleOptions = [["", "Any role"], ["user", "user (global)"], ["admin", "admin"], ["operator", "operator (global)"], ["editor", "editor (workspace)"], ["viewer", "viewer (workspace)"]];
  const results = h("div");
  const filters = actionForm({ class: "filters", role: "search", "aria-label": "Filter users" }, [
    field("Search", h("input", { name: "search", type: "search", value: f.search, placeholder: "name, email or username" })),
    field("Status", select("status", [["", "Any status"], ...STATUSES.map((s) => [s, s])], f.status)),
    field("Role", select("role", roleOptions, f.role)),
    field("Workspace", wsSelect),
    field("Device type", select("device_type", [["", "Any device"], ...DEVICE_TYPES.map((d) => [d, d])], f.device_type)),
    field("Sort by", select("sort_by", SORTS.map((s) => [s, s.replace("_", " ")]), f.sort_by)),
    field("Order", select("sort_order", [["asc", "ascending"], ["desc", "descending"]], f.sort_order)),
    h("button", { type: "submit" }, "Apply"),
  ], async (fd) => {
    for (const k of Object.keys(f)) f[k] = String(fd.get(k) || "");
    show();
  });
  main.append(filters, results);
  const show = () => {
    const byWorkspace = !!f.workspace_id;
    const list = pagedList(
      (cursor) => get(`/v1/users${qs({ ...f, limit: PAGE, cursor })}`),
      (page) => table("Users",
        ["User", "Email", "Name", "Status", byWorkspace ? "Effective role" : "Roles"],
        page.users.map((u) => h("tr", null,
          h("td", null, link(`#/users/${u.user_id}`, u.username)),
          h("td", null, u.email),
          h("td", null, u.full_name || "—"),
          h("td", null, u.status),
          h("td", null, byWorkspace ? `${u.role || "—"}` : (u.roles || []).join(", ") || "—"))),
        "No users match these filters."));
    replace(results, list.box);
  };
  show();
}

function profileForm(user, etag, onSaved) {
  const editable = ["username", "email", "first_name", "last_name", "display_name", "timezone", "locale"];
  const optional = new Set(["display_name", "timezone", "locale", "bio"]);
  const inputs = editable.map((k) => field(k.replace("_", " "), h("input", { name: k, value: user[k] || "" })));
  return actionForm({ "aria-label": "Profile" }, [
    h("div", { class: "stack" }, inputs, field("bio", h("textarea", { name: "bio", value: user.bio || "" }))),
    h("p", null, h("button", { type: "submit" }, "Save profile")),
  ], async (fd) => {
    const patch = {};
    for (const k of [...editable, "bio"]) {
      const now = String(fd.get(k) || "");
      if (now !== (user[k] || "")) patch[k] = now === "" && optional.has(k) ? null : now;
    }
    if (!Object.keys(patch).length) return "Nothing to save.";
    const res = await call("PATCH", `/v1/users/${user.user_id}`, { body: patch, headers: { "If-Match": etag() } });
    onSaved(res);
    return "Profile saved.";
  });
}

function userScreen(id) {
  screen("User");
  const box = h("div");
  main.append(box);
  const signal = state.abort.signal;
  load(box, () => call("GET", `/v1/users/${encodeURIComponent(id)}`), ({ data: user, etag: tag }) => {
    let etag = tag;
    const self = user.user_id === state.me.user_id;
    const admin = isAdmin();
    const full = Array.isArray(user.roles);
    main.querySelector("h1").textContent = user.full_name || user.username;
    document.title = `${user.username} · User service console`;
    const out = [];
    const saved = ({ data, etag: next }) => {
      Object.assign(user, data);
      etag = next || etag;
      main.querySelector("h1").textContent = user.full_name || user.username;
      if (self) state.me = { ...state.me, ...data };
      renderChrome();
    };
    if (full && (self || admin)) {
      out.push(h("h2", null, "Profile"), profileForm(user, () => etag, saved));
    } else {
      out.push(h("h2", null, "Profile"), h("dl", { class: "facts" },
        ["username", "email", "first_name", "last_name", "status"].map((k) => [h("dt", null, k.replace("_", " ")), h("dd", null, user[k] || "—")])));
    }
    const storage = h("div");
    const showStorage = () => load(storage, () => get(`/v1/users/${user.user_id}/storage${qs({ limit: 200 })}`), (s) => h("dl", { class: "facts" },
      h("dt", null, "Used"), h("dd", null, bytes(s.disk_space_used)),
      h("dt", null, "Quota"), h("dd", null, s.unlimited ? "unlimited (global admin)" : bytes(s.disk_space)),
      h("dt", null, "Files"), h("dd", null, `${s.files.length}${s.has_more ? "+" : ""}`)));
    if (full) out.push(accountSection(user, () => etag, saved, admin, self, () => { if (self || admin) showStorage(); }));
    if (full && (self || admin)) {
      out.push(h("h2", null, "Storage"), storage);
      showStorage();
      out.push(activitySection(user, signal));
    }
    return out;
  });
}

// The account facts and, for admins, status, roles and quota. A change redraws this
// section only (and `changed` the storage figures), so the live feed stays connected.
function accountSection(user, etag, saved, admin, self, changed) {
  const box = h("div");
  const draw = (notice) => {
    const errors = h("div");
    const patch = async (body, msg) => {
      const res = await call("PATCH", `/v1/users/${user.user_id}`, { body, headers: { "If-Match": etag() } });
      saved(res);
      announce(msg);
      draw(msg);
      changed();
    };
    const parts = [notice ? h("p", { class: "notice", role: "status" }, notice) : null, errors, h("dl", { class: "facts" },
      h("dt", null, "Status"), h("dd", null, h("span", { class: "badge" }, user.status)),
      h("dt", null, "Roles"), h("dd", null, (user.roles || []).join(", ")),
      h("dt", null, "Created"), h("dd", null, when(user.created_at)),
      h("dt", null, "Last login"), h("dd", null, when(user.last_login)))];
    if (admin) {
      parts.push(h("p", null,
        actionButton("Suspend", () => patch({ status: "suspended" }, "User suspended."), { cls: "danger", errors, disabled: self || user.status === "suspended" }),
        " ",
        actionButton("Activate", () => patch({ status: "active" }, "User activated."), { errors, disabled: user.status === "active" })));
      const roles = new Set(user.roles || []);
      parts.push(actionForm({ class: "inline", "aria-label": "Roles" }, [
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "admin", checked: roles.has("admin"), disabled: self }), "admin"),
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "operator", checked: roles.has("operator") }), "operator"),
        h("button", { type: "submit" }, "Save roles"),
      ], async (fd) => {
        const next = ["user"];
        if (fd.get("admin") || (self && roles.has("admin"))) next.push("admin");
        if (fd.get("operator")) next.push("operator");
        await patch({ roles: next }, "Roles saved.");
      }));
      parts.push(actionForm({ class: "inline", "aria-label": "Quota" }, [
        field("Quota (MiB)", h("input", { name: "quota", type: "number", min: "0", step: "1", value: String(Math.round((user.disk_space || 0) / 1048576)) })),
        h("button", { type: "submit" }, "Save quota"),
      ], async (fd) => {
        const mib = Number(fd.get("quota"));
        if (!Number.isInteger(mib) || mib < 0) throw new ApiError(0, { message: "The quota must be a whole number of MiB." });
        await patch({ disk_space: mib * 1048576 }, "Quota saved.");
      }));
    }
    replace(box, parts);
  };
  draw();
  return [h("h2", null, "Account"), box];
}

function describe(a) {
  const d = a.data || {};
  const bits = [];
  if (d.workspace_name || d.name) bits.push(d.workspace_name || d.name);
  if (d.role) bits.push(`role ${d.role}`);
  return bits.join(", ");
}

function activitySection(user, signal) {
  const status = h("p", { class: "muted", role: "status" }, "Connecting to the live feed…");
  const list = h("ul", { class: "feed", "aria-label": "Activity" });
  const seen = new Set();
  const item = (a) => h("li", null, h("strong", null, a.type), " ", h("span", { class: "muted" }, when(a.created_at)), describe(a) ? ` — ${describe(a)}` : "");
  const box = h("div");
  const wrap = [h("h2", null, "Activity"), status, box];
  load(box, () => get(`/v1/users/${user.user_id}/activities${qs({ limit: PAGE })}`), (page) => {
    for (const a of page.activities) { seen.add(a.id); list.append(item(a)); }
    const empty = h("p", { class: "empty" }, "No activity yet.");
    follow(`${streamBase}v1/users/${user.user_id}/activities/stream`, page.activities[0]?.id, signal, (a) => {
      if (seen.has(a.id)) return;
      seen.add(a.id);
      empty.remove();
      list.prepend(item(a));
      announce(`New activity: ${a.type}`);
    }, (s, err) => {
      if (s === "live") replace(status, h("span", { class: "badge" }, "Live"), " New activity appears here as it happens.");
      else if (s === "reconnecting") replace(status, "Reconnecting to the live feed…");
      else if (s === "waiting") replace(status, `Every live feed connection this account may hold is in use (other tabs, or ones just closed); trying again in ${err} s.`);
      else replace(status, errorBox(err));
    });
    return page.activities.length ? list : [empty, list];
  });
  return wrap;
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
});

// Server-Sent Events over fetch, so the Authorization header goes along (EventSource
// cannot send one). Reconnects after each close, resuming after the last event.
async function follow(url, lastId, signal, onEvent, onState) {
  let last = lastId || null;
  while (!signal.aborted) {
    try {
      const headers = { Accept: "text/event-stream", Authorization: `Bearer ${token()}` };
      if (last) headers["Last-Event-ID"] = last;
      const resp = await fetch(url, { headers, signal, cache: "no-store" });
      if (!resp.ok) {
        let body = null;
        try { body = await resp.json(); } catch { /* not the envelope */ }
        const wait = Number(resp.headers.get("Retry-After") || 5);
        if (resp.status === 429 || resp.status === 503) onState("waiting", wait);
        else onState("error", new ApiError(resp.status, body));
        if ([401, 403, 404].includes(resp.status)) return;
        await sleep(wait * 1000, signal);
        continue;
      }
      onState("live");
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf = (buf + value).replace(/\r\n?/g, "\n");
        let end;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let id = null;
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            const [k, ...rest] = line.split(":");
            const v = rest.join(":").replace(/^ /, "");
            if (k === "id") id = v;
            else if (k === "data") data.push(v);
          }
          if (id) last = id;
          if (data.length) {
            try { onEvent(JSON.parse(data.join("\n"))); } catch { /* not an activity */ }
          }
        }
      }
      await sleep(250, signal);
    } catch (err) {
      if (signal.aborted) return;
      onState("reconnecting");
      await sleep(2000, signal);
    }
  }
}

function workspacesScreen() {
  screen("Workspaces");
  const list = pagedList((cursor) => get(`/v1/workspaces${qs({ limit: PAGE, cursor })}`), (page) => table("Workspaces",
    ["Workspace", "Your role", "Created"],
    page.workspaces.map((w) => h("tr", null,
      h("td", null, link(`#/workspaces/${w.workspace_id}`, w.name)),
      h("td", null, w.role || "—"),
      h("td", null, when(w.created_at)))),
    "You are in no workspace yet."));
  main.append(h("h2", null, "New workspace"), actionForm({ class: "inline", "aria-label": "New workspace" }, [
    field("Name", h("input", { name: "name", required: true })),
    h("button", { type: "submit" }, "Create workspace"),
  ], async (fd) => {
    const { data } = await call("POST", "/v1/workspaces", { body: { name: fd.get("name") } });
    location.hash = `#/workspaces/${data.workspace_id}`;
  }), h("h2", null, "All workspaces"), list.box);
}

function workspaceScreen(wid) {
  screen("Workspace");
  const box = h("div");
  main.append(box);
  load(box, () => get(`/v1/workspaces/${encodeURIComponent(wid)}`), (ws) => {
    main.querySelector("h1").textContent = ws.name;
    document.title = `${ws.name} · User service console`;
    const manage = isAdmin() || ws.role === "admin";
    const names = new Map();
    const errors = h("div");
    const members = pagedList(async (cursor) => {
      const page = await get(`/v1/users${qs({ workspace_id: wid, limit: PAGE, cursor })}`);
      const grants = await get(`/v1/workspaces/${wid}/groups${qs({ limit: 200 })}`).catch(() => ({ grants: [] }));
      for (const g of grants.grants) names.set(g.group_id, g.group_name);
      return page;
    }, (page) => table("Members", ["Member", "Email", "Effective role", "Comes from", "Actions"],
      page.users.map((u) => h("tr", null,
        h("td", null, link(`#/users/${u.user_id}`, u.username)),
        h("td", null, u.email),
        h("td", null, u.role || "—"),
        h("td", null, (u.via || []).map((v, i) => [i ? ", " : "", v === "direct" ? "direct membership"
          : v.startsWith("group:") ? ["group ", link(`#/groups/${v.slice(6)}`, names.get(v.slice(6)) || v.slice(6))] : v])),
        h("td", null, manage && (u.via || []).includes("direct") && u.user_id !== state.me.user_id
          ? actionButton("Remove", async () => { await call("DELETE", `/v1/workspaces/${wid}/members/${u.user_id}`); members.reload(); }, { cls: "danger", errors, label: `Remove ${u.username}` })
          : null))),
      "No members."));
    const out = [h("dl", { class: "facts" },
      h("dt", null, "Your role"), h("dd", null, ws.role || "none (global admin)"),
      h("dt", null, "Members"), h("dd", null, String(ws.member_count)),
      h("dt", null, "Created"), h("dd", null, when(ws.created_at))),
    h("h2", null, "Members"), errors, members.box];
    if (manage) out.push(invitationsSection(wid));
    out.push(grantsSection(wid, () => members.reload()));
    return out;
  });
}

function invitationsSection(wid) {
  const errors = h("div");
  const list = pagedList((cursor) => get(`/v1/workspaces/${wid}/invitations${qs({ limit: PAGE, cursor })}`), (page) => table("Invitations",
    ["Email", "Role", "Expires", "Actions"],
    page.invitations.map((i) => h("tr", null,
      h("td", null, i.email), h("td", null, i.role), h("td", null, when(i.expires_at)),
      h("td", null, actionButton("Revoke", async () => { await call("DELETE", `/v1/workspaces/${wid}/invitations/${i.invitation_id}`); announce("Invitation revoked."); list.reload(); }, { cls: "danger", errors, label: `Revoke the invitation of ${i.email}` })))),
    "No pending invitations."));
  return [h("h2", null, "Invitations"), actionForm({ class: "inline", "aria-label": "Invite" }, [
    field("Email", h("input", { name: "email", type: "email", required: true })),
    field("Role", select("role", WS_ROLES.map((r) => [r, r]), "viewer")),
    h("button", { type: "submit" }, "Send invitation"),
  ], async (fd, form) => {
    await call("POST", `/v1/workspaces/${wid}/invitations`, { body: { email: fd.get("email"), role: fd.get("role") } });
    form.reset();
    list.reload();
    return `Invitation sent to ${fd.get("email")}.`;
  }), errors, list.box];
}

function grantsSection(wid, changed) {
  const errors = h("div");
  const admin = isAdmin();
  const list = pagedList((cursor) => get(`/v1/workspaces/${wid}/groups${qs({ limit: PAGE, cursor })}`), (page) => table("Group grants",
    ["Group", "Role", "Status", "Actions"],
    page.grants.map((g) => h("tr", null,
      h("td", null, link(`#/groups/${g.group_id}`, g.group_name)), h("td", null, g.role), h("td", null, g.status),
      h("td", null, admin ? actionButton("Revoke", async () => { await call("DELETE", `/v1/workspaces/${wid}/groups/${g.group_id}`); announce("Grant revoked."); list.reload(); changed(); }, { cls: "danger", errors, label: `Revoke the grant of ${g.group_name}` }) : null))),
    "No group is granted a role here."));
  const out = [h("h2", null, "Group grants")];
  if (admin) {
    const groups = select("group_id", [], "", { required: true });
    get(`/v1/groups${qs({ limit: 200 })}`).then((page) => {
      for (const g of page.groups) groups.append(h("option", { value: g.group_id }, g.name));
      if (!page.groups.length) groups.append(h("option", { value: "" }, "No groups yet"));
    }).catch((err) => replace(errors, errorBox(err)));
    out.push(actionForm({ class: "inline", "aria-label": "Grant a group" }, [
      field("Group", groups),
      field("Role", select("role", WS_ROLES.map((r) => [r, r]), "viewer")),
      h("button", { type: "submit" }, "Grant"),
    ], async (fd) => {
      const { data } = await call("PUT", `/v1/workspaces/${wid}/groups/${fd.get("group_id")}`, { body: { role: fd.get("role") } });
      list.reload();
      changed();
      return `Granted ${data.role} (${data.status}).`;
    }));
  }
  out.push(errors, list.box);
  return out;
}

function groupsScreen() {
  screen("Groups");
  let q = "";
  const results = h("div");
  const show = () => replace(results, pagedList((cursor) => get(`/v1/groups${qs({ q, limit: PAGE, cursor })}`), (page) => table("Groups",
    ["Group", "Description", "Members"],
    page.groups.map((g) => h("tr", null,
      h("td", null, link(`#/groups/${g.group_id}`, g.name)), h("td", null, g.description || "—"), h("td", null, String(g.member_count)))),
    q ? "No group has a name starting so." : "No groups yet.")).box);
  if (isAdmin()) {
    main.append(h("h2", null, "New group"), actionForm({ class: "inline", "aria-label": "New group" }, [
      field("Name", h("input", { name: "name", required: true })),
      field("Description", h("input", { name: "description" })),
      h("button", { type: "submit" }, "Create group"),
    ], async (fd) => {
      const body = { name: fd.get("name") };
      if (fd.get("description")) body.description = fd.get("description");
      const { data } = await call("POST", "/v1/groups", { body });
      location.hash = `#/groups/${data.group_id}`;
    }));
  }
  main.append(h("h2", null, isAdmin() ? "All groups" : "Your groups"), actionForm({ class: "filters", role: "search", "aria-label": "Find groups" }, [
    field("Name starts with", h("input", { name: "q", type: "search" })),
    h("button", { type: "submit" }, "Search"),
  ], async (fd) => { q = String(fd.get("q") || ""); show(); }), results);
  show();
}

function groupScreen(gid) {
  screen("Group");
  const box = h("div");
  main.append(box);
  load(box, () => get(`/v1/groups/${encodeURIComponent(gid)}`), (g) => {
    main.querySelector("h1").textContent = g.name;
    document.title = `${g.name} · User service console`;
    const admin = isAdmin();
    const errors = h("div");
    const members = pagedList((cursor) => get(`/v1/groups/${gid}/members${qs({ limit: PAGE, cursor })}`), (page) => table("Members",
      ["Member", "Email", "Actions"],
      page.users.map((u) => h("tr", null,
        h("td", null, link(`#/users/${u.user_id}`, u.username)), h("td", null, u.email),
        h("td", null, admin ? actionButton("Remove", async () => { await call("DELETE", `/v1/groups/${gid}/members/${u.user_id}`); announce(`${u.username} removed.`); members.reload(); }, { cls: "danger", errors, label: `Remove ${u.username}` }) : null))),
      "No members yet."));
    const grants = pagedList((cursor) => get(`/v1/groups/${gid}/workspaces${qs({ limit: PAGE, cursor })}`), (page) => table("Workspaces granted",
      ["Workspace", "Role", "Status"],
      page.grants.map((w) => h("tr", null,
        h("td", null, link(`#/workspaces/${w.workspace_id}`, w.workspace_name)), h("td", null, w.role), h("td", null, w.status))),
      "This group is granted no workspace."));
    const out = [h("dl", { class: "facts" },
      h("dt", null, "Description"), h("dd", null, g.description || "—"),
      h("dt", null, "Members"), h("dd", null, String(g.member_count)),
      h("dt", null, "External id"), h("dd", null, g.external_id || "—")),
    h("h2", null, "Members")];
    if (admin) {
      out.push(actionForm({ class: "inline", "aria-label": "Add a member" }, [
        field("Email or username", h("input", { name: "who", required: true })),
        h("button", { type: "submit" }, "Add member"),
      ], async (fd, form) => {
        const want = String(fd.get("who") || "").trim().toLowerCase();
        const found = await get(`/v1/users/search${qs({ q: want, limit: 10 })}`);
        const user = found.results.find((u) => u.email.toLowerCase() === want || u.username.toLowerCase() === want);
        if (!user) throw new ApiError(0, { message: `No user has the email or username “${want}”.` });
        await call("PUT", `/v1/groups/${gid}/members/${user.user_id}`);
        form.reset();
        members.reload();
        return `${user.username} added.`;
      }));
    }
    out.push(errors, members.box, h("h2", null, "Workspaces granted"), grants.box);
    return out;
  });
}

function tokensScreen() {
  screen("Provisioning tokens", h("p", { class: "muted" }, "Bearer tokens for an identity provider's SCIM client (Okta, Microsoft Entra ID). They work only under /scim/v2."));
  const errors = h("div");
  const shown = h("div");
  const list = pagedList((cursor) => get(`/v1/provisioning-tokens${qs({ limit: PAGE, cursor })}`), (page) => table("Provisioning tokens",
    ["Name", "Created", "Token id", "Actions"],
    page.provisioning_tokens.map((t) => h("tr", null,
      h("td", null, t.name), h("td", null, when(t.created_at)), h("td", null, h("code", null, t.token_id)),
      h("td", null, actionButton("Revoke", async () => { await call("DELETE", `/v1/provisioning-tokens/${t.token_id}`); announce(`Token ${t.name} revoked.`); list.reload(); }, { cls: "danger", errors, label: `Revoke ${t.name}` })))),
    "No provisioning tokens."));
  main.append(h("h2", null, "New token"), actionForm({ class: "inline", "aria-label": "New provisioning token" }, [
    field("Name", h("input", { name: "name", required: true, placeholder: "Okta production" })),
    h("button", { type: "submit" }, "Create token"),
  ], async (fd, form) => {
    const { data } = await call("POST", "/v1/provisioning-tokens", { body: { name: fd.get("name") } });
    form.reset();
    const secret = h("input", { class: "secret", readonly: true, value: data.token, "aria-label": `Token ${data.name}` });
    const copied = h("span", { role: "status" });
    replace(shown, h("div", { class: "notice" },
      h("p", null, h("strong", null, `Token “${data.name}” created.`), " Copy it now: it is shown only once."),
      secret, " ",
      h("button", { type: "button", onclick: async () => {
        secret.select();
        try { await navigator.clipboard.writeText(data.token); copied.textContent = "Copied."; } catch { copied.textContent = "Select the token and copy it by hand."; }
      } }, "Copy"), " ", copied));
    list.reload();
  }), shown, h("h2", null, "Tokens"), errors, list.box);
}

function invitationsScreen() {
  screen("My invitations");
  const errors = h("div");
  const done = h("div");
  const list = pagedList((cursor) => get(`/v1/users/me/invitations${qs({ limit: PAGE, cursor })}`), (page) => table("Invitations",
    ["Workspace", "Role", "Expires", "Actions"],
    page.invitations.map((i) => h("tr", null,
      h("td", null, i.workspace_name), h("td", null, i.role), h("td", null, when(i.expires_at)),
      h("td", null,
        actionButton("Accept", async () => {
          await call("POST", `/v1/invitations/${i.invitation_id}/accept`);
          replace(done, h("p", { class: "notice", role: "status" }, `You joined ${i.workspace_name} as ${i.role}. `, link(`#/workspaces/${i.workspace_id}`, "Open it")));
          list.reload();
        }, { cls: "", errors, label: `Accept the invitation to ${i.workspace_name}` }),
        " ",
        actionButton("Decline", async () => {
          await call("POST", `/v1/invitations/${i.invitation_id}/decline`);
          replace(done, h("p", { class: "notice", role: "status" }, `You declined ${i.workspace_name}.`));
          list.reload();
        }, { cls: "danger", errors, label: `Decline the invitation to ${i.workspace_name}` })))),
    "No pending invitations."));
  main.append(done, errors, list.box);
}

function notFound() {
  screen("Not found", h("p", null, "There is no such screen. ", link(home(), "Go to the start")));
}

// ---------------------------------------------------------------- routing

const ROUTES = [
  [/^#\/users$/, usersScreen],
  [/^#\/users\/([^/]+)$/, userScreen],
  [/^#\/workspaces$/, workspacesScreen],
  [/^#\/workspaces\/([^/]+)$/, workspaceScreen],
  [/^#\/groups$/, groupsScreen],
  [/^#\/groups\/([^/]+)$/, groupScreen],
  [/^#\/tokens$/, tokensScreen],
  [/^#\/invitations$/, invitationsScreen],
];

async function render() {
  if (state.abort) state.abort.abort();
  state.abort = new AbortController();
  const hash = location.hash || "#/";
  if (!token()) {
    if (hash !== "#/login") { location.hash = "#/login"; return; }
    loginScreen();
    return;
  }
  if (!state.me) {
    try {
      state.me = (await call("GET", "/v1/users/me")).data;
    } catch (err) {
      if (err.status !== 401) { renderChrome(); screen("Console unavailable", errorBox(err)); }
      return;
    }
  }
  if (hash === "#/login" || hash === "#/") { location.hash = home(); return; }
  renderChrome();
  for (const [re, fn] of ROUTES) {
    const m = hash.match(re);
    if (m) { fn(...m.slice(1).map(decodeURIComponent)); return; }
  }
  notFound();
}

// The skip link moves the focus; following its href would change the route.
document.querySelector(".skip").addEventListener("click", (ev) => {
  ev.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", render);
render();
