//! Users: profiles, their uniqueness guards, tokens, the user counter, changes with
//! optimistic concurrency, and the two-step delete.

use aws_sdk_dynamodb::types::AttributeValue;
use uuid::Uuid;

use super::jobs::Work;
use super::read::{key_of, Range};
use super::write::{
    known_or_read, optimistic, update_expression, Attempt, Check, Op, Rejection, Tx,
};
use super::{from_item, key, n, s, to_item, with_key, Item, Store};
use crate::activity::{kind, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::{Session, TokenRecord, UserRecord, WorkspaceRecord, MAX_PROFILE_SESSIONS};
use crate::types::WsRole;

/// The condition that a profile is as `read` it: its version, memberships (`mrev`)
/// and sessions (`srev`) unmoved (`:v`, `:m`, `:s`). A profile written before `srev`
/// existed has none, which is `srev` 0.
fn unmoved(read: &UserRecord) -> String {
    let sessions = if read.srev == 0 {
        "(attribute_not_exists(srev) OR srev = :s)"
    } else {
        "srev = :s"
    };
    format!("version = :v AND mrev = :m AND {sessions}")
}

/// The profile item of `user`: the record, its key and its global directory entry.
pub(crate) fn profile_item(user: &UserRecord) -> Result<Item, ApiError> {
    let mut item = with_key(to_item(user)?, keys::user(user.user_id), keys::PROFILE);
    item.extend(to_item(&user.dir_keys(keys::DIR_ALL.into(), None))?);
    // Only the global directory sorts by the shown name and the external id (SCIM's
    // `displayName` and `externalId` filters); both indexes are sparse.
    if let Some(shown) = user.shown_name().filter(|n| !n.is_empty()) {
        item.insert(keys::K_DISPLAY.into(), s(shown.to_lowercase()));
    }
    if let Some(ext) = &user.external_id {
        item.insert(keys::K_EXTERNAL.into(), s(ext.clone()));
    }
    Ok(item)
}

/// The most membership items a profile change rewrites in its own transaction (with
/// the profile, up to four guards, a token and an activity with its counters).
const INLINE_COPIES: usize = 60;

/// The attributes copied from a profile onto each of its membership items.
pub(crate) fn member_dir_attrs(
    user: &UserRecord,
    workspace: Uuid,
    role: WsRole,
) -> Result<Item, ApiError> {
    let mut attrs = to_item(&user.dir_keys(keys::dir_workspace(workspace), Some(role)))?;
    // The profile version copied, so a late copy never overwrites a newer one.
    attrs.insert("pver".into(), n(user.version));
    // Copies are written attribute by attribute: a device gone must be overwritten.
    attrs
        .entry("device_type".into())
        .or_insert(AttributeValue::Null(true));
    Ok(attrs)
}

fn guard_item(pk: String, user: Uuid) -> Item {
    let mut item = key(pk, keys::GUARD);
    item.insert("user_id".into(), s(user.to_string()));
    item
}

/// A login name is one user's: an email may not be another user's username, nor a
/// username another user's email (login tries the email first, so the other user
/// could no longer log in by it). The condition that the guard `pk` of the other kind
/// is free or `user`'s own; its failure names the field as `check` does.
fn other_kind_free(pk: String, user: Uuid, check: Check) -> Op {
    Op::check(key(pk, keys::GUARD))
        .when("attribute_not_exists(PK) OR user_id = :me", check)
        .val(":me", s(user.to_string()))
}

/// The [`other_kind_free`] checks that `user`'s new `email` and `username` guards need,
/// leaving out the guards the write itself puts or deletes (a transaction may name an
/// item once; those are settled by the write).
fn login_name_checks(
    user: &UserRecord,
    email_new: bool,
    username_new: bool,
    touched: &[String],
) -> Vec<Op> {
    let mut ops = Vec::new();
    let (email, username) = (user.email.lower(), user.username.lower());
    let as_username = keys::username_guard(&email);
    if email_new && !touched.contains(&as_username) {
        ops.push(other_kind_free(as_username, user.user_id, Check::Email));
    }
    let as_email = keys::email_guard(&username);
    // Only a username with an '@' can be someone's email.
    if username_new && username.contains('@') && !touched.contains(&as_email) {
        ops.push(other_kind_free(as_email, user.user_id, Check::Username));
    }
    ops
}

fn email_guard(user: &UserRecord) -> String {
    keys::email_guard(&user.email.lower())
}

fn username_guard(user: &UserRecord) -> String {
    keys::username_guard(&user.username.lower())
}

fn external_guard(user: &UserRecord) -> Option<String> {
    user.external_id.as_deref().map(keys::external_id_guard)
}

fn pub_key_guard(user: &UserRecord) -> Option<String> {
    user.device
        .as_ref()
        .map(|d| keys::pub_key_guard(&d.pub_key))
}

/// The users counter (`STATS` / `USERS`).
fn users_counter(delta: i64) -> Op {
    Op::update(key(keys::STATS, keys::USERS_COUNTER), "ADD #c :d")
        .name("#c", "count")
        .val(":d", n(delta))
}

/// A change of a user, as decided from the user as it is now: the new record (its
/// `version` and `updated_at` are set by the store), the activities it records, and
/// the token to carry over when the change revokes the others (the caller's own).
#[derive(Debug)]
pub struct UserChange {
    pub user: UserRecord,
    pub activities: Vec<NewActivity>,
    pub keep_token: Option<String>,
}

impl Store {
    /// A user's profile, strongly consistent.
    pub async fn get_user(&self, id: Uuid) -> Result<Option<UserRecord>, ApiError> {
        self.get_as(keys::user(id), keys::PROFILE).await
    }

    /// Profiles by id (missing ones skipped), in the order asked.
    pub async fn get_users(&self, ids: &[Uuid]) -> Result<Vec<UserRecord>, ApiError> {
        let keys_: Vec<Item> = ids
            .iter()
            .map(|id| key(keys::user(*id), keys::PROFILE))
            .collect();
        let mut found: Vec<UserRecord> = self
            .batch_get(keys_)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        found.sort_by_key(|u| ids.iter().position(|i| *i == u.user_id));
        Ok(found)
    }

    /// The user an email address or a username belongs to.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, ApiError> {
        let lower = crate::types::normal_login(login);
        let by_email = key(keys::email_guard(&lower), keys::GUARD);
        let by_username = key(keys::username_guard(&lower), keys::GUARD);
        // Both guards in one read, and a profile read whether or not one names a user:
        // a known and an unknown login cost the same requests. A login with `@` is an
        // email first; a username may hold `@` too.
        let guards = self.batch_get(vec![by_email.clone(), by_username]).await?;
        let is_email = |g: &&Item| key_of(g) == by_email;
        let guard = guards
            .iter()
            .find(is_email)
            .or_else(|| guards.iter().find(|g| !is_email(g)));
        let id = guard
            .and_then(|g| g.get("user_id"))
            .and_then(|v| v.as_s().ok())
            .and_then(|s| Uuid::parse_str(s).ok());
        let user = self.get_user(id.unwrap_or(Uuid::nil())).await?;
        Ok(user.filter(|_| id.is_some()))
    }

    /// Total users, from the counter.
    pub async fn user_count(&self) -> Result<i64, ApiError> {
        self.counter(keys::USERS_COUNTER).await
    }

    /// The global counter `STATS` / `name` (0 when never counted).
    pub(crate) async fn counter(&self, name: &str) -> Result<i64, ApiError> {
        let item = self.get_item(key(keys::STATS, name)).await?;
        Ok(item
            .and_then(|i| {
                i.get("count")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(0))
    }

    /// Creates a user with its guards, recording `user.created` by `actor`; a taken
    /// email or username is 409 naming it.
    pub async fn create_user(
        &self,
        user: &UserRecord,
        actor: impl Into<crate::activity::Actor>,
    ) -> Result<(), ApiError> {
        let mut tx = Tx::new();
        tx.push(Op::put(profile_item(user)?).when("attribute_not_exists(PK)", Check::Profile));
        tx.push(
            Op::put(guard_item(email_guard(user), user.user_id))
                .when("attribute_not_exists(PK)", Check::Email),
        );
        tx.push(
            Op::put(guard_item(username_guard(user), user.user_id))
                .when("attribute_not_exists(PK)", Check::Username),
        );
        let touched = [email_guard(user), username_guard(user)];
        for op in login_name_checks(user, true, true, &touched) {
            tx.push(op);
        }
        if let Some(g) = external_guard(user) {
            tx.push(
                Op::put(guard_item(g, user.user_id))
                    .when("attribute_not_exists(PK)", Check::ExternalId),
            );
        }
        tx.push(users_counter(1));
        tx.record(NewActivity::new(kind::USER_CREATED, user.user_id, actor));
        Ok(self.commit(tx).await?)
    }

    /// Changes a user with optimistic concurrency: `change` decides the change from
    /// the user as it is, and the write happens only if the user did not move
    /// meanwhile; otherwise it is read again and `change` asked again. `current` is the
    /// user as the caller already read it. Answers the user as written; a user deleted
    /// meanwhile is 404, a taken email or username 409.
    pub async fn update_user(
        &self,
        current: UserRecord,
        change: impl Fn(&UserRecord) -> Result<UserChange, ApiError>,
    ) -> Result<UserRecord, ApiError> {
        let id = current.user_id;
        let change = &change;
        optimistic(Some(current), move |known: Option<UserRecord>| async move {
            let gone = || ApiError::not_found("user", &id.to_string());
            let current = known_or_read(known, self.get_user(id), gone).await?;
            let UserChange {
                mut user,
                activities,
                keep_token,
            } = change(&current)?;
            user.version = current.version + 1;
            user.updated_at = self.clock.now_rfc3339();
            if user.session_epoch != current.session_epoch {
                user.forget_sessions(keep_token.as_deref());
            }
            match self
                .save_user(&current, &user, keep_token.as_deref(), activities)
                .await
            {
                Ok(None) => Ok(Attempt::Done(user)),
                Ok(Some(copier)) => {
                    Box::pin(self.copy_now(user.user_id, copier)).await?;
                    Ok(Attempt::Done(user))
                }
                Err(r)
                    if r.failed(Check::Email)
                        || r.failed(Check::Username)
                        || r.failed(Check::ExternalId)
                        || r.failed(Check::PubKey) =>
                {
                    Err(r.into())
                }
                Err(r) if r.failed(Check::Profile) => Ok(Attempt::Retry(None)),
                Err(r) => Err(r.into()),
            }
        })
        .await
    }

    /// Writes a changed profile as one transaction: the profile (only if still the
    /// version `old`), guards that moved, every membership's directory copy, the
    /// caller's token when the session epoch moved, and the activities.
    async fn save_user(
        &self,
        old: &UserRecord,
        new: &UserRecord,
        keep_token: Option<&str>,
        activities: Vec<NewActivity>,
    ) -> Result<Option<Uuid>, Rejection> {
        let mut tx = Tx::new();
        tx.push(
            Op::put(profile_item(new)?)
                .when(&unmoved(old), Check::Profile)
                .val(":v", n(old.version))
                .val(":m", n(old.mrev))
                .val(":s", n(old.srev)),
        );
        if email_guard(old) != email_guard(new) {
            tx.push(Op::delete(key(email_guard(old), keys::GUARD)));
            tx.push(
                Op::put(guard_item(email_guard(new), new.user_id))
                    .when("attribute_not_exists(PK)", Check::Email),
            );
        }
        if username_guard(old) != username_guard(new) {
            tx.push(Op::delete(key(username_guard(old), keys::GUARD)));
            tx.push(
                Op::put(guard_item(username_guard(new), new.user_id))
                    .when("attribute_not_exists(PK)", Check::Username),
            );
        }
        let touched = [
            email_guard(old),
            email_guard(new),
            username_guard(old),
            username_guard(new),
        ];
        for op in login_name_checks(
            new,
            email_guard(old) != email_guard(new),
            username_guard(old) != username_guard(new),
            &touched,
        ) {
            tx.push(op);
        }
        for (guard, check) in [
            (
                pub_key_guard as fn(&UserRecord) -> Option<String>,
                Check::PubKey,
            ),
            (external_guard, Check::ExternalId),
        ] {
            if guard(old) != guard(new) {
                if let Some(g) = guard(old) {
                    tx.push(Op::delete(key(g, keys::GUARD)));
                }
                if let Some(g) = guard(new) {
                    tx.push(
                        Op::put(guard_item(g, new.user_id)).when("attribute_not_exists(PK)", check),
                    );
                }
            }
        }
        // Every membership's directory copy changes with the profile when they fit in
        // the transaction; beyond that a queued job copies them right after the commit
        // (the worker finishing it should this request die).
        let copier = if new.memberships.len() <= INLINE_COPIES {
            for (wid, role) in &new.memberships {
                let member = key(keys::workspace(*wid), keys::member(new.user_id));
                tx.push(
                    Op::set_all(member, member_dir_attrs(new, *wid, *role)?)
                        .when("attribute_exists(PK)", Check::Profile),
                );
            }
            None
        } else {
            let (job, queue) = self.job_op(
                Work::CopyProfile {
                    user_id: new.user_id,
                },
                true,
            )?;
            tx.push(queue);
            Some(job.id)
        };
        // The caller's own token, when the change revoked the others and that token
        // lives in an item of its own (one held in the profile moved with it).
        if let Some(hash) = keep_token
            .filter(|_| new.session_epoch != old.session_epoch)
            .filter(|h| !new.sessions.contains_key(*h))
        {
            tx.push(
                Op::update(key(keys::token(hash), keys::TOKEN), "SET epoch = :e")
                    .when("attribute_exists(PK)", Check::Token)
                    .val(":e", n(new.session_epoch)),
            );
        }
        for a in activities {
            tx.record(a);
        }
        self.commit(tx).await?;
        Ok(copier)
    }

    /// Writes users with their guards and counts them, without the uniqueness checks
    /// of [`Store::create_user`] and without activities: bulk fixtures for tests and
    /// benchmarks on fresh tables only.
    pub async fn import_users_unchecked(&self, users: &[UserRecord]) -> Result<(), ApiError> {
        let mut items = Vec::with_capacity(users.len() * 3);
        for u in users {
            items.push(profile_item(u)?);
            items.push(guard_item(email_guard(u), u.user_id));
            items.push(guard_item(username_guard(u), u.user_id));
        }
        self.put_items(items).await?;
        Ok(self.write(users_counter(users.len() as i64)).await?)
    }

    /// Deletes user `id` and everything it owns, if `allowed` agrees with the user as
    /// it is (`If-Match`): first, atomically, its profile, guards and memberships (see
    /// [`Store::begin_delete`]), then the rest. A user already gone with a delete
    /// pending is finished; one never there, or long gone, is 404. Deleting the last
    /// admin of a workspace that keeps other members is 409.
    pub async fn delete_user(
        &self,
        id: Uuid,
        allowed: impl Fn(&UserRecord) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let allowed = &allowed;
        optimistic((), move |()| async move {
            let Some(user) = self.get_user(id).await? else {
                if self.delete_pending(id).await? {
                    return Ok(Attempt::Done(()));
                }
                return Err(ApiError::not_found("user", &id.to_string()));
            };
            allowed(&user)?;
            let ids: Vec<_> = user.memberships.keys().copied().collect();
            let workspaces = self.get_workspaces(&ids).await?;
            match self.begin(&user, &workspaces).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(r) if r.failed(Check::Profile) && !r.failed(Check::LastAdmin) => {
                    Ok(Attempt::Retry(()))
                }
                Err(r) => Err(r.into()),
            }
        })
        .await?;
        self.finish_delete(id).await
    }

    /// Whether a delete of `user` was begun and not finished.
    async fn delete_pending(&self, user: Uuid) -> Result<bool, ApiError> {
        Ok(self
            .get_item(key(keys::user(user), keys::TOMBSTONE))
            .await?
            .is_some())
    }

    /// The first step of a delete alone, as an interrupted delete leaves it: public so
    /// tests can interrupt a delete between its steps.
    pub async fn begin_delete(
        &self,
        user: &UserRecord,
        workspaces: &[WorkspaceRecord],
    ) -> Result<(), ApiError> {
        Ok(self.begin(user, workspaces).await?)
    }

    /// First step of a delete, atomic: the profile, its guards, its memberships (member
    /// counts fixed; a workspace whose only member this was goes too) and the user
    /// counter, leaving a tombstone so that a retried DELETE can finish the rest.
    async fn begin(
        &self,
        user: &UserRecord,
        workspaces: &[WorkspaceRecord],
    ) -> Result<(), Rejection> {
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::user(user.user_id), keys::PROFILE))
                .when(&unmoved(user), Check::Profile)
                .val(":v", n(user.version))
                .val(":m", n(user.mrev))
                .val(":s", n(user.srev)),
        );
        tx.push(Op::delete(key(email_guard(user), keys::GUARD)));
        tx.push(Op::delete(key(username_guard(user), keys::GUARD)));
        for g in [pub_key_guard(user), external_guard(user)]
            .into_iter()
            .flatten()
        {
            tx.push(Op::delete(key(g, keys::GUARD)));
        }
        let mut tomb = key(keys::user(user.user_id), keys::TOMBSTONE);
        tomb.insert("user_id".into(), s(user.user_id.to_string()));
        tomb.insert("started_at".into(), s(self.clock.now_rfc3339()));
        // The workspaces that go with the user: what is left of their partitions
        // (invitations) is swept when the delete finishes.
        let gone: Vec<AttributeValue> = workspaces
            .iter()
            .filter(|ws| {
                ws.member_count <= 1 && user.direct_memberships.contains_key(&ws.workspace_id)
            })
            .map(|ws| s(keys::workspace(ws.workspace_id)))
            .collect();
        if !gone.is_empty() {
            tomb.insert("workspaces".into(), AttributeValue::L(gone));
        }
        // Memberships through groups only are not bound by the membership limit, so
        // they go in the second step, a transaction each.
        let through_groups: Vec<AttributeValue> = user
            .memberships
            .keys()
            .filter(|w| !user.direct_memberships.contains_key(w))
            .map(|w| s(w.to_string()))
            .collect();
        if !through_groups.is_empty() {
            tomb.insert("through_groups".into(), AttributeValue::L(through_groups));
        }
        tx.push(Op::put(tomb));
        tx.push(users_counter(-1));
        for ws in workspaces {
            let Some(role) = user.direct_memberships.get(&ws.workspace_id).copied() else {
                continue;
            };
            tx.push(Op::delete(key(
                keys::workspace(ws.workspace_id),
                keys::member(user.user_id),
            )));
            let meta = key(keys::workspace(ws.workspace_id), keys::META);
            if ws.member_count <= 1 {
                tx.push(
                    Op::delete(meta)
                        .when("member_count = :one", Check::Profile)
                        .val(":one", n(1)),
                );
            } else if role == WsRole::Admin {
                tx.push(
                    Op::update(meta, "ADD member_count :m, admin_count :m")
                        .when("admin_count > :one", Check::LastAdmin)
                        .val(":m", n(-1))
                        .val(":one", n(1)),
                );
            } else {
                tx.push(Op::update(meta, "ADD member_count :m").val(":m", n(-1)));
            }
        }
        self.commit(tx).await
    }

    /// Deletes the membership item `member` and counts it out of `meta`'s
    /// `member_count`, once: a membership already gone changes nothing.
    async fn leave_counted(&self, member: Item, meta: Item) -> Result<(), ApiError> {
        let mut tx = Tx::new();
        tx.push(Op::delete(member.clone()).when("attribute_exists(PK)", Check::Member));
        tx.push(
            Op::update(meta, "ADD member_count :m")
                .when("attribute_exists(PK)", Check::Workspace)
                .val(":m", n(-1)),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(r) if r.failed(Check::Member) => Ok(()),
            // Nothing left to count it out of.
            Err(r) if r.failed(Check::Workspace) => Ok(self.write(Op::delete(member)).await?),
            Err(r) => Err(r.into()),
        }
    }

    /// Second step of a delete: everything left in the user's partition (files,
    /// activities, counters), its tokens, and the partitions of the workspaces that went
    /// with it, then the tombstone. Safe to repeat.
    async fn finish_delete(&self, user: Uuid) -> Result<(), ApiError> {
        let pk = keys::user(user);
        let tomb = self.get_item(key(pk.clone(), keys::TOMBSTONE)).await?;
        let gone = tomb
            .as_ref()
            .and_then(|t| t.get("workspaces"))
            .and_then(|l| l.as_l().ok())
            .cloned()
            .unwrap_or_default();
        for ws in gone.iter().filter_map(|v| v.as_s().ok()) {
            let rest = self.read_all(&Range::partition(ws.clone())).await?;
            self.delete_keys(rest.iter().map(key_of).collect()).await?;
        }
        let through_groups = tomb
            .as_ref()
            .and_then(|t| t.get("through_groups"))
            .and_then(|l| l.as_l().ok())
            .cloned()
            .unwrap_or_default();
        for wid in through_groups
            .iter()
            .filter_map(|v| v.as_s().ok()?.parse().ok())
        {
            self.leave_counted(
                key(keys::workspace(wid), keys::member(user)),
                key(keys::workspace(wid), keys::META),
            )
            .await?;
        }
        for entry in self.owned_by(user, keys::GROUP_PREFIX).await? {
            let Some(group) = entry.get(keys::PK).and_then(|v| v.as_s().ok()).cloned() else {
                continue;
            };
            self.leave_counted(
                key(group.clone(), keys::member(user)),
                key(group, keys::META),
            )
            .await?;
        }
        let owned: Vec<Item> = self
            .read_all(&Range::partition(pk.clone()))
            .await?
            .iter()
            .filter(|i| {
                i.get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .map(String::as_str)
                    != Some(keys::TOMBSTONE)
            })
            .map(key_of)
            .collect();
        self.delete_keys(owned).await?;
        let tokens = self.owned_by(user, keys::TOKEN_PREFIX).await?;
        self.delete_keys(tokens).await?;
        Ok(self.write(Op::delete(key(pk, keys::TOMBSTONE))).await?)
    }

    /// Keys of the items the owner index lists under `user` with the given prefix.
    async fn owned_by(&self, user: Uuid, prefix: &str) -> Result<Vec<Item>, ApiError> {
        let owned =
            Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, keys::user(user)).prefix(prefix);
        Ok(self.read_all(&owned).await?.iter().map(key_of).collect())
    }

    /// Moves a user's notification marker to `at`, only forward, recording
    /// `notifications.read`. `false` (and nothing recorded) when the stored marker is
    /// already at or past `at`.
    pub async fn mark_notifications_read(&self, user: Uuid, at: &str) -> Result<bool, ApiError> {
        let mut tx = Tx::new();
        tx.push(
            Op::update(
                key(keys::user(user), keys::PROFILE),
                "SET last_read_notification_date = :t ADD version :one",
            )
            .when(
                "attribute_exists(PK) AND (attribute_not_exists(last_read_notification_date) OR last_read_notification_date < :t)",
                Check::Profile,
            )
            .val(":t", s(at))
            .val(":one", n(1)),
        );
        tx.record(
            NewActivity::new(kind::NOTIFICATIONS_READ, user, user)
                .with_data(serde_json::json!({ "timestamp": at })),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(r) if r.failed(Check::Profile) => Ok(false),
            Err(r) => Err(ApiError::from(r)),
        }
    }
}

/// A read that goes with the caller's, in the same round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Also {
    Nothing,
    /// A user's profile (the path's `{id}`).
    User(Uuid),
    /// A workspace (the path's `{wid}`).
    Workspace(Uuid),
}

/// What [`Also`] found.
#[derive(Debug, Default)]
pub struct Prefetched {
    pub user: Option<UserRecord>,
    pub workspace: Option<WorkspaceRecord>,
}

/// The caller's items, as one round trip read them.
#[derive(Debug)]
pub struct CallerItems {
    pub user: Option<UserRecord>,
    pub also: Prefetched,
}

/// Where a login token is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHome {
    /// In its user's profile (`sessions`).
    Profile,
    /// In an item of its own (`TOKEN#<hash>` / `TOKEN`).
    Item,
}

/// Tokens: only their hash is stored, with its expiry and session epoch: in the user's
/// profile for its first live sessions, in an item of its own past those.
impl Store {
    /// The profile of `user` (the user the token names) and `also`, in one request,
    /// strongly consistent: a `GetItem` when there is nothing else to read, else a
    /// `BatchGetItem`.
    pub async fn get_caller(&self, user: Uuid, also: Also) -> Result<CallerItems, ApiError> {
        let profile_key = key(keys::user(user), keys::PROFILE);
        // The caller's own profile is read anyway (and is the caller, not `also`).
        let also_key = match also {
            Also::Nothing => None,
            Also::User(id) if id == user => None,
            Also::User(id) => Some(key(keys::user(id), keys::PROFILE)),
            Also::Workspace(id) => Some(key(keys::workspace(id), keys::META)),
        };
        let mut found = CallerItems {
            user: None,
            also: Prefetched::default(),
        };
        let Some(also_key) = also_key else {
            found.user = self
                .get_item(profile_key)
                .await?
                .map(from_item)
                .transpose()?;
            return Ok(found);
        };
        for item in self.batch_get(vec![profile_key.clone(), also_key]).await? {
            if key_of(&item) == profile_key {
                found.user = Some(from_item(item)?);
            } else if matches!(also, Also::User(_)) {
                found.also.user = Some(from_item(item)?);
            } else {
                found.also.workspace = Some(from_item(item)?);
            }
        }
        Ok(found)
    }

    /// The token item of `token_hash`, strongly consistent: only tokens past a
    /// profile's [`MAX_PROFILE_SESSIONS`] have one.
    pub async fn get_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, ApiError> {
        self.get_as(keys::token(token_hash), keys::TOKEN).await
    }

    /// Stores a login: the token (hash only), `last_login`, and `user.login`, only if
    /// the user's session epoch is still the one read (a login racing a revocation
    /// cannot produce a valid token). The token goes into the profile while it holds
    /// fewer than [`MAX_PROFILE_SESSIONS`] live sessions (expired and revoked ones are
    /// dropped on the way), else into an item of its own. Answers the new
    /// `last_login`.
    pub async fn login(
        &self,
        user: &UserRecord,
        token_hash: &str,
        token: &TokenRecord,
    ) -> Result<String, ApiError> {
        let at = self.clock.now();
        let now = crate::time::format(at);
        let live = |s: &Session| s.expires_at > at.timestamp() && s.epoch == user.session_epoch;
        let stale: Vec<&String> = user
            .sessions
            .iter()
            .filter(|(_, s)| !live(s))
            .map(|(h, _)| h)
            .collect();
        let in_profile = user.sessions.len() - stale.len() < MAX_PROFILE_SESSIONS;
        let mut set = vec!["last_login = :t".to_string()];
        let mut names = Vec::new();
        let mut tx = Tx::new();
        let value = if in_profile {
            set.push("sessions.#h = :s".into());
            names.push(("#h".to_string(), token_hash.to_string()));
            AttributeValue::M(to_item(&token.session())?)
        } else {
            set.push("spilled_tokens = :s".into());
            let mut item = with_key(to_item(token)?, keys::token(token_hash), keys::TOKEN);
            item.insert(keys::GSI1PK.into(), s(keys::user(user.user_id)));
            item.insert(keys::GSI1SK.into(), s(keys::token(token_hash)));
            tx.push(Op::put(item).when("attribute_not_exists(PK)", Check::Token));
            AttributeValue::Bool(true)
        };
        let mut remove = Vec::new();
        for (i, hash) in stale.into_iter().enumerate() {
            remove.push(format!("sessions.#x{i}"));
            names.push((format!("#x{i}"), hash.clone()));
        }
        let expr = update_expression(&set, &remove, "ADD srev :one");
        let mut profile = Op::update(key(keys::user(user.user_id), keys::PROFILE), expr)
            .when(
                "attribute_exists(PK) AND session_epoch = :e",
                Check::Profile,
            )
            .val(":s", value)
            .val(":t", s(now.clone()))
            .val(":one", n(1))
            .val(":e", n(user.session_epoch));
        for (placeholder, name) in &names {
            profile = profile.name(placeholder, name);
        }
        tx.push(profile);
        tx.record(NewActivity::new(
            kind::USER_LOGIN,
            user.user_id,
            user.user_id,
        ));
        self.commit(tx).await?;
        Ok(now)
    }

    /// Revokes the token of `token_hash` of `user`, kept at `home` (gone already is
    /// fine). Taking it out of the profile moves the profile's `srev`, so a profile
    /// write made from an older read cannot put it back.
    pub async fn revoke_token(
        &self,
        user: Uuid,
        token_hash: &str,
        home: TokenHome,
    ) -> Result<(), ApiError> {
        let op = match home {
            TokenHome::Item => Op::delete(key(keys::token(token_hash), keys::TOKEN)),
            TokenHome::Profile => Op::update(
                key(keys::user(user), keys::PROFILE),
                "REMOVE sessions.#h ADD srev :one",
            )
            .name("#h", token_hash)
            .val(":one", n(1))
            .when("attribute_exists(sessions.#h)", Check::Profile),
        };
        match self.write(op).await {
            Ok(()) | Err(Rejection::Failed(_)) => Ok(()),
            Err(Rejection::Error(e)) => Err(e),
        }
    }
}
