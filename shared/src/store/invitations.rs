//! Invitations: a workspace's pending invitations of email addresses, and what sending,
//! accepting, declining and revoking one writes. An invitation is its item in the
//! workspace's partition plus a guard naming it (one pending invitation per address and
//! workspace); both go in every transaction that changes it, with its activity. Expiry
//! is DynamoDB's TTL, which deletes late, so every read checks `expires_at` too.

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::read::{key_of, Range};
use super::workspaces::set_direct;
use super::write::{known_or_read, optimistic, Attempt, Check, Op, Tx};
use super::{from_item, key, n, s, to_item, with_key, Item, Store};
use crate::activity::{kind, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::{InvitationRecord, MemberRecord, UserRecord, WorkspaceRecord};
use crate::paging::{Page, PageRequest};
use crate::types::{Email, WsRole};

/// What sending an invitation came to.
#[derive(Debug)]
pub enum Invited {
    /// A new invitation.
    New(InvitationRecord),
    /// The address had a pending invitation: its role and expiry are renewed.
    Renewed(InvitationRecord),
}

/// The guard of the pending invitation of an address in a workspace.
#[derive(Debug, Deserialize)]
struct Guard {
    invitation_id: Uuid,
    expires_at: i64,
}

fn invitation_item(inv: &InvitationRecord) -> Result<Item, ApiError> {
    let mut item = with_key(
        to_item(inv)?,
        keys::workspace(inv.workspace_id),
        keys::invitation(inv.invitation_id),
    );
    item.insert(keys::GSI1PK.into(), s(keys::invitee(&inv.email.lower())));
    item.insert(keys::GSI1SK.into(), s(keys::invitation(inv.invitation_id)));
    Ok(item)
}

fn guard_key(workspace: Uuid, email: &Email) -> Item {
    key(
        keys::workspace(workspace),
        keys::invited_email(&email.lower()),
    )
}

fn invitation_gone(id: Uuid) -> ApiError {
    ApiError::not_found("invitation", &id.to_string())
}

/// The writes that remove the pending invitation `inv` (as of `now`): its item and
/// its guard.
fn remove(tx: &mut Tx, inv: &InvitationRecord, now: i64) {
    let iid = s(inv.invitation_id.to_string());
    tx.push(
        Op::delete(key(
            keys::workspace(inv.workspace_id),
            keys::invitation(inv.invitation_id),
        ))
        .when(
            "invitation_id = :iid AND expires_at > :now",
            Check::Invitation,
        )
        .val(":iid", iid.clone())
        .val(":now", n(now)),
    );
    tx.push(
        Op::delete(guard_key(inv.workspace_id, &inv.email))
            .when("invitation_id = :iid", Check::Invitation)
            .val(":iid", iid),
    );
}

/// The workspace must still exist when the transaction commits.
fn workspace_exists(ws: &WorkspaceRecord) -> Op {
    Op::check(key(keys::workspace(ws.workspace_id), keys::META))
        .when(super::workspaces::OPEN, Check::Workspace)
}

impl Store {
    /// The pending invitation `id` of `workspace`; `None` when gone or expired.
    pub async fn pending_invitation(
        &self,
        workspace: Uuid,
        id: Uuid,
    ) -> Result<Option<InvitationRecord>, ApiError> {
        let found: Option<InvitationRecord> = self
            .get_as(keys::workspace(workspace), &keys::invitation(id))
            .await?;
        let now = self.clock.now().timestamp();
        Ok(found.filter(|i| !i.is_expired(now)))
    }

    /// The pending invitation `id` if it is addressed to `email`; `None` when it is
    /// someone else's, gone or expired. Found through the owner index of the address,
    /// so another address's invitation is never even read.
    pub async fn invitation_to(
        &self,
        email: &Email,
        id: Uuid,
    ) -> Result<Option<InvitationRecord>, ApiError> {
        let addressed = Range::index(
            keys::GSI1,
            keys::GSI1PK,
            keys::GSI1SK,
            keys::invitee(&email.lower()),
        )
        .prefix(keys::invitation(id));
        let Some(found) = self.read_first(&addressed, 1).await?.into_iter().next() else {
            return Ok(None);
        };
        let Some(item) = self.get_item(key_of(&found)).await? else {
            return Ok(None);
        };
        let inv: InvitationRecord = from_item(item)?;
        let now = self.clock.now().timestamp();
        let mine = inv.invitation_id == id && inv.email.lower() == email.lower();
        Ok((mine && !inv.is_expired(now)).then_some(inv))
    }

    /// A page of the pending invitations of `workspace`, oldest first.
    pub async fn invitations_page(
        &self,
        workspace: Uuid,
        page: &PageRequest,
    ) -> Result<Page<InvitationRecord>, ApiError> {
        let pending = Range::partition(keys::workspace(workspace))
            .prefix(keys::INVITATION_PREFIX)
            .filter(
                "expires_at > :now".into(),
                Default::default(),
                Item::from([(":now".into(), n(self.clock.now().timestamp()))]),
            );
        self.read_page(&pending, page).await?.try_map(from_item)
    }

    /// A page of the pending invitations addressed to `email`, oldest first (a page may
    /// hold fewer than asked when some expired meanwhile).
    pub async fn invitations_page_to(
        &self,
        email: &Email,
        page: &PageRequest,
    ) -> Result<Page<InvitationRecord>, ApiError> {
        let addressed = Range::index(
            keys::GSI1,
            keys::GSI1PK,
            keys::GSI1SK,
            keys::invitee(&email.lower()),
        )
        .prefix(keys::INVITATION_PREFIX);
        let found: Page<InvitationRecord> = self
            .read_page_of(&addressed, page, |entry| Some(key_of(entry)))
            .await?;
        let now = self.clock.now().timestamp();
        let lower = email.lower();
        Ok(Page {
            items: found
                .items
                .into_iter()
                .filter(|i| !i.is_expired(now) && i.email.lower() == lower)
                .collect(),
            next: found.next,
        })
    }

    /// Invites `email` to `ws` with `role`, by `actor`, for `ttl_days`, recording
    /// `workspace.invitation_sent` in the inviter's feed. A pending invitation of the
    /// address is renewed (same id, new role and expiry); otherwise the new one gets
    /// `id`.
    pub async fn invite(
        &self,
        ws: &WorkspaceRecord,
        email: &Email,
        role: WsRole,
        actor: Uuid,
        id: Uuid,
        ttl_days: i64,
    ) -> Result<Invited, ApiError> {
        let wid = ws.workspace_id;
        optimistic((), move |()| async move {
            let now = self.clock.now();
            let now_s = now.timestamp();
            let expires_at = (now + chrono::Duration::days(ttl_days)).timestamp();
            let guard: Option<Guard> = self
                .get_as(keys::workspace(wid), &keys::invited_email(&email.lower()))
                .await?;
            let pending = match &guard {
                Some(g) if g.expires_at > now_s => {
                    self.pending_invitation(wid, g.invitation_id).await?
                }
                _ => None,
            };
            let mut tx = Tx::new();
            tx.push(workspace_exists(ws));
            let outcome = match pending {
                Some(old) => {
                    let renewed = InvitationRecord {
                        role,
                        expires_at,
                        ..old
                    };
                    let iid = s(renewed.invitation_id.to_string());
                    tx.push(
                        Op::put(invitation_item(&renewed)?)
                            .when("invitation_id = :iid", Check::Invitation)
                            .val(":iid", iid.clone()),
                    );
                    tx.push(
                        Op::update(guard_key(wid, email), "SET expires_at = :e")
                            .when("invitation_id = :iid", Check::Invitation)
                            .val(":iid", iid)
                            .val(":e", n(expires_at)),
                    );
                    Invited::Renewed(renewed)
                }
                None => {
                    let inv = InvitationRecord {
                        invitation_id: id,
                        workspace_id: wid,
                        email: email.clone(),
                        role,
                        invited_by: actor,
                        created_at: crate::time::format(now),
                        expires_at,
                    };
                    tx.push(
                        Op::put(invitation_item(&inv)?)
                            .when("attribute_not_exists(PK)", Check::Invitation),
                    );
                    let mut guard_item = guard_key(wid, email);
                    guard_item.insert("invitation_id".into(), s(id.to_string()));
                    guard_item.insert("expires_at".into(), n(expires_at));
                    let replaced = guard.as_ref().map(|g| g.invitation_id.to_string());
                    tx.push(
                        Op::put(guard_item)
                            .when(
                                "attribute_not_exists(PK) OR expires_at <= :now OR invitation_id = :old",
                                Check::Invitation,
                            )
                            .val(":now", n(now_s))
                            .val(":old", s(replaced.unwrap_or_default())),
                    );
                    if let Some(g) = &guard {
                        tx.push(Op::delete(key(
                            keys::workspace(wid),
                            keys::invitation(g.invitation_id),
                        )));
                    }
                    Invited::New(inv)
                }
            };
            let inv = match &outcome {
                Invited::New(i) | Invited::Renewed(i) => i,
            };
            tx.record(
                NewActivity::new(kind::INVITATION_SENT, actor, actor)
                    .in_workspace(wid, &ws.name)
                    .with_data(json!({
                        "invitation_id": inv.invitation_id,
                        "email": inv.email,
                        "role": inv.role,
                    })),
            );
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(outcome)),
                Err(r) if r.failed(Check::Workspace) => {
                    Err(ApiError::not_found("workspace", &wid.to_string()))
                }
                Err(r) if r.failed(Check::Invitation) => Ok(Attempt::Retry(())),
                Err(r) => Err(r.into()),
            }
        })
        .await
    }

    /// Accepts `inv` for `member` (its addressee, as the caller read it): it becomes a
    /// member with the invited role, or keeps a higher role it has; records
    /// `workspace.invitation_accepted` and, when the membership changes,
    /// `workspace.member_added` or `workspace.role_changed`. Answers the membership.
    /// An invitation gone meanwhile is 404; a user in too many workspaces 409.
    pub async fn accept_invitation(
        &self,
        inv: &InvitationRecord,
        member: &UserRecord,
    ) -> Result<MemberRecord, ApiError> {
        let (wid, iid, user) = (inv.workspace_id, inv.invitation_id, member.user_id);
        optimistic(Some(member.clone()), move |known| async move {
            let ws = self
                .get_workspace(wid)
                .await?
                .ok_or_else(|| invitation_gone(iid))?;
            let read = self.get_user(user);
            let member_user: UserRecord =
                known_or_read(known, read, ApiError::unauthenticated).await?;
            let existing = self.get_member(wid, user).await?;
            let direct = existing.as_ref().and_then(|m| m.direct);
            let activity = match direct {
                // An existing membership keeps the higher role.
                Some(d) if d.higher(inv.role) == d => None,
                Some(d) => Some(
                    NewActivity::new(kind::ROLE_CHANGED, user, inv.invited_by)
                        .with_data(json!({ "from": d, "to": inv.role })),
                ),
                None => {
                    self.check_membership_limit(&member_user)?;
                    Some(
                        NewActivity::new(kind::MEMBER_ADDED, user, inv.invited_by)
                            .with_data(json!({ "role": inv.role })),
                    )
                }
            };
            let (mut tx, member) = match (activity, existing.clone()) {
                (None, Some(m)) => (Tx::new(), m),
                (Some(activity), _) => {
                    let activity = activity.in_workspace(wid, &ws.name);
                    let now = self.clock.now_rfc3339();
                    let (tx, after) = set_direct(
                        &ws,
                        &member_user,
                        existing.as_ref(),
                        Some(inv.role),
                        now,
                        activity,
                    )?;
                    let after = after.ok_or_else(|| ApiError::internal("membership vanished"))?;
                    (tx, after)
                }
                (None, None) => return Err(ApiError::internal("membership vanished")),
            };
            remove(&mut tx, inv, self.clock.now().timestamp());
            tx.record(
                NewActivity::new(kind::INVITATION_ACCEPTED, user, user)
                    .in_workspace(wid, &ws.name)
                    .with_data(json!({ "invitation_id": iid, "role": member.direct.unwrap_or(member.role) })),
            );
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(member)),
                Err(r) if r.failed(Check::Invitation) || r.failed(Check::Workspace) => {
                    Err(invitation_gone(iid))
                }
                Err(r) if r.failed(Check::Profile) || r.failed(Check::Member) => {
                    Ok(Attempt::Retry(None))
                }
                Err(r) => Err(r.into()),
            }
        })
        .await
    }

    /// Declines `inv` for `user` (its addressee), recording
    /// `workspace.invitation_declined` in its feed. Gone meanwhile is 404.
    pub async fn decline_invitation(
        &self,
        inv: &InvitationRecord,
        user: Uuid,
    ) -> Result<(), ApiError> {
        let ws = self.get_workspace(inv.workspace_id).await?;
        let ws = ws.ok_or_else(|| invitation_gone(inv.invitation_id))?;
        let activity = NewActivity::new(kind::INVITATION_DECLINED, user, user);
        self.end_invitation(&ws, inv, activity).await
    }

    /// Revokes `inv` of `ws`, by `actor`, recording `workspace.invitation_revoked` in
    /// the feed of the user who sent it (of `actor` when that user is deleted). Gone
    /// meanwhile is 404.
    pub async fn revoke_invitation(
        &self,
        ws: &WorkspaceRecord,
        inv: &InvitationRecord,
        actor: Uuid,
    ) -> Result<(), ApiError> {
        let sender_exists = self.get_user(inv.invited_by).await?.is_some();
        let feed = if sender_exists { inv.invited_by } else { actor };
        let activity = NewActivity::new(kind::INVITATION_REVOKED, feed, actor);
        self.end_invitation(ws, inv, activity).await
    }

    /// Removes `inv` without a membership, recording `activity` (in `ws`).
    async fn end_invitation(
        &self,
        ws: &WorkspaceRecord,
        inv: &InvitationRecord,
        activity: NewActivity,
    ) -> Result<(), ApiError> {
        let mut tx = Tx::new();
        remove(&mut tx, inv, self.clock.now().timestamp());
        tx.record(
            activity
                .in_workspace(ws.workspace_id, &ws.name)
                .with_data(json!({
                    "invitation_id": inv.invitation_id,
                    "email": inv.email,
                    "role": inv.role,
                })),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(r) if r.failed(Check::Invitation) => Err(invitation_gone(inv.invitation_id)),
            Err(r) => Err(r.into()),
        }
    }
}
