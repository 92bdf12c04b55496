//! Workspaces and memberships. A membership item is also the member's directory entry
//! in the workspace; it changes in one transaction with the member counts, the
//! member's channel lists on its profile, and the activity.

use uuid::Uuid;

use super::users::{label, member_dir_attrs};
use super::{from_item, key, n, s, to_item, with_key, Item, Op, Store, Tx, TxError};
use crate::activity::NewActivity;
use crate::error::ApiError;
use crate::keys;
use crate::model::{MemberRecord, UserRecord, WorkspaceRecord, WsRole};

/// Labels of the conditions workspace writes can fail on.
pub mod ws_label {
    pub const WORKSPACE: &str = "workspace";
    pub const MEMBER: &str = "member";
}

/// The most workspaces one user may belong to: every profile change rewrites each
/// membership's directory copy in the same transaction, which holds 100 writes.
pub const MAX_MEMBERSHIPS: usize = 40;

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
    let base = Op::update(key(keys::user(user.user_id), keys::PROFILE), "")
        .cond("version = :v AND mrev = :m")
        .name("#w", &workspace.to_string())
        .val(":v", n(user.version))
        .val(":m", n(user.mrev))
        .val(":one", n(1))
        .label(label::PROFILE);
    match role {
        Some(r) => {
            let mut op = base.val(":r", s(r.as_str()));
            op.expr = Some("SET memberships.#w = :r ADD mrev :one".into());
            op
        }
        None => {
            let mut op = base;
            op.expr = Some("REMOVE memberships.#w ADD mrev :one".into());
            op
        }
    }
}

fn meta(ws: &WorkspaceRecord) -> Item {
    key(keys::workspace(ws.workspace_id), keys::META)
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

    /// Every member of a workspace.
    pub async fn workspace_members(&self, workspace: Uuid) -> Result<Vec<MemberRecord>, ApiError> {
        self.query_prefix(&keys::workspace(workspace), keys::MEMBER_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// Creates a workspace with its creator as the one admin.
    pub async fn create_workspace(
        &self,
        ws: &WorkspaceRecord,
        creator: &UserRecord,
        activity: NewActivity,
        retention: i64,
    ) -> Result<MemberRecord, TxError> {
        let member = MemberRecord {
            workspace_id: ws.workspace_id,
            user_id: creator.user_id,
            role: WsRole::Admin,
            joined_at: ws.created_at.clone(),
        };
        let mut tx = Tx::new();
        tx.push(
            Op::put(with_key(
                to_item(ws)?,
                keys::workspace(ws.workspace_id),
                keys::META,
            ))
            .cond("attribute_not_exists(PK)")
            .label(ws_label::WORKSPACE),
        );
        tx.push(Op::put(member_item(&member, creator)?));
        tx.push(profile_membership(
            creator,
            ws.workspace_id,
            Some(WsRole::Admin),
        ));
        tx.record(activity, retention)?;
        self.commit(tx).await?;
        Ok(member)
    }

    /// Adds `user` to `ws` with `member.role`.
    pub async fn add_member(
        &self,
        ws: &WorkspaceRecord,
        user: &UserRecord,
        member: &MemberRecord,
        activity: NewActivity,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::put(member_item(member, user)?)
                .cond("attribute_not_exists(PK)")
                .label(ws_label::MEMBER),
        );
        let admins = i64::from(member.role == WsRole::Admin);
        tx.push(
            Op::update(meta(ws), "ADD member_count :one, admin_count :a")
                .cond("attribute_exists(PK)")
                .val(":one", n(1))
                .val(":a", n(admins))
                .label(ws_label::WORKSPACE),
        );
        tx.push(profile_membership(user, ws.workspace_id, Some(member.role)));
        tx.record(activity, retention)?;
        self.commit(tx).await
    }

    /// Changes a member's role; demoting the last admin fails with `last_admin`.
    pub async fn change_role(
        &self,
        ws: &WorkspaceRecord,
        user: &UserRecord,
        old: &MemberRecord,
        role: WsRole,
        activity: NewActivity,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::update(
                key(keys::workspace(ws.workspace_id), keys::member(user.user_id)),
                "SET #r = :r, ws_role = :r",
            )
            .cond("#r = :old")
            .name("#r", "role")
            .val(":r", s(role.as_str()))
            .val(":old", s(old.role.as_str()))
            .label(ws_label::MEMBER),
        );
        let delta = i64::from(role == WsRole::Admin) - i64::from(old.role == WsRole::Admin);
        if delta < 0 {
            tx.push(
                Op::update(meta(ws), "ADD admin_count :d")
                    .cond("admin_count > :one")
                    .val(":d", n(delta))
                    .val(":one", n(1))
                    .label(label::LAST_ADMIN),
            );
        } else if delta > 0 {
            tx.push(
                Op::update(meta(ws), "ADD admin_count :d")
                    .cond("attribute_exists(PK)")
                    .val(":d", n(delta))
                    .label(ws_label::WORKSPACE),
            );
        }
        tx.push(profile_membership(user, ws.workspace_id, Some(role)));
        tx.record(activity, retention)?;
        self.commit(tx).await
    }

    /// Removes a member; removing the last admin of a workspace that keeps other
    /// members fails with `last_admin`.
    pub async fn remove_member(
        &self,
        ws: &WorkspaceRecord,
        user: &UserRecord,
        old: &MemberRecord,
        activity: NewActivity,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(
                keys::workspace(ws.workspace_id),
                keys::member(user.user_id),
            ))
            .cond("#r = :old")
            .name("#r", "role")
            .val(":old", s(old.role.as_str()))
            .label(ws_label::MEMBER),
        );
        if old.role == WsRole::Admin {
            tx.push(
                Op::update(meta(ws), "ADD member_count :d, admin_count :d")
                    .cond("admin_count > :one")
                    .val(":d", n(-1))
                    .val(":one", n(1))
                    .label(label::LAST_ADMIN),
            );
        } else {
            tx.push(
                Op::update(meta(ws), "ADD member_count :d")
                    .cond("attribute_exists(PK)")
                    .val(":d", n(-1))
                    .label(ws_label::WORKSPACE),
            );
        }
        tx.push(profile_membership(user, ws.workspace_id, None));
        tx.record(activity, retention)?;
        self.commit(tx).await
    }
}
