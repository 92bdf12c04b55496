//! The invariant audit: reads the whole table (an operator tool, never a request path)
//! and checks that every denormalised fact agrees with its source.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use shared::model::UserRecord;
use shared::store::Item;
use shared::types::WsRole;
use shared::{keys, Ctx};
use uuid::Uuid;

/// What the audit found.
#[derive(Debug, Default)]
pub struct Report {
    pub items: usize,
    pub users: usize,
    pub workspaces: usize,
    pub violations: Vec<String>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "audited {} items: {} users, {} workspaces, {} violations",
            self.items,
            self.users,
            self.workspaces,
            self.violations.len()
        )?;
        for v in &self.violations {
            writeln!(f, "  - {v}")?;
        }
        Ok(())
    }
}

fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or("")
}

fn num(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

const DIR_FIELDS: [&str; 6] = [
    "k_created",
    "k_updated",
    "k_email",
    "k_username",
    "k_first",
    "k_last",
];

/// Checks every invariant of the design; see the module doc.
pub async fn audit(ctx: &Ctx) -> Result<Report, String> {
    let items = ctx
        .store
        .scan_all()
        .await
        .map_err(|e| format!("scan: {}", e.cause.clone().unwrap_or(e.message)))?;
    let mut r = Report {
        items: items.len(),
        ..Report::default()
    };
    let mut users: HashMap<Uuid, (UserRecord, Item)> = HashMap::new();
    let mut deleting: HashSet<String> = HashSet::new();
    let mut guards: Vec<(String, String)> = Vec::new();
    let mut members: Vec<Item> = Vec::new();
    let mut workspaces: HashMap<String, Item> = HashMap::new();
    let mut files: BTreeMap<String, i64> = BTreeMap::new();
    let mut file_counts: BTreeMap<String, i64> = BTreeMap::new();
    let mut owned: Vec<(String, String)> = Vec::new();
    let mut tokens: Vec<(String, i64)> = Vec::new();
    let mut users_counter: Option<i64> = None;
    let mut invitations: Vec<Item> = Vec::new();
    let mut invitation_guards: HashMap<(String, String), Item> = HashMap::new();
    let mut groups: HashMap<String, Item> = HashMap::new();
    let mut group_members: Vec<Item> = Vec::new();
    let mut group_guards: Vec<(String, String)> = Vec::new();
    let mut grants: HashMap<(String, String), Item> = HashMap::new();
    let mut mirrors: HashSet<(String, String)> = HashSet::new();
    let mut jobs = 0;
    for item in &items {
        let (pk, sk) = (s(item, keys::PK), s(item, keys::SK));
        if sk == keys::PROFILE {
            match serde_dynamo::from_item::<_, UserRecord>(item.clone()) {
                Ok(u) => {
                    users.insert(u.user_id, (u, item.clone()));
                }
                Err(e) => r.violations.push(format!("{pk}: unreadable profile: {e}")),
            }
        } else if sk == keys::TOMBSTONE {
            deleting.insert(pk.to_string());
        } else if sk == keys::GUARD && item.contains_key("group_id") {
            group_guards.push((pk.to_string(), s(item, "group_id").to_string()));
        } else if sk == keys::GUARD {
            guards.push((pk.to_string(), s(item, "user_id").to_string()));
        } else if pk.starts_with(keys::GROUP_PREFIX) && sk.starts_with(keys::MEMBER_PREFIX) {
            group_members.push(item.clone());
        } else if pk.starts_with(keys::GROUP_PREFIX) && sk == keys::META {
            groups.insert(pk.to_string(), item.clone());
        } else if pk.starts_with(keys::GROUP_PREFIX) && sk.starts_with(keys::GRANT_PREFIX) {
            mirrors.insert((s(item, "workspace_id").into(), s(item, "group_id").into()));
        } else if sk.starts_with(keys::GRANT_PREFIX) {
            grants.insert(
                (s(item, "workspace_id").into(), s(item, "group_id").into()),
                item.clone(),
            );
        } else if sk == keys::JOB {
            jobs += 1;
        } else if sk.starts_with(keys::MEMBER_PREFIX) {
            members.push(item.clone());
        } else if sk == keys::META {
            workspaces.insert(pk.to_string(), item.clone());
        } else if sk.starts_with(keys::INVITATION_PREFIX) {
            invitations.push(item.clone());
        } else if sk.starts_with(keys::INVITED_EMAIL_PREFIX) {
            invitation_guards.insert((pk.to_string(), sk.to_string()), item.clone());
        } else if sk.starts_with(keys::FILE_PREFIX) {
            *files.entry(pk.to_string()).or_default() += num(item, "size");
            *file_counts.entry(pk.to_string()).or_default() += 1;
        } else if sk == keys::TOKEN {
            tokens.push((s(item, "user_id").to_string(), num(item, "epoch")));
        } else if pk == keys::STATS && sk == keys::USERS_COUNTER {
            users_counter = Some(num(item, "count"));
        } else if pk.starts_with(keys::USER_PREFIX) {
            owned.push((pk.to_string(), sk.to_string()));
        }
    }
    r.users = users.len();
    r.workspaces = workspaces.len();

    // Guards <-> users.
    let mut guard_of: HashMap<String, String> = HashMap::new();
    for (pk, uid) in &guards {
        guard_of.insert(pk.clone(), uid.clone());
        let Some((u, _)) = Uuid::parse_str(uid).ok().and_then(|id| users.get(&id)) else {
            r.violations
                .push(format!("guard {pk} points at missing user {uid}"));
            continue;
        };
        let mut expected = vec![
            keys::email_guard(&u.email.lower()),
            keys::username_guard(&u.username.lower()),
        ];
        expected.extend(u.device.as_ref().map(|d| keys::pub_key_guard(&d.pub_key)));
        if !expected.contains(pk) {
            r.violations
                .push(format!("guard {pk} does not match user {uid}"));
        }
    }
    for (id, (u, item)) in &users {
        let device_guard = u.device.as_ref().map(|d| keys::pub_key_guard(&d.pub_key));
        for g in [
            keys::email_guard(&u.email.lower()),
            keys::username_guard(&u.username.lower()),
        ]
        .into_iter()
        .chain(device_guard)
        {
            if guard_of.get(&g) != Some(&id.to_string()) {
                r.violations.push(format!("user {id} lacks guard {g}"));
            }
        }
        // Directory entry = profile.
        let dir = u.dir_keys(keys::DIR_ALL.into(), None);
        let expected = serde_dynamo::to_item::<_, Item>(&dir).map_err(|e| e.to_string())?;
        for f in DIR_FIELDS.iter().chain(&[keys::DIR]) {
            if item.get(*f) != expected.get(*f) {
                r.violations
                    .push(format!("user {id}: directory field {f} is stale"));
            }
        }
        // Storage.
        let held = file_counts.get(&keys::user(*id)).copied().unwrap_or(0);
        if u.file_count != held {
            r.violations.push(format!(
                "user {id}: file_count {} != {held} files",
                u.file_count
            ));
        }
        let counted = files.get(&keys::user(*id)).copied().unwrap_or(0);
        if u.disk_space_used != counted {
            r.violations.push(format!(
                "user {id}: disk_space_used {} != counted files {counted}",
                u.disk_space_used
            ));
        }
        if !u.is_admin() && u.disk_space_used > u.disk_space {
            r.violations.push(format!("user {id}: usage over quota"));
        }
        if let Some(w) = u.default_workspace_id {
            if !u.memberships.contains_key(&w) {
                r.violations.push(format!(
                    "user {id}: default workspace {w} is not one of its own"
                ));
            }
        }
    }
    if let Some(c) = users_counter {
        if c != users.len() as i64 {
            r.violations
                .push(format!("users counter {c} != {} profiles", users.len()));
        }
    } else if !users.is_empty() {
        r.violations.push("users counter missing".into());
    }

    // Memberships <-> users and workspaces; counts.
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    let mut seen: HashSet<(Uuid, Uuid)> = HashSet::new();
    // Groups: members and grants, and what the grants give (`via`).
    let mut in_group: HashSet<(String, String)> = HashSet::new();
    let mut group_counts: HashMap<String, i64> = HashMap::new();
    for gm in &group_members {
        let (pk, uid) = (s(gm, keys::PK), s(gm, "user_id"));
        *group_counts.entry(pk.to_string()).or_default() += 1;
        in_group.insert((s(gm, "group_id").to_string(), uid.to_string()));
        if !groups.contains_key(pk) {
            r.violations
                .push(format!("group membership {pk}/{uid} of a missing group"));
        }
        let known = Uuid::parse_str(uid).is_ok_and(|id| users.contains_key(&id));
        if !known && !deleting.contains(&format!("{}{uid}", keys::USER_PREFIX)) {
            r.violations
                .push(format!("group membership {pk}/{uid} of a missing user"));
        }
    }
    for (pk, g) in &groups {
        let counted = group_counts.get(pk).copied().unwrap_or(0);
        if num(g, "member_count") != counted {
            r.violations.push(format!(
                "group {pk}: member_count {} != {counted} members",
                num(g, "member_count")
            ));
        }
        let guard = keys::group_name_guard(&s(g, "name").to_lowercase());
        if !group_guards
            .iter()
            .any(|(p, id)| *p == guard && id == s(g, "group_id"))
        {
            r.violations
                .push(format!("group {pk} lacks its name guard {guard}"));
        }
    }
    for (pk, gid) in &group_guards {
        if !groups.contains_key(&format!("{}{gid}", keys::GROUP_PREFIX)) {
            r.violations
                .push(format!("guard {pk} names a missing group {gid}"));
        }
    }
    for ((wid, gid), g) in &grants {
        if !groups.contains_key(&format!("{}{gid}", keys::GROUP_PREFIX)) {
            r.violations
                .push(format!("grant of workspace {wid} to missing group {gid}"));
        }
        if !workspaces.contains_key(&format!("{}{wid}", keys::WORKSPACE_PREFIX)) {
            r.violations
                .push(format!("grant to group {gid} of a missing workspace {wid}"));
        }
        if !mirrors.contains(&(wid.clone(), gid.clone())) {
            r.violations
                .push(format!("grant {wid}/{gid} lacks its mirror"));
        }
        if s(g, "status") != "active" && jobs == 0 {
            r.violations.push(format!(
                "grant {wid}/{gid} is {} with no job queued",
                s(g, "status")
            ));
        }
    }
    for (wid, gid) in &mirrors {
        if !grants.contains_key(&(wid.clone(), gid.clone())) {
            r.violations
                .push(format!("grant mirror {gid}/{wid} without its grant"));
        }
    }
    // Every member of a group with an active grant holds it; no one holds a grant
    // that is not there (grants still applying or revoking are work in progress).
    let mut held: HashSet<(String, String, String)> = HashSet::new();
    for m in &members {
        let (wid, uid) = (s(m, "workspace_id"), s(m, "user_id"));
        let via: BTreeMap<String, String> = m
            .get("via")
            .and_then(|v| v.as_m().ok())
            .map(|v| {
                v.iter()
                    .map(|(g, r)| (g.clone(), r.as_s().cloned().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        for (gid, role) in &via {
            held.insert((wid.to_string(), gid.clone(), uid.to_string()));
            let grant = grants.get(&(wid.to_string(), gid.clone()));
            match grant {
                Some(g) if s(g, "status") != "active" => {}
                Some(g) if s(g, "role") == role && in_group.contains(&(gid.clone(), uid.into())) => {}
                _ => r.violations.push(format!(
                    "membership {wid}/{uid} holds group {gid}'s {role} without an active grant and group membership"
                )),
            }
        }
    }
    for ((wid, gid), g) in &grants {
        if s(g, "status") != "active" {
            continue;
        }
        for (g2, uid) in &in_group {
            if g2 == gid && !held.contains(&(wid.clone(), gid.clone(), uid.clone())) {
                let known = Uuid::parse_str(uid).is_ok_and(|id| users.contains_key(&id));
                if known {
                    r.violations.push(format!(
                        "user {uid} of group {gid} lacks its grant on workspace {wid}"
                    ));
                }
            }
        }
    }

    for m in &members {
        let (pk, uid) = (s(m, keys::PK), s(m, "user_id"));
        let role = WsRole::parse_str(s(m, "role"));
        let direct = WsRole::parse_str(s(m, "direct"));
        let via_roles: Vec<WsRole> = m
            .get("via")
            .and_then(|v| v.as_m().ok())
            .map(|v| {
                v.values()
                    .filter_map(|r| WsRole::parse_str(r.as_s().ok()?))
                    .collect()
            })
            .unwrap_or_default();
        let effective = via_roles.into_iter().chain(direct).reduce(WsRole::higher);
        if effective != role {
            r.violations.push(format!(
                "membership {pk}/{uid}: role {role:?} is not the highest of direct and groups ({effective:?})"
            ));
        }
        let c = counts.entry(pk.to_string()).or_default();
        c.0 += 1;
        c.1 += i64::from(direct == Some(WsRole::Admin));
        if !workspaces.contains_key(pk) {
            r.violations
                .push(format!("membership {pk}/{uid} of a missing workspace"));
        }
        let wid = Uuid::parse_str(s(m, "workspace_id")).unwrap_or_default();
        let Some((u, _)) = Uuid::parse_str(uid).ok().and_then(|id| users.get(&id)) else {
            if !deleting.contains(&format!("{}{uid}", keys::USER_PREFIX)) {
                r.violations
                    .push(format!("membership {pk} of missing user {uid}"));
            }
            continue;
        };
        seen.insert((u.user_id, wid));
        if u.memberships.get(&wid).copied() != role {
            r.violations.push(format!(
                "user {uid}: channel list disagrees with membership {pk}"
            ));
        }
        if u.direct_memberships.get(&wid).copied() != direct {
            r.violations.push(format!(
                "user {uid}: direct memberships disagree with membership {pk}"
            ));
        }
        let dir = serde_dynamo::to_item::<_, Item>(&u.dir_keys(keys::dir_workspace(wid), role))
            .map_err(|e| e.to_string())?;
        for f in DIR_FIELDS.iter().chain(&[keys::DIR, "ws_role"]) {
            if m.get(*f) != dir.get(*f) {
                r.violations.push(format!(
                    "membership {pk}/{uid}: directory field {f} is stale"
                ));
            }
        }
    }
    for (id, (u, _)) in &users {
        for w in u.memberships.keys().chain(u.direct_memberships.keys()) {
            if !seen.contains(&(*id, *w)) {
                r.violations.push(format!(
                    "user {id} lists workspace {w} without a membership"
                ));
            }
        }
    }
    for (pk, ws) in &workspaces {
        let (members, admins) = counts.get(pk).copied().unwrap_or((0, 0));
        if num(ws, "member_count") != members {
            r.violations.push(format!(
                "workspace {pk}: member_count {} != {members} members",
                num(ws, "member_count")
            ));
        }
        if num(ws, "admin_count") != admins {
            r.violations.push(format!(
                "workspace {pk}: admin_count {} != {admins}",
                num(ws, "admin_count")
            ));
        }
        if members > 0 && admins == 0 {
            r.violations
                .push(format!("workspace {pk} has members but no admin"));
        }
    }

    // Invitations <-> their guards and workspaces (expired ones wait for TTL).
    let now = ctx.clock.now().timestamp();
    for inv in &invitations {
        let (pk, iid) = (s(inv, keys::PK), s(inv, "invitation_id"));
        if num(inv, "expires_at") <= now {
            continue;
        }
        if !workspaces.contains_key(pk) {
            r.violations
                .push(format!("invitation {pk}/{iid} of a missing workspace"));
        }
        let guard = (
            pk.to_string(),
            keys::invited_email(&s(inv, "email").to_lowercase()),
        );
        if invitation_guards.get(&guard).map(|g| s(g, "invitation_id")) != Some(iid) {
            r.violations
                .push(format!("invitation {pk}/{iid} lacks its guard {}", guard.1));
        }
    }
    for ((pk, sk), g) in &invitation_guards {
        let iid = s(g, "invitation_id");
        let named = invitations
            .iter()
            .any(|i| s(i, keys::PK) == pk && s(i, "invitation_id") == iid);
        if num(g, "expires_at") > now && !named {
            r.violations
                .push(format!("guard {pk}/{sk} names a missing invitation {iid}"));
        }
    }

    // Everything a user owns belongs to an existing (or being deleted) user.
    let known: HashSet<String> = users.keys().map(|id| keys::user(*id)).collect();
    let owners = owned
        .iter()
        .map(|(pk, sk)| (pk.as_str(), sk.as_str()))
        .chain(files.keys().map(|pk| (pk.as_str(), keys::FILE_PREFIX)));
    for (pk, sk) in owners {
        if !known.contains(pk) && !deleting.contains(pk) {
            r.violations
                .push(format!("item {pk}/{sk} belongs to no user"));
        }
    }
    for (uid, epoch) in tokens {
        let id = Uuid::parse_str(&uid).ok();
        match id.and_then(|id| users.get(&id)) {
            // A token item of the current epoch is looked for only while the profile
            // says its user has such items; without the flag it could never be used.
            Some((u, _)) if u.session_epoch == epoch && !u.spilled_tokens => r.violations.push(
                format!("token item of {uid} that its profile does not know of"),
            ),
            Some(_) => {}
            None if id.is_some_and(|id| deleting.contains(&keys::user(id))) => {}
            None => r.violations.push(format!("token of missing user {uid}")),
        }
    }
    Ok(r)
}
