//! Workspaces and memberships. A membership item is also the member's directory entry
//! in the workspace; it changes in one transaction with the member counts, the
//! member's channel map on its profile, and the activity.

use uuid::Uuid;

use super::read::{key_of, Range};
use super::users::member_dir_attrs;
use super::write::{known_or_read, optimistic, Attempt, Check, Op, Tx};
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

fn member_item(m: &MemberRecord, user: &UserRecord) -> Result<Item, ApiError> {
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

/// The profile side of a membership change: the channel map and `mrev`, only if the
/// profile is still the version read (its directory copy is what we wrote).
fn profile_membership(user: &UserRecord, workspace: Uuid, role: Option<WsRole>) -> Op {
    let expr = match role {
        Some(_) => "SET memberships.#w = :r ADD mrev :one",
        None => "REMOVE memberships.#w ADD mrev :one",
    };
    let op = Op::update(key(keys::user(user.user_id), keys::PROFILE), expr)
        .when("version = :v AND mrev = :m", Check::Profile)
        .name("#w", &workspace.to_string())
        .val(":v", n(user.version))
        .val(":m", n(user.mrev))
        .val(":one", n(1));
    match role {
        Some(r) => op.val(":r", s(r.as_str())),
        None => op,
    }
}

/// Whether a change of membership may add a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joining {
    /// A global admin adds members directly.
    Direct,
    /// Anyone else only changes existing members; joining takes an invitation.
    InviteOnly,
}

/// The writes that add `member` (as [`Store::new_member`] made it) for `user` (as read),
/// by `actor`, recording `workspace.member_added`.
pub(crate) fn add_member(
    ws: &WorkspaceRecord,
    user: &UserRecord,
    member: &MemberRecord,
    actor: Uuid,
) -> Result<Tx, ApiError> {
    let mut tx = Tx::new();
    tx.push(Op::put(member_item(member, user)?).when("attribute_not_exists(PK)", Check::Member));
    let admins = i64::from(member.role == WsRole::Admin);
    tx.push(
        Op::update(meta(ws), "ADD member_count :one, admin_count :a")
            .when(OPEN, Check::Workspace)
            .val(":one", n(1))
            .val(":a", n(admins)),
    );
    tx.push(profile_membership(user, ws.workspace_id, Some(member.role)));
    tx.record(
        NewActivity::new(kind::MEMBER_ADDED, user.user_id, actor)
            .in_workspace(ws.workspace_id, &ws.name)
            .with_data(serde_json::json!({ "role": member.role })),
    );
    Ok(tx)
}

/// The writes that change `old`, the membership of `user` (as read), to `role`,
/// recording `activity`; the last admin is kept.
pub(crate) fn change_role(
    ws: &WorkspaceRecord,
    user: &UserRecord,
    old: &MemberRecord,
    role: WsRole,
    activity: NewActivity,
) -> Tx {
    let mut tx = Tx::new();
    tx.push(
        Op::update(
            key(keys::workspace(ws.workspace_id), keys::member(user.user_id)),
            "SET #r = :r, ws_role = :r",
        )
        .when("#r = :old", Check::Member)
        .name("#r", "role")
        .val(":r", s(role.as_str()))
        .val(":old", s(old.role.as_str())),
    );
    let delta = i64::from(role == WsRole::Admin) - i64::from(old.role == WsRole::Admin);
    tx.push(if delta < 0 {
        Op::update(meta(ws), "ADD admin_count :d")
            .when("admin_count > :one", Check::LastAdmin)
            .val(":d", n(delta))
            .val(":one", n(1))
    } else if delta > 0 {
        Op::update(meta(ws), "ADD admin_count :d")
            .when(OPEN, Check::Workspace)
            .val(":d", n(delta))
    } else {
        Op::check(meta(ws)).when(OPEN, Check::Workspace)
    });
    tx.push(profile_membership(user, ws.workspace_id, Some(role)));
    tx.record(activity);
    tx
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
                "REMOVE memberships.#w ADD mrev :one",
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
                if creator.memberships.len() >= MAX_MEMBERSHIPS {
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
                    joined_at: now,
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
    /// [`Joining::InviteOnly`] a user who is not a member (known or not) is 403
    /// `workspace:members:invite`; otherwise an unknown user is 404. A user in
    /// [`MAX_MEMBERSHIPS`] workspaces, or demoting the last admin, is 409.
    pub async fn set_member(
        &self,
        ws: &WorkspaceRecord,
        user: Uuid,
        role: WsRole,
        actor: Uuid,
        joining: Joining,
    ) -> Result<MemberRecord, ApiError> {
        let wid = ws.workspace_id;
        optimistic(
            Some(ws.clone()),
            move |known: Option<WorkspaceRecord>| async move {
                let read = self.get_workspace(wid);
                let ws = known_or_read(known, read, || workspace_gone(wid)).await?;
                let existing = self.get_member(ws.workspace_id, user).await?;
                if existing.is_none() && joining == Joining::InviteOnly {
                    return Err(ApiError::forbidden("workspace:members:invite"));
                }
                let member_user = self
                    .get_user(user)
                    .await?
                    .ok_or_else(|| ApiError::not_found("user", &user.to_string()))?;
                let (result, member) = match existing {
                    Some(m) if m.role == role => return Ok(Attempt::Done(m)),
                    Some(m) => {
                        let activity = NewActivity::new(kind::ROLE_CHANGED, user, actor)
                            .in_workspace(ws.workspace_id, &ws.name)
                            .with_data(serde_json::json!({ "from": m.role, "to": role }));
                        let changed = MemberRecord { role, ..m.clone() };
                        let tx = change_role(&ws, &member_user, &m, role, activity);
                        (self.commit(tx).await, changed)
                    }
                    None => {
                        let member = self.new_member(&ws, &member_user, role)?;
                        let tx = add_member(&ws, &member_user, &member, actor)?;
                        (self.commit(tx).await, member)
                    }
                };
                match result {
                    Ok(()) => Ok(Attempt::Done(member)),
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

    /// The membership `user` would get in `ws` with `role` now; 409 when `user` is in
    /// [`MAX_MEMBERSHIPS`] workspaces already.
    pub(crate) fn new_member(
        &self,
        ws: &WorkspaceRecord,
        user: &UserRecord,
        role: WsRole,
    ) -> Result<MemberRecord, ApiError> {
        if user.memberships.len() >= MAX_MEMBERSHIPS {
            return Err(too_many_memberships());
        }
        Ok(MemberRecord {
            workspace_id: ws.workspace_id,
            user_id: user.user_id,
            role,
            joined_at: self.clock.now_rfc3339(),
        })
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
                Ok(()) => {}
                Err(r) if r.failed(Check::Profile) => {
                    self.commit(membership_removal(ws, m, actor, false)).await?
                }
                Err(r) => return Err(r.into()),
            }
        }
        let own_key = key(keys::workspace(wid), keys::member(actor));
        let rest: Vec<Item> = self
            .read_all(&Range::partition(keys::workspace(wid)))
            .await?
            .iter()
            .map(key_of)
            .filter(|k| {
                let sk = k.get(keys::SK).and_then(|v| v.as_s().ok());
                sk.map(String::as_str) != Some(keys::META) && *k != own_key
            })
            .collect();
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
        self.commit(tx).await.map_err(ApiError::from)
    }

    /// Removes user `user` from `ws`, by `actor`, recording `workspace.member_removed`.
    /// Not a member is 404 (`member`); removing the last admin of a workspace that
    /// keeps other members is 409.
    pub async fn remove_member(
        &self,
        ws: &WorkspaceRecord,
        user: Uuid,
        actor: Uuid,
    ) -> Result<(), ApiError> {
        let not_member = || ApiError::not_found("member", &user.to_string());
        optimistic((), move |()| async move {
            let old = self
                .get_member(ws.workspace_id, user)
                .await?
                .ok_or_else(not_member)?;
            let member_user = self.get_user(user).await?.ok_or_else(not_member)?;
            let mut tx = Tx::new();
            tx.push(
                Op::delete(key(keys::workspace(ws.workspace_id), keys::member(user)))
                    .when("#r = :old", Check::Member)
                    .name("#r", "role")
                    .val(":old", s(old.role.as_str())),
            );
            tx.push(if old.role == WsRole::Admin {
                Op::update(meta(ws), "ADD member_count :d, admin_count :d")
                    .when("admin_count > :one", Check::LastAdmin)
                    .val(":d", n(-1))
                    .val(":one", n(1))
            } else {
                Op::update(meta(ws), "ADD member_count :d")
                    .when("attribute_exists(PK)", Check::Workspace)
                    .val(":d", n(-1))
            });
            tx.push(profile_membership(&member_user, ws.workspace_id, None));
            tx.record(
                NewActivity::new(kind::MEMBER_REMOVED, user, actor)
                    .in_workspace(ws.workspace_id, &ws.name)
                    .with_data(serde_json::json!({ "role": old.role })),
            );
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(())),
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
