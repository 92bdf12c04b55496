//! Groups, their members, and their grants on workspaces. What a grant or a group
//! membership does to effective memberships is work of `effective.rs`, queued as a job
//! (`jobs.rs`) in the same transaction as the change, and run by the request at once
//! when it is small.

use uuid::Uuid;

use super::jobs::{
    DeletingGroup, Granting, Job, Joining, Leaving, MemberBatch, Revoking, Steps, Work,
    REQUEST_BUDGET,
};
use super::read::Range;
use super::write::{known_or_read, optimistic, Attempt, Check, Op, Tx};
use super::{from_item, key, n, s, to_item, with_key, Item, Store};
use crate::activity::{kind, Actor, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::{GrantRecord, GrantStatus, GroupMemberRecord, GroupRecord, WorkspaceRecord};
use crate::paging::{Page, PageRequest};
use crate::types::WsRole;

/// The most users a change may touch and still be applied before the response answers
/// (SPEC, "Groups"); larger work answers `applying` and is left to the worker.
pub const APPLY_NOW_MAX_USERS: i64 = 100;

/// How a change's effects stand when the response answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Active,
    Applying,
}

impl Applied {
    pub fn as_str(self) -> &'static str {
        match self {
            Applied::Active => "active",
            Applied::Applying => "applying",
        }
    }
}

fn group_gone(id: Uuid) -> ApiError {
    ApiError::not_found("group", &id.to_string())
}

fn group_meta(id: Uuid) -> Item {
    key(keys::group(id), keys::META)
}

fn name_guard(name: &str) -> Item {
    key(keys::group_name_guard(&name.to_lowercase()), keys::GUARD)
}

/// The group's `META` item, entered in the owner index under `GROUPS` by name.
fn group_item(g: &GroupRecord) -> Result<Item, ApiError> {
    let mut item = with_key(to_item(g)?, keys::group(g.group_id), keys::META);
    item.insert(keys::GSI1PK.into(), s(keys::ALL_GROUPS));
    item.insert(keys::GSI1SK.into(), s(g.name.to_lowercase()));
    Ok(item)
}

/// The write of `g`'s name guard, refused when another group has the name.
fn name_guard_put(g: &GroupRecord) -> Op {
    let mut guard = name_guard(&g.name);
    guard.insert("group_id".into(), s(g.group_id.to_string()));
    Op::put(guard).when("attribute_not_exists(PK)", Check::GroupName)
}

/// The write of `g`'s external id guard (when it has one), refused when another group
/// has it; entered in the owner index under `GROUPEXTIDS`, so `externalId pr` is one
/// partition read.
fn external_guard_put(g: &GroupRecord) -> Option<Op> {
    let ext = g.external_id.as_ref()?;
    let mut guard = key(keys::group_external_guard(ext), keys::GUARD);
    guard.insert("group_id".into(), s(g.group_id.to_string()));
    guard.insert(keys::GSI1PK.into(), s(keys::ALL_GROUP_EXTERNAL_IDS));
    guard.insert(keys::GSI1SK.into(), s(keys::group(g.group_id)));
    Some(Op::put(guard).when("attribute_not_exists(PK)", Check::ExternalId))
}

/// The groups counter (`STATS` / `GROUPS`).
pub(crate) fn groups_counter(delta: i64) -> Op {
    Op::update(key(keys::STATS, keys::GROUPS_COUNTER), "ADD #c :d")
        .name("#c", "count")
        .val(":d", n(delta))
}

/// A string attribute, or `NULL` for none.
fn optional(v: &Option<String>) -> aws_sdk_dynamodb::types::AttributeValue {
    match v {
        Some(v) => s(v.clone()),
        None => aws_sdk_dynamodb::types::AttributeValue::Null(true),
    }
}

/// What a group's own fields are: its name, description and external id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFields {
    pub name: String,
    pub description: Option<String>,
    pub external_id: Option<String>,
}

impl GroupFields {
    /// A group with only a name.
    pub fn named(name: &str) -> GroupFields {
        GroupFields {
            name: name.to_string(),
            description: None,
            external_id: None,
        }
    }

    pub fn of(g: &GroupRecord) -> GroupFields {
        GroupFields {
            name: g.name.clone(),
            description: g.description.clone(),
            external_id: g.external_id.clone(),
        }
    }
}

/// One member joining or leaving a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Add(Uuid),
    Remove(Uuid),
}

impl MemberChange {
    /// The compact form a job keeps: `+<id>` or `-<id>` (simple hex), comma-separated,
    /// so some thousands fit one item.
    pub(crate) fn encode(changes: &[MemberChange]) -> String {
        changes
            .iter()
            .map(|c| match c {
                MemberChange::Add(u) => format!("+{}", u.simple()),
                MemberChange::Remove(u) => format!("-{}", u.simple()),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    pub(crate) fn decode(s: &str) -> Vec<MemberChange> {
        s.split(',')
            .filter_map(|c| {
                let (sign, id) = c.split_at_checked(1)?;
                let id = Uuid::parse_str(id).ok()?;
                match sign {
                    "+" => Some(MemberChange::Add(id)),
                    "-" => Some(MemberChange::Remove(id)),
                    _ => None,
                }
            })
            .collect()
    }
}

/// What a change of a group does: its fields as they become, and its member changes.
#[derive(Debug, Clone)]
pub struct GroupEdit {
    pub fields: GroupFields,
    pub members: Vec<MemberChange>,
}

/// The most member changes one request may make (they are kept in one job item).
pub const MAX_MEMBER_CHANGES: usize = 5_000;

/// The condition on a group's `META` that a new member or grant needs.
const GROUP_OPEN: &str = "attribute_exists(PK) AND attribute_not_exists(deleting)";

impl Store {
    /// Creates group `id` with `fields`, by `actor`, recording `group.created` in the
    /// actor's feed. A name taken (case-insensitively) is 409 `name`, an external id
    /// taken 409 `external_id`.
    pub async fn create_group(
        &self,
        id: Uuid,
        fields: GroupFields,
        actor: impl Into<Actor>,
    ) -> Result<GroupRecord, ApiError> {
        let actor = actor.into();
        let now = self.clock.now_rfc3339();
        let g = GroupRecord {
            group_id: id,
            name: fields.name,
            description: fields.description,
            member_count: 0,
            created_at: now.clone(),
            updated_at: now,
            external_id: fields.external_id,
            version: 1,
            deleting: false,
        };
        let mut tx = Tx::new();
        tx.push(Op::put(group_item(&g)?).when("attribute_not_exists(PK)", Check::Group));
        tx.push(name_guard_put(&g));
        if let Some(op) = external_guard_put(&g) {
            tx.push(op);
        }
        tx.push(groups_counter(1));
        tx.record(
            NewActivity::new(kind::GROUP_CREATED, actor.id, actor)
                .with_data(serde_json::json!({ "group_id": id, "name": g.name })),
        );
        self.commit(tx).await?;
        Ok(g)
    }

    /// The group whose external id is `external_id` (its guard, strongly consistent).
    pub async fn group_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<GroupRecord>, ApiError> {
        self.group_by_guard(keys::group_external_guard(external_id))
            .await
    }

    /// The group named `name` (case-insensitively; its guard, strongly consistent).
    pub async fn group_by_name(&self, name: &str) -> Result<Option<GroupRecord>, ApiError> {
        self.group_by_guard(keys::group_name_guard(&name.to_lowercase()))
            .await
    }

    async fn group_by_guard(&self, pk: String) -> Result<Option<GroupRecord>, ApiError> {
        let Some(guard) = self.get_item(key(pk, keys::GUARD)).await? else {
            return Ok(None);
        };
        let id = guard
            .get("group_id")
            .and_then(|v| v.as_s().ok())
            .and_then(|s| Uuid::parse_str(s).ok());
        match id {
            Some(id) => self.live_group(id).await,
            None => Ok(None),
        }
    }

    /// Total groups, from the counter.
    pub async fn group_count(&self) -> Result<i64, ApiError> {
        self.counter(keys::GROUPS_COUNTER).await
    }

    /// The group, unless it is gone or being deleted.
    pub async fn live_group(&self, id: Uuid) -> Result<Option<GroupRecord>, ApiError> {
        Ok(self.get_group(id).await?.filter(|g| !g.deleting))
    }

    /// Groups by id, in the order given (missing ones and ones being deleted skipped).
    pub async fn get_groups(&self, ids: &[Uuid]) -> Result<Vec<GroupRecord>, ApiError> {
        let wanted: Vec<Item> = ids.iter().map(|g| group_meta(*g)).collect();
        let mut found: Vec<GroupRecord> = self
            .batch_get(wanted)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        found.retain(|g| !g.deleting);
        found.sort_by_key(|g| ids.iter().position(|i| *i == g.group_id));
        Ok(found)
    }

    /// Changes a group with optimistic concurrency, by `actor`: `decide` says, from
    /// the group as it is now, what its fields become and which members join or leave
    /// (`If-Match` is its business). The fields are written (recording `group.updated`
    /// when they change) in one transaction with a job holding every member change,
    /// so a change is all or nothing however many members it names; the job is run
    /// now, within the request's budget, and by the worker past it. Answers the group
    /// as written and whether its member changes are all applied. Gone is 404; a name
    /// or external id taken is 409.
    pub async fn change_group(
        &self,
        current: GroupRecord,
        decide: impl Fn(&GroupRecord) -> Result<GroupEdit, ApiError>,
        actor: impl Into<Actor>,
    ) -> Result<(GroupRecord, Applied), ApiError> {
        let actor = actor.into();
        let gid = current.group_id;
        let (actor, decide) = (&actor, &decide);
        let (group, job) = optimistic(Some(current), move |known: Option<GroupRecord>| async move {
            let current = known_or_read(known, self.live_group(gid), || group_gone(gid)).await?;
            let GroupEdit { fields, members } = decide(&current)?;
            let new = GroupRecord {
                name: fields.name,
                description: fields.description,
                external_id: fields.external_id,
                updated_at: self.clock.now_rfc3339(),
                version: current.version + 1,
                ..current.clone()
            };
            let fields_change = new.name != current.name
                || new.description != current.description
                || new.external_id != current.external_id;
            if !fields_change && members.is_empty() {
                return Ok(Attempt::Done((current, None)));
            }
            let mut tx = Tx::new();
            tx.push(
                Op::update(
                    group_meta(gid),
                    "SET #n = :n, description = :d, external_id = :e, updated_at = :u, #sk = :sk ADD version :one",
                )
                .when("version = :v AND attribute_not_exists(deleting)", Check::Group)
                .name("#n", "name")
                .name("#sk", keys::GSI1SK)
                .val(":n", s(new.name.clone()))
                .val(":d", optional(&new.description))
                .val(":e", optional(&new.external_id))
                .val(":u", s(new.updated_at.clone()))
                .val(":sk", s(new.name.to_lowercase()))
                .val(":one", n(1))
                .val(":v", n(current.version)),
            );
            if current.name.to_lowercase() != new.name.to_lowercase() {
                tx.push(Op::delete(name_guard(&current.name)));
                tx.push(name_guard_put(&new));
            }
            if current.external_id != new.external_id {
                if let Some(old) = &current.external_id {
                    tx.push(Op::delete(key(keys::group_external_guard(old), keys::GUARD)));
                }
                if let Some(op) = external_guard_put(&new) {
                    tx.push(op);
                }
            }
            let job = if members.is_empty() {
                None
            } else {
                let (job, queue) = self.job_op(
                    Work::GroupMembers {
                        group_id: gid,
                        changes: MemberChange::encode(&members),
                        actor_id: actor.id,
                        provisioned_by: actor.provisioned_by.clone(),
                    },
                    true,
                )?;
                tx.push(queue);
                Some(job)
            };
            if fields_change {
                tx.record(
                    NewActivity::new(kind::GROUP_UPDATED, actor.id, actor).with_data(
                        serde_json::json!({
                            "group_id": gid,
                            "name": new.name,
                            "from": { "name": current.name, "description": current.description },
                        }),
                    ),
                );
            }
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done((new, job))),
                Err(r) if r.failed(Check::GroupName) || r.failed(Check::ExternalId) => {
                    Err(r.into())
                }
                Err(r) if r.failed(Check::Group) => Ok(Attempt::Retry(None)),
                Err(r) => Err(r.into()),
            }
        })
        .await?;
        let Some(job) = job else {
            return Ok((group, Applied::Active));
        };
        let applied = self.finish_now::<MemberBatch>(job, true).await?;
        // The member changes moved the count and the version: answer them as they are.
        let group = self.get_group(gid).await?.unwrap_or(group);
        Ok((group, applied))
    }

    /// Deletes `group` with its memberships and grants, by `actor`: marks it deleting
    /// (it takes no new members or grants, and reads treat it as gone) and queues the
    /// rest, which this request runs when the group is small. `group.deleted` is
    /// recorded when the group itself goes.
    pub async fn delete_group(
        &self,
        group: &GroupRecord,
        actor: impl Into<Actor>,
    ) -> Result<Applied, ApiError> {
        let actor = actor.into();
        let small = group.member_count <= APPLY_NOW_MAX_USERS;
        let work = Work::DeleteGroup {
            group_id: group.group_id,
            actor_id: actor.id,
            provisioned_by: actor.provisioned_by,
        };
        let (job, queue) = self.job_op(work, small)?;
        let mut tx = Tx::new();
        tx.push(
            Op::update(group_meta(group.group_id), "SET deleting = :t")
                .when(GROUP_OPEN, Check::Group)
                .val(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true)),
        );
        tx.push(queue);
        match self.commit(tx).await {
            Ok(()) => {}
            Err(r) if r.failed(Check::Group) => return Err(group_gone(group.group_id)),
            Err(r) => return Err(r.into()),
        }
        self.finish_now::<DeletingGroup>(job, small).await
    }

    /// Runs `job` (held by this request) now when `small`, within the request's budget.
    async fn finish_now<S: Steps>(&self, job: Job, small: bool) -> Result<Applied, ApiError> {
        if small && Box::pin(self.run_queued::<S>(&job, REQUEST_BUDGET)).await? {
            Ok(Applied::Active)
        } else {
            Ok(Applied::Applying)
        }
    }

    pub async fn get_group_member(
        &self,
        group: Uuid,
        user: Uuid,
    ) -> Result<Option<GroupMemberRecord>, ApiError> {
        self.get_as(keys::group(group), &keys::member(user)).await
    }

    /// Adds user `user` to `group`, by `actor` (idempotent), recording
    /// `group.member_added` in the member's feed, and gives it the roles of the group's
    /// grants. An unknown user is 404 `user`, a group gone 404 `group`.
    pub async fn add_group_member(
        &self,
        group: &GroupRecord,
        user: Uuid,
        actor: impl Into<Actor>,
    ) -> Result<(GroupMemberRecord, Applied), ApiError> {
        let gid = group.group_id;
        let member = GroupMemberRecord {
            group_id: gid,
            user_id: user,
            added_at: self.clock.now_rfc3339(),
        };
        let mut item = with_key(to_item(&member)?, keys::group(gid), keys::member(user));
        item.insert(keys::GSI1PK.into(), s(keys::user(user)));
        item.insert(keys::GSI1SK.into(), s(keys::group(gid)));
        let (job, queue) = self.job_op(
            Work::JoinGroup {
                group_id: gid,
                user_id: user,
            },
            true,
        )?;
        let mut tx = Tx::new();
        tx.push(Op::put(item).when("attribute_not_exists(PK)", Check::Member));
        tx.push(
            Op::update(group_meta(gid), "ADD member_count :one, version :one")
                .when(GROUP_OPEN, Check::Group)
                .val(":one", n(1)),
        );
        tx.push(
            Op::check(key(keys::user(user), keys::PROFILE))
                .when("attribute_exists(PK)", Check::Profile),
        );
        tx.push(queue);
        tx.record(
            NewActivity::new(kind::GROUP_MEMBER_ADDED, user, actor)
                .with_data(serde_json::json!({ "group_id": gid, "name": group.name })),
        );
        match self.commit(tx).await {
            Ok(()) => {}
            Err(r) if r.failed(Check::Group) => return Err(group_gone(gid)),
            Err(r) if r.failed(Check::Profile) => {
                return Err(ApiError::not_found("user", &user.to_string()))
            }
            Err(r) if r.failed(Check::Member) => {
                let existing = self.get_group_member(gid, user).await?;
                return match existing {
                    Some(m) => Ok((m, Applied::Active)),
                    None => Err(ApiError::busy()),
                };
            }
            Err(r) => return Err(r.into()),
        }
        let applied = self.finish_now::<Joining>(job, true).await?;
        Ok((member, applied))
    }

    /// Removes user `user` from `group`, by `actor`, recording `group.member_removed`
    /// in its feed, and takes the group's roles from it. Not a member is 404 `member`.
    pub async fn remove_group_member(
        &self,
        group: &GroupRecord,
        user: Uuid,
        actor: impl Into<Actor>,
    ) -> Result<Applied, ApiError> {
        let gid = group.group_id;
        let (job, queue) = self.job_op(
            Work::LeaveGroup {
                group_id: gid,
                user_id: user,
            },
            true,
        )?;
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::group(gid), keys::member(user)))
                .when("attribute_exists(PK)", Check::Member),
        );
        tx.push(
            Op::update(group_meta(gid), "ADD member_count :d, version :one")
                .when("attribute_exists(PK)", Check::Group)
                .val(":d", n(-1))
                .val(":one", n(1)),
        );
        tx.push(queue);
        if self.get_user(user).await?.is_some() {
            tx.record(
                NewActivity::new(kind::GROUP_MEMBER_REMOVED, user, actor)
                    .with_data(serde_json::json!({ "group_id": gid, "name": group.name })),
            );
        }
        match self.commit(tx).await {
            Ok(()) => {}
            Err(r) if r.failed(Check::Member) => {
                return Err(ApiError::not_found("member", &user.to_string()))
            }
            Err(r) if r.failed(Check::Group) => return Err(group_gone(gid)),
            Err(r) => return Err(r.into()),
        }
        self.finish_now::<Leaving>(job, true).await
    }

    /// A page of the ids of `group`'s members, in id order.
    pub async fn group_members_page(
        &self,
        group: Uuid,
        page: &PageRequest,
    ) -> Result<Page<Uuid>, ApiError> {
        let members = Range::partition(keys::group(group)).prefix(keys::MEMBER_PREFIX);
        let found = self.read_page(&members, page).await?;
        found.try_map(|i| from_item::<GroupMemberRecord>(i).map(|m| m.user_id))
    }

    /// A page of every group by name (lower case) from `prefix` on, for global admins.
    pub async fn groups_page(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<GroupRecord>, ApiError> {
        let all = Range::index(
            keys::GSI1,
            keys::GSI1PK,
            keys::GSI1SK,
            keys::ALL_GROUPS.into(),
        );
        // DynamoDB takes no empty prefix.
        let all = match prefix.to_lowercase() {
            p if p.is_empty() => all,
            p => all.prefix(p),
        };
        let found: Page<GroupRecord> = self
            .read_page_of(&all, page, |entry| {
                Some(key(entry.get(keys::PK)?.as_s().ok()?.clone(), keys::META))
            })
            .await?;
        Ok(Page {
            items: found.items.into_iter().filter(|g| !g.deleting).collect(),
            next: found.next,
        })
    }

    /// A page of the groups `user` belongs to, in id order.
    pub async fn groups_of_page(
        &self,
        user: Uuid,
        page: &PageRequest,
    ) -> Result<Page<GroupRecord>, ApiError> {
        let own = Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, keys::user(user))
            .prefix(keys::GROUP_PREFIX);
        let found: Page<GroupRecord> = self
            .read_page_of(&own, page, |entry| {
                Some(key(entry.get(keys::PK)?.as_s().ok()?.clone(), keys::META))
            })
            .await?;
        Ok(Page {
            items: found.items.into_iter().filter(|g| !g.deleting).collect(),
            next: found.next,
        })
    }

    /// Grants `role` on `ws` to `group`, by `actor`, recording `workspace.group_granted`
    /// in the actor's feed; the same role again changes nothing. The grant is applied
    /// to the group's members before the answer when they are at most
    /// [`APPLY_NOW_MAX_USERS`], else it answers `applying` and the worker finishes it.
    pub async fn grant_group(
        &self,
        ws: &WorkspaceRecord,
        group: &GroupRecord,
        role: WsRole,
        actor: Uuid,
    ) -> Result<GrantRecord, ApiError> {
        let (wid, gid) = (ws.workspace_id, group.group_id);
        let small = group.member_count <= APPLY_NOW_MAX_USERS;
        let (grant, job) = optimistic((), move |()| async move {
            let old = self.get_grant(wid, gid).await?;
            if let Some(g) = &old {
                if g.role == role && g.status != GrantStatus::Revoking {
                    return Ok(Attempt::Done((g.clone(), None)));
                }
            }
            let grant = GrantRecord {
                workspace_id: wid,
                group_id: gid,
                role,
                status: GrantStatus::Applying,
                granted_at: self.clock.now_rfc3339(),
                gen: old.as_ref().map_or(1, |g| g.gen + 1),
            };
            let (job, queue) = self.job_op(
                Work::ApplyGrant {
                    workspace_id: wid,
                    group_id: gid,
                    gen: grant.gen,
                },
                small,
            )?;
            let mut tx = Tx::new();
            let item = with_key(to_item(&grant)?, keys::workspace(wid), keys::grant(gid));
            tx.push(match &old {
                None => Op::put(item).when("attribute_not_exists(PK)", Check::Grant),
                Some(o) => Op::put(item)
                    .when("gen = :gen", Check::Grant)
                    .val(":gen", n(o.gen)),
            });
            let mut mirror = key(keys::group(gid), keys::grant(wid));
            mirror.insert("workspace_id".into(), s(wid.to_string()));
            mirror.insert("group_id".into(), s(gid.to_string()));
            tx.push(Op::put(mirror));
            tx.push(
                Op::check(key(keys::workspace(wid), keys::META))
                    .when(super::workspaces::OPEN, Check::Workspace),
            );
            tx.push(Op::check(group_meta(gid)).when(GROUP_OPEN, Check::Group));
            tx.push(queue);
            tx.record(
                NewActivity::new(kind::GROUP_GRANTED, actor, actor)
                    .in_workspace(wid, &ws.name)
                    .with_data(serde_json::json!({
                        "group_id": gid,
                        "name": group.name,
                        "role": role,
                        "from": old.as_ref().filter(|o| o.status != GrantStatus::Revoking).map(|o| o.role),
                    })),
            );
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done((grant, Some(job)))),
                Err(r) if r.failed(Check::Workspace) => {
                    Err(ApiError::not_found("workspace", &wid.to_string()))
                }
                Err(r) if r.failed(Check::Group) => Err(group_gone(gid)),
                Err(r) if r.failed(Check::Grant) => Ok(Attempt::Retry(())),
                Err(r) => Err(r.into()),
            }
        })
        .await?;
        let Some(job) = job else {
            return Ok(grant);
        };
        self.finish_now::<Granting>(job, small).await?;
        Ok(self.get_grant(wid, gid).await?.unwrap_or(grant))
    }

    /// Revokes the grant of `ws` to group `gid`, by `actor`, recording
    /// `workspace.group_revoked`: marks it revoking (no one gains it any more) and
    /// takes its role from the group's members, now when they are at most
    /// [`APPLY_NOW_MAX_USERS`]. No such grant is 404 `grant`.
    pub async fn revoke_group(
        &self,
        ws: &WorkspaceRecord,
        gid: Uuid,
        actor: Uuid,
    ) -> Result<Applied, ApiError> {
        let wid = ws.workspace_id;
        let gone = || ApiError::not_found("grant", &gid.to_string());
        let members = self.get_group(gid).await?.map_or(0, |g| g.member_count);
        let small = members <= APPLY_NOW_MAX_USERS;
        let job = optimistic((), move |()| async move {
            let grant = match self.get_grant(wid, gid).await? {
                Some(g) if g.status != GrantStatus::Revoking => g,
                _ => return Err(gone()),
            };
            let (job, queue) = self.job_op(
                Work::RevokeGrant {
                    workspace_id: wid,
                    group_id: gid,
                },
                small,
            )?;
            let mut tx = Tx::new();
            tx.push(
                Op::update(
                    key(keys::workspace(wid), keys::grant(gid)),
                    "SET #st = :rv ADD gen :one",
                )
                .when("gen = :gen", Check::Grant)
                .name("#st", "status")
                .val(":rv", s("revoking"))
                .val(":gen", n(grant.gen))
                .val(":one", n(1)),
            );
            tx.push(queue);
            tx.record(
                NewActivity::new(kind::GROUP_REVOKED, actor, actor)
                    .in_workspace(wid, &ws.name)
                    .with_data(serde_json::json!({ "group_id": gid, "role": grant.role })),
            );
            match self.commit(tx).await {
                Ok(()) => Ok(Attempt::Done(job)),
                Err(r) if r.failed(Check::Grant) => Ok(Attempt::Retry(())),
                Err(r) => Err(r.into()),
            }
        })
        .await?;
        self.finish_now::<Revoking>(job, small).await
    }

    /// A page of the grants of workspace `wid`, in group id order.
    pub async fn grants_page(
        &self,
        wid: Uuid,
        page: &PageRequest,
    ) -> Result<Page<GrantRecord>, ApiError> {
        let grants = Range::partition(keys::workspace(wid)).prefix(keys::GRANT_PREFIX);
        self.read_page(&grants, page).await?.try_map(from_item)
    }

    /// A page of the grants made to group `gid`, in workspace id order: the mirrors in
    /// the group's partition name the workspaces, and one read fetches their grants.
    pub async fn group_grants_page(
        &self,
        gid: Uuid,
        page: &PageRequest,
    ) -> Result<Page<GrantRecord>, ApiError> {
        let mirrors = Range::partition(keys::group(gid)).prefix(keys::GRANT_PREFIX);
        let found = self.read_page(&mirrors, page).await?;
        let wids: Vec<Uuid> = found
            .items
            .iter()
            .filter_map(|i| i.get("workspace_id")?.as_s().ok()?.parse().ok())
            .collect();
        let grant_keys = wids
            .iter()
            .map(|w| key(keys::workspace(*w), keys::grant(gid)))
            .collect();
        let mut grants: Vec<GrantRecord> = self
            .batch_get(grant_keys)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        grants.sort_by_key(|g| g.workspace_id);
        Ok(Page {
            items: grants,
            next: found.next,
        })
    }

    /// Puts `users` into `group` without activities or grant work, and sets its
    /// member count: bulk fixtures for tests and benchmarks on fresh groups only
    /// (grant the group afterwards).
    pub async fn import_group_members_unchecked(
        &self,
        group: Uuid,
        users: &[Uuid],
    ) -> Result<(), ApiError> {
        let now = self.clock.now_rfc3339();
        let items = users
            .iter()
            .map(|u| {
                let m = GroupMemberRecord {
                    group_id: group,
                    user_id: *u,
                    added_at: now.clone(),
                };
                let mut item = with_key(to_item(&m)?, keys::group(group), keys::member(*u));
                item.insert(keys::GSI1PK.into(), s(keys::user(*u)));
                item.insert(keys::GSI1SK.into(), s(keys::group(group)));
                Ok(item)
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        self.put_items(items).await?;
        let count =
            Op::update(group_meta(group), "SET member_count = :n").val(":n", n(users.len() as i64));
        Ok(self.write(count).await?)
    }
}
