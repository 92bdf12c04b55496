//! Effective memberships: what a group's grants add to its members' memberships. A
//! grant of role R on workspace W to group G is materialised as `via[G] = R` on the
//! membership item `WS#W` / `MEMBER#<user>` of each member of G (created when the user
//! had none), whose `role` is the highest of its direct role and every `via` role, and
//! on the user's `memberships` map. Work is done in chunks of at most [`CHUNK`] pairs,
//! each one transaction that re-checks the facts the change rests on: the grant (its
//! generation, or that it is being revoked) and the group membership.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::workspaces::{member_item, member_key, OPEN};
use super::write::{optimistic, update_expression, Attempt, Check, Op, Tx};
use super::{from_item, key, n, s, to_item, Item, Store};
use crate::error::ApiError;
use crate::keys;
use crate::model::{GrantRecord, GrantStatus, MemberRecord, UserRecord, WorkspaceRecord};
use crate::types::WsRole;
use aws_sdk_dynamodb::types::AttributeValue;

/// The most (workspace, user) pairs one transaction changes: each costs up to three
/// writes (the membership, the profile, the group-membership check), and the grants'
/// checks and the workspaces' counters take the rest of DynamoDB's 100.
pub(crate) const CHUNK: usize = 25;

/// What a change of `via[group]` on one membership rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Because {
    /// The grant is still of generation `gen` (not revoked, role unchanged) and the user
    /// still in the group: `via[group]` becomes the grant's role.
    Granted { gen: i64 },
    /// The grant is being revoked: `via[group]` goes.
    Revoking,
    /// The user left the group: `via[group]` goes.
    Left,
}

/// One change of `via[group]` on the membership of `user` in `workspace`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViaChange {
    pub workspace: Uuid,
    pub user: Uuid,
    pub because: Because,
}

fn grant_key(workspace: Uuid, group: Uuid) -> Item {
    key(keys::workspace(workspace), keys::grant(group))
}

fn group_member_key(group: Uuid, user: Uuid) -> Item {
    key(keys::group(group), keys::member(user))
}

/// Per user of a chunk: its profile as read, its new effective role in each workspace
/// changed (`None`: no longer a member), and whether a new membership item copies it.
type ProfileSide = (UserRecord, BTreeMap<Uuid, Option<WsRole>>, bool);

/// What one chunk read: every item its changes rest on, by key.
struct Facts {
    items: HashMap<(String, String), Item>,
}

impl Facts {
    fn get(&self, k: &Item) -> Option<&Item> {
        let pk = k.get(keys::PK)?.as_s().ok()?.clone();
        let sk = k.get(keys::SK)?.as_s().ok()?.clone();
        self.items.get(&(pk, sk))
    }
    fn record<T: serde::de::DeserializeOwned>(&self, k: &Item) -> Result<Option<T>, ApiError> {
        self.get(k).cloned().map(from_item).transpose()
    }
}

impl Store {
    /// Applies `changes` of `via[group]` (at most [`CHUNK`]), each only while what it
    /// rests on holds; a change whose ground is gone is dropped. One transaction,
    /// re-read and retried when a concurrent change moved what it read.
    pub(crate) async fn apply_via(
        &self,
        group: Uuid,
        changes: &[ViaChange],
    ) -> Result<(), ApiError> {
        if changes.is_empty() {
            return Ok(());
        }
        optimistic((), move |()| async move {
            let facts = self.read_facts(group, changes).await?;
            let tx = self.via_tx(group, changes, &facts)?;
            let Some(tx) = tx else {
                return Ok(Attempt::Done(()));
            };
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(super::write::Rejection::Failed(_)) => Ok(Attempt::Retry(())),
                Err(r) => Err(r.into()),
            }
        })
        .await
    }

    async fn read_facts(&self, group: Uuid, changes: &[ViaChange]) -> Result<Facts, ApiError> {
        let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
        let mut add = |k: Item| {
            let pk = k[keys::PK].as_s().cloned().unwrap_or_default();
            let sk = k[keys::SK].as_s().cloned().unwrap_or_default();
            wanted.insert((pk, sk));
        };
        for c in changes {
            add(member_key(c.workspace, c.user));
            add(key(keys::user(c.user), keys::PROFILE));
            add(key(keys::workspace(c.workspace), keys::META));
            add(grant_key(c.workspace, group));
            add(group_member_key(group, c.user));
        }
        let keys_: Vec<Item> = wanted.into_iter().map(|(p, s_)| key(p, s_)).collect();
        let items = self
            .batch_get(keys_)
            .await?
            .into_iter()
            .filter_map(|i| {
                let pk = i.get(keys::PK)?.as_s().ok()?.clone();
                let sk = i.get(keys::SK)?.as_s().ok()?.clone();
                Some(((pk, sk), i))
            })
            .collect();
        Ok(Facts { items })
    }

    /// The transaction of a chunk, from what it read; `None` when nothing changes.
    fn via_tx(
        &self,
        group: Uuid,
        changes: &[ViaChange],
        facts: &Facts,
    ) -> Result<Option<Tx>, ApiError> {
        let mut tx = Tx::new();
        let mut checks: Vec<Op> = Vec::new();
        let mut checked: BTreeSet<(Uuid, Uuid)> = BTreeSet::new();
        let mut profiles: BTreeMap<Uuid, ProfileSide> = BTreeMap::new();
        // Per workspace: change of member_count, and whether anything joins it.
        let mut counts: BTreeMap<Uuid, (i64, bool)> = BTreeMap::new();
        for c in changes {
            let Some(user) = facts.record::<UserRecord>(&key(keys::user(c.user), keys::PROFILE))?
            else {
                continue;
            };
            let ws: Option<WorkspaceRecord> =
                facts.record(&key(keys::workspace(c.workspace), keys::META))?;
            let grant: Option<GrantRecord> = facts.record(&grant_key(c.workspace, group))?;
            let in_group = facts.get(&group_member_key(group, c.user)).is_some();
            // What `via[group]` becomes, if the change's ground holds.
            let target = match c.because {
                Because::Granted { gen } => match (&grant, &ws) {
                    (Some(g), Some(w))
                        if g.gen == gen
                            && g.status != GrantStatus::Revoking
                            && in_group
                            && !w.deleting =>
                    {
                        Some(g.role)
                    }
                    _ => continue,
                },
                Because::Revoking => match &grant {
                    Some(g) if g.status == GrantStatus::Revoking => None,
                    _ => continue,
                },
                Because::Left if !in_group => None,
                Because::Left => continue,
            };
            let before: Option<MemberRecord> = facts.record(&member_key(c.workspace, c.user))?;
            if before.as_ref().and_then(|m| m.via.get(&group).copied()) == target {
                continue;
            }
            let mut via = before.as_ref().map(|m| m.via.clone()).unwrap_or_default();
            match target {
                Some(r) => via.insert(group, r),
                None => via.remove(&group),
            };
            let direct = before.as_ref().and_then(|m| m.direct);
            let effective = MemberRecord::effective(direct, &via);
            let item_key = member_key(c.workspace, c.user);
            let entry = profiles
                .entry(c.user)
                .or_insert_with(|| (user.clone(), BTreeMap::new(), false));
            let count = counts.entry(c.workspace).or_insert((0, false));
            match (&before, effective) {
                (None, None) => continue,
                (None, Some(role)) => {
                    let m = MemberRecord {
                        workspace_id: c.workspace,
                        user_id: c.user,
                        role,
                        direct: None,
                        via,
                        joined_at: self.clock.now_rfc3339(),
                        mver: 0,
                    };
                    tx.push(
                        Op::put(member_item(&m, &user)?)
                            .when("attribute_not_exists(PK)", Check::Member),
                    );
                    entry.2 = true;
                    count.0 += 1;
                    count.1 = true;
                }
                (Some(b), None) => {
                    tx.push(
                        Op::delete(item_key)
                            .when("mver = :mv", Check::Member)
                            .val(":mv", n(b.mver)),
                    );
                    count.0 -= 1;
                }
                (Some(b), Some(role)) => {
                    // The whole `via` is rewritten (absent when empty).
                    let op = if via.is_empty() {
                        Op::update(
                            item_key,
                            "SET #r = :r, ws_role = :r REMOVE via ADD mver :one",
                        )
                    } else {
                        Op::update(
                            item_key,
                            "SET #r = :r, ws_role = :r, via = :via ADD mver :one",
                        )
                        .val(":via", AttributeValue::M(to_item(&via)?))
                    };
                    tx.push(
                        op.when("mver = :mv", Check::Member)
                            .name("#r", "role")
                            .val(":r", s(role.as_str()))
                            .val(":mv", n(b.mver))
                            .val(":one", n(1)),
                    );
                    count.1 |= target.is_some();
                }
            }
            entry.1.insert(c.workspace, effective);
            // The facts it rests on, checked as the change commits.
            match c.because {
                Because::Granted { gen } => {
                    if checked.insert((c.workspace, Uuid::nil())) {
                        checks.push(
                            Op::check(grant_key(c.workspace, group))
                                .when("gen = :gen AND #st <> :rv", Check::Grant)
                                .name("#st", "status")
                                .val(":gen", n(gen))
                                .val(":rv", s("revoking")),
                        );
                    }
                    if checked.insert((Uuid::nil(), c.user)) {
                        checks.push(
                            Op::check(group_member_key(group, c.user))
                                .when("attribute_exists(PK)", Check::Group),
                        );
                    }
                }
                Because::Revoking => {
                    if checked.insert((c.workspace, Uuid::nil())) {
                        checks.push(
                            Op::check(grant_key(c.workspace, group))
                                .when("#st = :rv", Check::Grant)
                                .name("#st", "status")
                                .val(":rv", s("revoking")),
                        );
                    }
                }
                Because::Left => {
                    if checked.insert((Uuid::nil(), c.user)) {
                        checks.push(
                            Op::check(group_member_key(group, c.user))
                                .when("attribute_not_exists(PK)", Check::Group),
                        );
                    }
                }
            }
        }
        if profiles.values().all(|(_, roles, _)| roles.is_empty()) {
            return Ok(None);
        }
        for (user, roles, copies) in profiles.values() {
            if roles.is_empty() {
                continue;
            }
            tx.push(profile_roles(user, roles, *copies));
        }
        for (workspace, (delta, joins)) in counts {
            let meta = key(keys::workspace(workspace), keys::META);
            let op = if delta != 0 {
                Op::update(meta, "ADD member_count :d").val(":d", n(delta))
            } else {
                Op::check(meta)
            };
            tx.push(if joins {
                op.when(OPEN, Check::Workspace)
            } else {
                op.when("attribute_exists(PK)", Check::Workspace)
            });
        }
        for c in checks {
            tx.push(c);
        }
        Ok(Some(tx))
    }
}

/// The profile side of a chunk for one user: its effective roles in `roles` (`None`
/// removes one) and `mrev`; when a new membership item copied the profile (`copies`),
/// only if the profile is still the version read.
fn profile_roles(user: &UserRecord, roles: &BTreeMap<Uuid, Option<WsRole>>, copies: bool) -> Op {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    let mut op_names = Vec::new();
    let mut op_vals = Vec::new();
    for (i, (w, r)) in roles.iter().enumerate() {
        op_names.push((format!("#w{i}"), w.to_string()));
        match r {
            Some(r) => {
                set.push(format!("memberships.#w{i} = :r{i}"));
                op_vals.push((format!(":r{i}"), s(r.as_str())));
            }
            None => remove.push(format!("memberships.#w{i}")),
        }
    }
    // Leaving the user's default workspace clears it (a change of the representation,
    // made only on the version read).
    let leaves_default = roles
        .iter()
        .any(|(w, r)| r.is_none() && user.default_workspace_id == Some(*w));
    let tail = if leaves_default {
        remove.push("default_workspace_id".to_string());
        "ADD mrev :one, version :one"
    } else {
        "ADD mrev :one"
    };
    let expr = update_expression(&set, &remove, tail);
    let mut op = Op::update(key(keys::user(user.user_id), keys::PROFILE), expr).val(":one", n(1));
    op = if copies || leaves_default {
        op.when("version = :v", Check::Profile)
            .val(":v", n(user.version))
    } else {
        op.when("attribute_exists(PK)", Check::Profile)
    };
    for (k, v) in op_names {
        op = op.name(&k, &v);
    }
    for (k, v) in op_vals {
        op = op.val(&k, v);
    }
    op
}
