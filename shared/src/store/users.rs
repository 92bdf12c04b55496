//! Users, their guards, tokens and the global user counter.

use uuid::Uuid;

use super::{from_item, key, n, s, set_all, to_item, with_key, Item, Op, Store, Tx, TxError};
use crate::activity::NewActivity;
use crate::error::ApiError;
use crate::keys;
use crate::model::{TokenRecord, UserRecord, WorkspaceRecord, WsRole};

/// Labels of the conditions user writes can fail on.
pub mod label {
    pub const EMAIL: &str = "email";
    pub const USERNAME: &str = "username";
    pub const PROFILE: &str = "profile";
    pub const TOKEN: &str = "token";
    pub const LAST_ADMIN: &str = "last_admin";
}

/// The profile item of `user`: the record, its key and its global directory entry.
pub(crate) fn profile_item(user: &UserRecord) -> Result<Item, ApiError> {
    let mut item = with_key(to_item(user)?, keys::user(user.user_id), keys::PROFILE);
    item.extend(to_item(&user.dir_keys(keys::DIR_ALL.into(), None))?);
    Ok(item)
}

/// The attributes copied from a profile onto each of its membership items.
pub(crate) fn member_dir_attrs(
    user: &UserRecord,
    workspace: Uuid,
    role: WsRole,
) -> Result<Item, ApiError> {
    to_item(&user.dir_keys(keys::dir_workspace(workspace), Some(role)))
}

fn guard_item(pk: String, user: Uuid) -> Item {
    let mut item = key(pk, keys::GUARD);
    item.insert("user_id".into(), s(user.to_string()));
    item
}

/// The users counter (`STATS` / `USERS`).
fn users_counter(delta: i64) -> Op {
    Op::update(key(keys::STATS, keys::USERS_COUNTER), "ADD #c :d")
        .name("#c", "count")
        .val(":d", n(delta))
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

    /// A token record by its hash.
    pub async fn get_token(&self, hash: &str) -> Result<Option<TokenRecord>, ApiError> {
        self.get_as(keys::token(hash), keys::TOKEN).await
    }

    /// The user an email address or a username belongs to.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, ApiError> {
        let lower = login.trim().to_lowercase();
        let pk = if lower.contains('@') {
            keys::email_guard(&lower)
        } else {
            keys::username_guard(&lower)
        };
        let Some(guard) = self.get_item(key(pk, keys::GUARD)).await? else {
            return Ok(None);
        };
        let Some(id) = guard
            .get("user_id")
            .and_then(|v| v.as_s().ok())
            .and_then(|s| Uuid::parse_str(s).ok())
        else {
            return Ok(None);
        };
        self.get_user(id).await
    }

    /// Total users, from the counter.
    pub async fn user_count(&self) -> Result<i64, ApiError> {
        let item = self.get_item(key(keys::STATS, keys::USERS_COUNTER)).await?;
        Ok(item
            .and_then(|i| {
                i.get("count")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(0))
    }

    /// Creates a user with its guards and activity; `email`/`username` fail on clashes.
    pub async fn create_user(
        &self,
        user: &UserRecord,
        activity: NewActivity,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::put(profile_item(user)?)
                .cond("attribute_not_exists(PK)")
                .label(label::PROFILE),
        );
        tx.push(
            Op::put(guard_item(
                keys::email_guard(&user.email.to_lowercase()),
                user.user_id,
            ))
            .cond("attribute_not_exists(PK)")
            .label(label::EMAIL),
        );
        tx.push(
            Op::put(guard_item(
                keys::username_guard(&user.username.to_lowercase()),
                user.user_id,
            ))
            .cond("attribute_not_exists(PK)")
            .label(label::USERNAME),
        );
        tx.push(users_counter(1));
        tx.record(activity, retention)?;
        self.commit(tx).await
    }

    /// Stores a login: the token (hash only), `last_login`, and the activity.
    pub async fn login(
        &self,
        user: &UserRecord,
        token_hash: &str,
        token: &TokenRecord,
        activity: NewActivity,
        retention: i64,
    ) -> Result<String, TxError> {
        let now = crate::time::now_rfc3339();
        let mut item = with_key(to_item(token)?, keys::token(token_hash), keys::TOKEN);
        item.insert(keys::GSI1PK.into(), s(keys::user(user.user_id)));
        item.insert(keys::GSI1SK.into(), s(keys::token(token_hash)));
        let mut tx = Tx::new();
        tx.push(
            Op::put(item)
                .cond("attribute_not_exists(PK)")
                .label(label::TOKEN),
        );
        tx.push(
            Op::update(
                key(keys::user(user.user_id), keys::PROFILE),
                "SET last_login = :t ADD version :one",
            )
            .cond("attribute_exists(PK) AND session_epoch = :e")
            .val(":t", s(now.clone()))
            .val(":one", n(1))
            .val(":e", n(user.session_epoch))
            .label(label::PROFILE),
        );
        tx.record(activity, retention)?;
        self.commit(tx).await?;
        Ok(now)
    }

    /// Deletes a token.
    pub async fn revoke_token(&self, hash: &str) -> Result<(), ApiError> {
        match self
            .apply(Op::delete(key(keys::token(hash), keys::TOKEN)))
            .await
        {
            Ok(()) | Err(TxError::Failed(_)) => Ok(()),
            Err(TxError::Api(e)) => Err(e),
        }
    }

    /// Writes a changed profile as one transaction: the profile (only if still the
    /// version `old`), guards that moved, every membership's directory copy, the
    /// caller's token when the session epoch moved, and the activities.
    pub async fn save_user(
        &self,
        old: &UserRecord,
        new: &UserRecord,
        keep_token: Option<&str>,
        activities: Vec<NewActivity>,
        retention: i64,
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::put(profile_item(new)?)
                .cond("version = :v AND mrev = :m")
                .val(":v", n(old.version))
                .val(":m", n(old.mrev))
                .label(label::PROFILE),
        );
        let (old_email, new_email) = (old.email.to_lowercase(), new.email.to_lowercase());
        if old_email != new_email {
            tx.push(Op::delete(key(keys::email_guard(&old_email), keys::GUARD)));
            tx.push(
                Op::put(guard_item(keys::email_guard(&new_email), new.user_id))
                    .cond("attribute_not_exists(PK)")
                    .label(label::EMAIL),
            );
        }
        let (old_name, new_name) = (old.username.to_lowercase(), new.username.to_lowercase());
        if old_name != new_name {
            tx.push(Op::delete(key(
                keys::username_guard(&old_name),
                keys::GUARD,
            )));
            tx.push(
                Op::put(guard_item(keys::username_guard(&new_name), new.user_id))
                    .cond("attribute_not_exists(PK)")
                    .label(label::USERNAME),
            );
        }
        for (wid, role) in &new.memberships {
            let op = Op::update(key(keys::workspace(*wid), keys::member(new.user_id)), "")
                .cond("attribute_exists(PK)")
                .label(label::PROFILE);
            tx.push(set_all(op, member_dir_attrs(new, *wid, *role)?));
        }
        if let Some(hash) = keep_token.filter(|_| new.session_epoch != old.session_epoch) {
            tx.push(
                Op::update(key(keys::token(hash), keys::TOKEN), "SET epoch = :e")
                    .cond("attribute_exists(PK)")
                    .val(":e", n(new.session_epoch))
                    .label(label::TOKEN),
            );
        }
        for a in activities {
            tx.record(a, retention)?;
        }
        self.commit(tx).await
    }

    /// Writes users with their guards and counts them, without the uniqueness checks
    /// of [`Store::create_user`] and without activities: bulk fixtures for tests and
    /// benchmarks on fresh tables only.
    pub async fn import_users_unchecked(&self, users: &[UserRecord]) -> Result<(), ApiError> {
        let mut items = Vec::with_capacity(users.len() * 3);
        for u in users {
            items.push(profile_item(u)?);
            items.push(guard_item(
                keys::email_guard(&u.email.to_lowercase()),
                u.user_id,
            ));
            items.push(guard_item(
                keys::username_guard(&u.username.to_lowercase()),
                u.user_id,
            ));
        }
        self.put_items(items).await?;
        self.apply(users_counter(users.len() as i64))
            .await
            .map_err(|e| match e {
                TxError::Api(e) => e,
                TxError::Failed(_) => ApiError::internal("users counter"),
            })
    }

    /// Whether a delete of `user` was begun and not finished.
    pub async fn delete_pending(&self, user: Uuid) -> Result<bool, ApiError> {
        Ok(self
            .get_item(key(keys::user(user), keys::TOMBSTONE))
            .await?
            .is_some())
    }

    /// First step of a delete, atomic: the profile, its guards, its memberships (member
    /// counts fixed; a workspace whose only member this was goes too) and the user
    /// counter, leaving a tombstone so that a retried DELETE can finish the rest.
    /// Fails with `last_admin` when it would leave a workspace with members but no admin.
    pub async fn begin_delete(
        &self,
        user: &UserRecord,
        workspaces: &[WorkspaceRecord],
    ) -> Result<(), TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::user(user.user_id), keys::PROFILE))
                .cond("version = :v AND mrev = :m")
                .val(":v", n(user.version))
                .val(":m", n(user.mrev))
                .label(label::PROFILE),
        );
        tx.push(Op::delete(key(
            keys::email_guard(&user.email.to_lowercase()),
            keys::GUARD,
        )));
        tx.push(Op::delete(key(
            keys::username_guard(&user.username.to_lowercase()),
            keys::GUARD,
        )));
        let mut tomb = key(keys::user(user.user_id), keys::TOMBSTONE);
        tomb.insert("user_id".into(), s(user.user_id.to_string()));
        tomb.insert("started_at".into(), s(crate::time::now_rfc3339()));
        tx.push(Op::put(tomb));
        tx.push(users_counter(-1));
        for ws in workspaces {
            let Some(role) = user.memberships.get(&ws.workspace_id).copied() else {
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
                        .cond("member_count = :one")
                        .val(":one", n(1))
                        .label(label::PROFILE),
                );
            } else if role == WsRole::Admin {
                tx.push(
                    Op::update(meta, "ADD member_count :m, admin_count :m")
                        .cond("admin_count > :one")
                        .val(":m", n(-1))
                        .val(":one", n(1))
                        .label(label::LAST_ADMIN),
                );
            } else {
                tx.push(Op::update(meta, "ADD member_count :m").val(":m", n(-1)));
            }
        }
        self.commit(tx).await
    }

    /// Second step of a delete: everything left in the user's partition (files,
    /// activities, counters) and its tokens, then the tombstone. Safe to repeat.
    pub async fn finish_delete(&self, user: Uuid) -> Result<(), ApiError> {
        let pk = keys::user(user);
        let owned: Vec<Item> = self
            .query_prefix(&pk, "")
            .await?
            .into_iter()
            .filter(|i| {
                i.get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .map(String::as_str)
                    != Some(keys::TOMBSTONE)
            })
            .map(|i| key_of(&i))
            .collect();
        self.delete_keys(owned).await?;
        let tokens = self.owned_by(user, "TOKEN#").await?;
        self.delete_keys(tokens).await?;
        self.apply(Op::delete(key(pk, keys::TOMBSTONE)))
            .await
            .map_err(|e| match e {
                TxError::Api(e) => e,
                TxError::Failed(_) => ApiError::internal("tombstone delete failed"),
            })
    }

    /// Keys of the items the owner index lists under `user` with the given prefix.
    pub(crate) async fn owned_by(&self, user: Uuid, prefix: &str) -> Result<Vec<Item>, ApiError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI1)
                .key_condition_expression("GSI1PK = :pk AND begins_with(GSI1SK, :p)")
                .expression_attribute_values(":pk", s(keys::user(user)))
                .expression_attribute_values(":p", s(prefix))
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map_err(super::db_error)?;
            self.meter(&page.consumed_capacity);
            out.extend(page.items.unwrap_or_default().iter().map(key_of));
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// Sets a user's notification marker, only forward. `Ok(false)` when the stored
    /// marker is already at or past `at`.
    pub async fn mark_notifications_read(
        &self,
        user: Uuid,
        at: &str,
        activity: NewActivity,
        retention: i64,
    ) -> Result<bool, TxError> {
        let mut tx = Tx::new();
        tx.push(
            Op::update(
                key(keys::user(user), keys::PROFILE),
                "SET last_read_notification_date = :t ADD version :one",
            )
            .cond("attribute_exists(PK) AND (attribute_not_exists(last_read_notification_date) OR last_read_notification_date < :t)")
            .val(":t", s(at))
            .val(":one", n(1))
            .label(label::PROFILE),
        );
        tx.record(activity, retention)?;
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(e) if e.failed(label::PROFILE) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// The primary key of a read item.
pub(crate) fn key_of(item: &Item) -> Item {
    item.iter()
        .filter(|(k, _)| k.as_str() == keys::PK || k.as_str() == keys::SK)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl Store {
    /// A rate counter: (failures, window end in epoch seconds).
    pub async fn rate_counter(&self, pk: &str) -> Result<Option<(i64, i64)>, ApiError> {
        let item = self.get_item(key(pk, keys::RATE)).await?;
        Ok(item.map(|i| {
            let num = |name: &str| {
                i.get(name)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0)
            };
            (num("count"), num("expires_at"))
        }))
    }

    /// Counts a failure: in the open window, or in a new one from `now` to `until`.
    pub async fn bump_rate_counter(&self, pk: &str, now: i64, until: i64) -> Result<(), TxError> {
        let in_window = Op::update(key(pk, keys::RATE), "ADD #c :one")
            .cond("expires_at > :now")
            .name("#c", "count")
            .val(":one", n(1))
            .val(":now", n(now));
        match self.apply(in_window).await {
            Err(TxError::Failed(_)) => {
                let mut item = key(pk, keys::RATE);
                item.insert("count".into(), n(1));
                item.insert("expires_at".into(), n(until));
                self.apply(Op::put(item)).await
            }
            other => other,
        }
    }
}
