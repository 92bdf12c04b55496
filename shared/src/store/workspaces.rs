//! Workspaces and memberships. A membership item is also the member's directory entry
//! in the workspace; it changes in one transaction with the member counts, the
//! member's channel map on its profile, and the activity.

use uuid::Uuid;

use super::read::{key_of, Range};
use super::users::member_dir_attrs;
use super::write::{
    known_or_read, optimistic, update_expression, Attempt, Check, Op, Rejection, Tx,
};
use super::{from_item, key, n, s, to_item, with_key, Item, Store};
use crate::activity::{kind, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::{MemberRecord, UserRecord, WorkspaceRecord};
use crate::paging::{Page, PageRequest};
use crate::types::WsRole;
use aws_sdk_dynamodb::types::AttributeValue;

/// The most workspaces one user may belong to: every profile change rewrites each
/// membership's directory copy in the same transaction, which holds 100 writes.
pub const MAX_MEMBERSHIPS: usize = 40;

fn too_many_memberships() -> ApiError {
    ApiError::over_limit(
        "memberships",
        MAX_MEMBERSHIPS,
        format!("A user may belong to at most {MAX_MEMBERSHIPS} workspaces"),
    )
}

pub(crate) fn member_item(m: &MemberRecord, user: &UserRecord) -> Result<Item, ApiError> {
    let mut item = with_key(
        to_item(m)?,
        keys::workspace(m.workspace_id),
        keys::member(m.user_id),
    );
    item.extend(member_dir_attrs(user, m.workspace_id, m.role)?);
    item.insert(keys::GSI1PK.into(), s(keys::user(m.user_id)));
    item.insert(keys::GSI1SK.into(), s(keys::workspace(m.workspace_id)));
    Ok(item)
}

pub(crate) fn member_key(workspace: Uuid, user: Uuid) -> Item {
    key(keys::workspace(workspace), keys::member(user))
}

/// The profile side of a direct membership change: the effective and direct role maps
/// and `mrev`, only if the profile is still the version read (a new membership item
/// copies its directory fields).
fn profile_membership(
    user: &UserRecord,
    workspace: Uuid,
    effective: Option<WsRole>,
    direct: Option<WsRole>,
) -> Op {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    match effective {
        Some(_) => set.push("memberships.#w = :r".to_string()),
        None => remove.push("memberships.#w".to_string()),
    }
    match direct {
        Some(_) => set.push("direct_memberships.#w = :d".to_string()),
        None => remove.push("direct_memberships.#w".to_string()),
    }
    // Leaving the user's default workspace clears it (a change of the representation).
    let tail = if effective.is_none() && user.default_workspace_id == Some(workspace) {
        remove.push("default_workspace_id".to_string());
        "ADD mrev :one, version :one"
    } else {
        "ADD mrev :one"
    };
    let expr = update_expression(&set, &remove, tail);
    let mut op = Op::update(key(keys::user(user.user_id), keys::PROFILE), expr)
        .when("version = :v AND mrev = :m", Check::Profile)
        .name("#w", &workspace.to_string())
        .val(":v", n(user.version))
        .val(":m", n(user.mrev))
        .val(":one", n(1));
    if let Some(r) = effective {
        op = op.val(":r", s(r.as_str()));
    }
    if let Some(d) = direct {
        op = op.val(":d", s(d.as_str()));
    }
    op
}

/// On whose authority a membership change is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// A global admin: adds members directly.
    GlobalAdmin,
    /// The workspace's admin `0`: changes and removes existing members only (joining
    /// takes an invitation), and only while it is still an admin there when the change
    /// commits.
    WorkspaceAdmin(Uuid),
    /// The member itself, leaving.
    Itself,
}

/// The check, in a change's own transaction, that a workspace admin acting on
/// `authority` still is one there (its effective role), unless the change writes that
/// very membership (whose own condition covers it).
fn still_admin(ws: Uuid, authority: Authority, target: Uuid) -> Option<Op> {
    match authority {
        Authority::WorkspaceAdmin(actor) if actor != target => Some(
            Op::check(member_key(ws, actor))
                .when("#r = :admin", Check::Actor)
                .name("#r", "role")
                .val(":admin", s(WsRole::Admin.as_str())),
        ),
        _ => None,
    }
}

fn no_longer_admin() -> ApiError {
    ApiError::forbidden("workspace:members:write")
}

/// The writes that set the direct role of `user` (as read) in `ws` to `direct` (`None`
/// removes it), given its membership item as read (`before`), recording `activity`;
/// the grants of the user's groups are kept, and so is the last direct admin. Answers
/// the membership as it will be (`None`: no membership left).
pub(crate) fn set_direct(
    ws: &WorkspaceRecord,
    user: &UserRecord,
    before: Option<&MemberRecord>,
    direct: Option<WsRole>,
    joined_at: String,
    activity: NewActivity,
) -> Result<(Tx, Option<MemberRecord>), ApiError> {
    let via = before.map(|m| m.via.clone()).unwrap_or_default();
    let effective = MemberRecord::effective(direct, &via);
    let after = effective.map(|role| MemberRecord {
        workspace_id: ws.workspace_id,
        user_id: user.user_id,
        role,
        direct,
        via,
        joined_at: before.map_or(joined_at, |m| m.joined_at.clone()),
        mver: before.map_or(0, |m| m.mver + 1),
    });
    let mut tx = Tx::new();
    let item_key = member_key(ws.workspace_id, user.user_id);
    let read =
        |op: Op, m: &MemberRecord| op.when("mver = :mv", Check::Member).val(":mv", n(m.mver));
    match (before, &after) {
        (None, None) => {}
        (None, Some(a)) => {
            tx.push(Op::put(member_item(a, user)?).when("attribute_not_exists(PK)", Check::Member))
        }
        (Some(b), None) => tx.push(read(Op::delete(item_key), b)),
        (Some(b), Some(a)) => {
            let expr = match direct {
                Some(_) => "SET #r = :r, ws_role = :r, direct = :d ADD mver :one",
                None => "SET #r = :r, ws_role = :r REMOVE direct ADD mver :one",
            };
            let mut op = Op::update(item_key, expr)
                .name("#r", "role")
                .val(":r", s(a.role.as_str()))
                .val(":one", n(1));
            if let Some(d) = direct {
                op = op.val(":d", s(d.as_str()));
            }
            tx.push(read(op, b));
        }
    }
    let was_admin = before.and_then(|m| m.direct) == Some(WsRole::Admin);
    let members = i64::from(after.is_some()) - i64::from(before.is_some());
    let admins = i64::from(direct == Some(WsRole::Admin)) - i64::from(was_admin);
    let mut adds = Vec::new();
    if members != 0 {
        adds.push("member_count :dm");
    }
    if admins != 0 {
        adds.push("admin_count :da");
    }
    let mut meta_op = if adds.is_empty() {
        Op::check(meta(ws))
    } else {
        Op::update(meta(ws), format!("ADD {}", adds.join(", ")))
    };
    if members != 0 {
        meta_op = meta_op.val(":dm", n(members));
    }
    if admins != 0 {
        meta_op = meta_op.val(":da", n(admins));
    }
    meta_op = if admins < 0 {
        meta_op
            .when("admin_count > :one", Check::LastAdmin)
            .val(":one", n(1))
    } else if direct.is_some() {
        meta_op.when(OPEN, Check::Workspace)
    } else {
        meta_op.when("attribute_exists(PK)", Check::Workspace)
    };
    tx.push(meta_op);
    tx.push(profile_membership(
        user,
        ws.workspace_id,
        after.as_ref().map(|a| a.role),
        direct,
    ));
    tx.record(activity);
    Ok((tx, after))
}

/// The writes that remove membership `m` of the deleting workspace `ws` by `actor`:
/// the member item and, when `profile` (the member's profile still exists), the
/// channel on it, recording `workspace.member_removed` with the reason.
fn membership_removal(ws: &WorkspaceRecord, m: &MemberRecord, actor: Uuid, profile: bool) -> Tx {
    let mut tx = Tx::new();
    tx.push(Op::delete(key(
        keys::workspace(ws.workspace_id),
        keys::member(m.user_id),
    )));
    if profile {
        tx.push(
            Op::update(
                key(keys::user(m.user_id), keys::PROFILE),
                "REMOVE memberships.#w, direct_memberships.#w ADD mrev :one",
            )
            .when("attribute_exists(PK)", Check::Profile)
            .name("#w", &ws.workspace_id.to_string())
            .val(":one", n(1)),
        );
        tx.record(
            NewActivity::new(kind::MEMBER_REMOVED, m.user_id, actor)
                .in_workspace(ws.workspace_id, &ws.name)
                .with_data(serde_json::json!({ "role": m.role, "reason": "workspace_deleted" })),
        );
    }
    tx
}

/// The condition on a workspace's `META` that a new or changed membership needs: it
/// exists and no delete has begun.
pub(crate) const OPEN: &str = "attribute_exists(PK) AND attribute_not_exists(deleting)";

fn meta(ws: &WorkspaceRecord) -> Item {
    key(keys::workspace(ws.workspace_id), keys::META)
}

fn workspace_gone(id: Uuid) -> ApiError {
    ApiError::not_found("workspace", &id.to_string())
}

impl Store {
    pub async fn get_workspace(&self, id: Uuid) -> Result<Option<WorkspaceRecord>, ApiError> {
        self.get_as(keys::workspace(id), keys::META).await
    }

    /// Workspaces by id (missing ones skipped).
    pub async fn get_workspaces(&self, ids: &[Uuid]) -> Result<Vec<WorkspaceRecord>, ApiError> {
        let keys_: Vec<Item> = ids
            .iter()
            .map(|id| key(keys::workspace(*id), keys::META))
            .collect();
        self.batch_get(keys_)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn get_member(
        &self,
        workspace: Uuid,
        user: Uuid,
    ) -> Result<Option<MemberRecord>, ApiError> {
        self.get_as(keys::workspace(workspace), &keys::member(user))
            .await
    }

    /// Users by id with their memberships of `workspace`, read in one batch, in the
    /// order given (users gone left out).
    pub async fn get_users_in(
        &self,
        workspace: Uuid,
        ids: &[Uuid],
    ) -> Result<Vec<(UserRecord, Option<MemberRecord>)>, ApiError> {
        let wanted: Vec<Item> = ids
            .iter()
            .flat_map(|u| {
                [
                    key(keys::user(*u), keys::PROFILE),
                    member_key(workspace, *u),
                ]
            })
            .collect();
        let mut users = Vec::new();
        let mut members = std::collections::HashMap::new();
        for item in self.batch_get(wanted).await? {
            let sk = item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned();
            if sk.as_deref() == Some(keys::PROFILE) {
                users.push(from_item::<UserRecord>(item)?);
            } else {
                let m: MemberRecord = from_item(item)?;
                members.insert(m.user_id, m);
            }
        }
        users.sort_by_key(|u| ids.iter().position(|i| *i == u.user_id));
        Ok(users
            .into_iter()
            .map(|u| {
                let m = members.remove(&u.user_id);
                (u, m)
            })
            .collect())
    }

    /// A page of workspaces in id order (oldest first, ids being time-ordered): every workspace (`member` is `None`), or
    /// those `member` belongs to.
    pub async fn workspaces_page(
        &self,
        member: Option<Uuid>,
        page: &PageRequest,
    ) -> Result<Page<WorkspaceRecord>, ApiError> {
        let owner = member.map_or_else(|| keys::ALL_WORKSPACES.to_string(), keys::user);
        let listed = Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, owner)
            .prefix(keys::WORKSPACE_PREFIX);
        self.read_page_of(&listed, page, |entry| {
            let pk = entry.get(keys::PK)?.as_s().ok()?;
            Some(key(pk.clone(), keys::META))
        })
        .await
    }

    /// Every member of a workspace.
    pub async fn workspace_members(&self, workspace: Uuid) -> Result<Vec<MemberRecord>, ApiError> {
        let members = Range::partition(keys::workspace(workspace)).prefix(keys::MEMBER_PREFIX);
        self.read_all_as(&members).await
    }

    /// Creates workspace `id` named `name` with `creator` (as the caller read it) as its
    /// one admin, recording `workspace.created`. A creator already in
    /// [`MAX_MEMBERSHIPS`] workspaces is 409.
    pub async fn create_workspace(
        &self,
        id: Uuid,
        creator: &UserRecord,
        name: &str,
    ) -> Result<WorkspaceRecord, ApiError> {
        let creator_id = creator.user_id;
        optimistic(
            Some(creator.clone()),
            move |known: Option<UserRecord>| async move {
                let read = self.get_user(creator_id);
                let creator = known_or_read(known, read, ApiError::unauthenticated).await?;
                if creator.direct_memberships.len() >= MAX_MEMBERSHIPS {
                    return Err(too_many_memberships());
                }
                let now = self.clock.now_rfc3339();
                let ws = WorkspaceRecord {
                    workspace_id: id,
                    name: name.to_string(),
                    created_at: now.clone(),
                    created_by: creator.user_id,
                    member_count: 1,
                    admin_count: 1,
                    deleting: false,
                };
                let member = MemberRecord {
                    workspace_id: ws.workspace_id,
                    user_id: creator.user_id,
                    role: WsRole::Admin,
                    direct: Some(WsRole::Admin),
                    via: Default::default(),
                    joined_at: now,
                    mver: 0,
                };
                let mut meta_item =
                    with_key(to_item(&ws)?, keys::workspace(ws.workspace_id), keys::META);
                meta_item.insert(keys::GSI1PK.into(), s(keys::ALL_WORKSPACES));
                meta_item.insert(keys::GSI1SK.into(), s(keys::workspace(ws.workspace_id)));
                let mut tx = Tx::new();
                tx.push(Op::put(meta_item).when("attribute_not_exists(PK)", Check::Workspace));
                tx.push(Op::put(member_item(&member, &creator)?));
                tx.push(profile_membership(
                    &creator,
                    ws.workspace_id,
                    Some(WsRole::Admin),
                    Some(WsRole::Admin),
                ));
                tx.record(
                    NewActivity::new(kind::WORKSPACE_CREATED, creator.user_id, creator.user_id)
                        .in_workspace(ws.workspace_id, &ws.name)
                        .with_data(serde_json::json!({ "name": ws.name })),
                );
                match self.commit(tx).await {
                    Ok(()) => Ok(Attempt::Done(ws)),
                    Err(r) if r.failed(Check::Profile) => Ok(Attempt::Retry(None)),
                    Err(r) => Err(r.into()),
                }
            },
        )
        .await
    }

    /// Makes user `user` a member of `ws` with `role`, by `actor`: adds it (recording
    /// `workspace.member_added`) or changes its role (`workspace.role_changed`); the
    /// same role again changes nothing. Answers the membership. With
    /// [`Authority::WorkspaceAdmin`] a user who is not a member (known or not) is 403
    /// `workspace:members:invite`; otherwise an unknown user is 404. A user in
    /// [`MAX_MEMBERSHIPS`] workspaces, or demoting the last admin, is 409.
    pub async fn set_member(
        &self,
        ws: &WorkspaceRecord,
        user: Uuid,
        role: WsRole,
        actor: Uuid,
        authority: Authority,
    ) -> Result<MemberRecord, ApiError> {
        let wid = ws.workspace_id;
        optimistic(
            Some(ws.clone()),
            move |known: Option<WorkspaceRecord>| async move {
                let read = self.get_workspace(wid);
                let ws = known_or_read(known, read, || workspace_gone(wid)).await?;
                let existing = self.get_member(ws.workspace_id, user).await?;
                if authority == Authority::WorkspaceAdmin(user)
                    && existing.as_ref().map(|m| m.role) != Some(WsRole::Admin)
                {
                    return Err(no_longer_admin());
                }
                let direct = existing.as_ref().and_then(|m| m.direct);
                if direct.is_none() && authority != Authority::GlobalAdmin {
                    return Err(ApiError::forbidden("workspace:members:invite"));
                }
                let member_user = self
                    .get_user(user)
                    .await?
                    .ok_or_else(|| ApiError::not_found("user", &user.to_string()))?;
                let activity = match (&existing, direct) {
                    (Some(m), Some(d)) if d == role => return Ok(Attempt::Done(m.clone())),
                    (_, Some(d)) => NewActivity::new(kind::ROLE_CHANGED, user, actor)
                        .with_data(serde_json::json!({ "from": d, "to": role })),
                    (_, None) => {
                        self.check_membership_limit(&member_user)?;
                        NewActivity::new(kind::MEMBER_ADDED, user, actor)
                            .with_data(serde_json::json!({ "role": role }))
                    }
                };
                let activity = activity.in_workspace(ws.workspace_id, &ws.name);
                let now = self.clock.now_rfc3339();
                let (mut tx, after) = set_direct(
                    &ws,
                    &member_user,
                    existing.as_ref(),
                    Some(role),
                    now,
                    activity,
                )?;
                if let Some(check) = still_admin(wid, authority, user) {
                    tx.push(check);
                }
                let result = self.commit(tx).await;
                let member = after.ok_or_else(|| ApiError::internal("membership vanished"))?;
                match result {
                    Ok(()) => Ok(Attempt::Done(member)),
                    Err(r) if r.failed(Check::Actor) => Err(no_longer_admin()),
                    Err(r) if r.failed(Check::LastAdmin) => Err(r.into()),
                    Err(r) if r.failed(Check::Workspace) => Err(workspace_gone(wid)),
                    Err(r) if r.failed(Check::Profile) || r.failed(Check::Member) => {
                        Ok(Attempt::Retry(None))
                    }
                    Err(r) => Err(r.into()),
                }
            },
        )
        .await
    }

    /// 409 when `user` is a direct member of [`MAX_MEMBERSHIPS`] workspaces already.
    pub(crate) fn check_membership_limit(&self, user: &UserRecord) -> Result<(), ApiError> {
        if user.direct_memberships.len() >= MAX_MEMBERSHIPS {
            return Err(too_many_memberships());
        }
        Ok(())
    }

    /// Renames `ws` to `name`, by `actor`, recording `workspace.renamed` in the actor's
    /// feed. Answers the workspace as renamed; gone meanwhile is 404.
    pub async fn rename_workspace(
        &self,
        ws: &WorkspaceRecord,
        name: &str,
        actor: Uuid,
    ) -> Result<WorkspaceRecord, ApiError> {
        let mut tx = Tx::new();
        tx.push(
            Op::update(meta(ws), "SET #n = :n")
                .when(OPEN, Check::Workspace)
                .name("#n", "name")
                .val(":n", s(name)),
        );
        tx.record(
            NewActivity::new(kind::WORKSPACE_RENAMED, actor, actor)
                .in_workspace(ws.workspace_id, name)
                .with_data(serde_json::json!({ "from": ws.name, "to": name })),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(WorkspaceRecord {
                name: name.to_string(),
                ..ws.clone()
            }),
            Err(r) if r.failed(Check::Workspace) => Err(workspace_gone(ws.workspace_id)),
            Err(r) => Err(r.into()),
        }
    }

    /// Deletes `ws` with its memberships and invitations, by `actor`: marks it
    /// deleting (no one joins any more), removes each other member (its profile's
    /// channel map too, recording `workspace.member_removed` with the reason), sweeps
    /// the rest of the partition, and removes the workspace with `actor`'s own
    /// membership in one last transaction, recording `workspace.deleted` in the actor's
    /// feed. A retry after an interruption finishes it.
    pub async fn delete_workspace(
        &self,
        ws: &WorkspaceRecord,
        actor: Uuid,
    ) -> Result<(), ApiError> {
        let wid = ws.workspace_id;
        if !ws.deleting {
            let mark = Op::update(meta(ws), "SET deleting = :t")
                .when("attribute_exists(PK)", Check::Workspace)
                .val(":t", AttributeValue::Bool(true));
            match self.write(mark).await {
                Ok(()) => {}
                Err(r) if r.failed(Check::Workspace) => return Err(workspace_gone(wid)),
                Err(r) => return Err(r.into()),
            }
        }
        let (own, others): (Vec<MemberRecord>, Vec<MemberRecord>) = self
            .workspace_members(wid)
            .await?
            .into_iter()
            .partition(|m| m.user_id == actor);
        for m in &others {
            let tx = membership_removal(ws, m, actor, true);
            match self.commit(tx).await {
                Ok(()) => self.clear_default_workspace(m.user_id, wid).await?,
                Err(r) if r.failed(Check::Profile) => {
                    self.commit(membership_removal(ws, m, actor, false)).await?
                }
                Err(r) => return Err(r.into()),
            }
        }
        let own_key = key(keys::workspace(wid), keys::member(actor));
        let mut rest: Vec<Item> = self
            .read_all(&Range::partition(keys::workspace(wid)))
            .await?
            .iter()
            .map(key_of)
            .filter(|k| {
                let sk = k.get(keys::SK).and_then(|v| v.as_s().ok());
                sk.map(String::as_str) != Some(keys::META) && *k != own_key
            })
            .collect();
        // Each grant's mirror in its group's partition goes with it.
        let mirrors: Vec<Item> = rest
            .iter()
            .filter_map(|k| {
                k.get(keys::SK)?
                    .as_s()
                    .ok()?
                    .strip_prefix(keys::GRANT_PREFIX)
            })
            .filter_map(|g| Uuid::parse_str(g).ok())
            .map(|g| key(keys::group(g), keys::grant(wid)))
            .collect();
        rest.extend(mirrors);
        self.delete_keys(rest).await?;
        // The caller's own membership goes last, with the workspace: until then a
        // workspace admin still sees it and may retry.
        let mut tx = own
            .first()
            .map_or_else(Tx::new, |m| membership_removal(ws, m, actor, true));
        tx.push(Op::delete(meta(ws)));
        tx.record(
            NewActivity::new(kind::WORKSPACE_DELETED, actor, actor)
                .in_workspace(wid, &ws.name)
                .with_data(serde_json::json!({ "name": ws.name })),
        );
        self.commit(tx).await.map_err(ApiError::from)?;
        self.clear_default_workspace(actor, wid).await
    }

    /// Clears `user`'s default workspace if it is `workspace` (which it left).
    pub(crate) async fn clear_default_workspace(
        &self,
        user: Uuid,
        workspace: Uuid,
    ) -> Result<(), ApiError> {
        let op = Op::update(
            key(keys::user(user), keys::PROFILE),
            "REMOVE default_workspace_id ADD version :one",
        )
        .when("default_workspace_id = :w", Check::Profile)
        .val(":w", s(workspace.to_string()))
        .val(":one", n(1));
        match self.write(op).await {
            Ok(()) | Err(Rejection::Failed(_)) => Ok(()),
            Err(r) => Err(r.into()),
        }
    }

    /// Removes user `user` from `ws`, by `actor`, recording `workspace.member_removed`.
    /// Not a member is 404 (`member`); removing the last admin of a workspace that
    /// keeps other members is 409.
    pub async fn remove_member(
        &self,
        ws: &WorkspaceRecord,
        user: Uuid,
        actor: Uuid,
        authority: Authority,
    ) -> Result<(), ApiError> {
        let not_member = || ApiError::not_found("member", &user.to_string());
        optimistic((), move |()| async move {
            let old = self
                .get_member(ws.workspace_id, user)
                .await?
                .ok_or_else(not_member)?;
            if authority == Authority::WorkspaceAdmin(user) && old.role != WsRole::Admin {
                return Err(no_longer_admin());
            }
            let Some(direct) = old.direct else {
                return Err(ApiError::conflict(
                    "via",
                    "The user is a member only through groups: revoke the grant or remove \
                     the user from the group",
                ));
            };
            let member_user = self.get_user(user).await?.ok_or_else(not_member)?;
            let activity = NewActivity::new(kind::MEMBER_REMOVED, user, actor)
                .in_workspace(ws.workspace_id, &ws.name)
                .with_data(serde_json::json!({ "role": direct }));
            let now = self.clock.now_rfc3339();
            let (mut tx, _) = set_direct(ws, &member_user, Some(&old), None, now, activity)?;
            if let Some(check) = still_admin(ws.workspace_id, authority, user) {
                tx.push(check);
            }
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(r) if r.failed(Check::Actor) => Err(no_longer_admin()),
                Err(r) if r.failed(Check::LastAdmin) => Err(r.into()),
                Err(r)
                    if r.failed(Check::Profile)
                        || r.failed(Check::Member)
                        || r.failed(Check::Workspace) =>
                {
                    Ok(Attempt::Retry(()))
                }
                Err(r) => Err(r.into()),
            }
        })
        .await
    }
}
