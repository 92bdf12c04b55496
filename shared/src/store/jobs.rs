//! Background work that may outgrow a request: applying or revoking a grant for every
//! member of a group, a user joining or leaving a group with many grants, deleting a
//! group, and copying a profile into more membership items than one transaction holds.
//!
//! A job is an item (`JOB#<uuid v7>` / `JOB`, entered in the owner index under
//! `JOBS`) written in the same transaction as the change that needs it, so the work can
//! never be forgotten. The request that wrote it holds its lease and runs it at once
//! (to the end when it is small); whatever is left, after a crash or past the request's
//! budget, the worker (`run-jobs` in AWS, `admin worker` under `make dev`) takes up once
//! the lease lapses. Each step does one chunk and records where the next starts, and
//! every step is idempotent and conditioned on the facts it rests on, so a step run
//! twice, or by two runners at once, changes nothing more.

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::effective::{Because, ViaChange, CHUNK};
use super::groups::MemberChange;
use super::read::Range;
use super::users::member_dir_attrs;
use super::workspaces::member_key;
use super::write::{Check, Op, Rejection, Tx};
use super::{from_item, key, n, s, to_item, with_key, Item, Store};
use crate::activity::{kind, Actor, NewActivity};
use crate::error::ApiError;
use crate::keys;
use crate::model::{GrantRecord, GrantStatus, GroupMemberRecord, GroupRecord};
use crate::paging::PageRequest;

/// What a job does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// Give every member of the group the grant's role (generation `gen`), then mark
    /// the grant active.
    ApplyGrant {
        workspace_id: Uuid,
        group_id: Uuid,
        gen: i64,
    },
    /// Take a revoked grant's role from everyone holding it, then delete the grant.
    RevokeGrant { workspace_id: Uuid, group_id: Uuid },
    /// Give a new member of the group the roles of the group's grants.
    JoinGroup { group_id: Uuid, user_id: Uuid },
    /// Take the group's roles from a user who left it.
    LeaveGroup { group_id: Uuid, user_id: Uuid },
    /// Revoke every grant of a group being deleted, remove its members, then the group.
    DeleteGroup {
        group_id: Uuid,
        actor_id: Uuid,
        /// The provisioning token's name, when one deletes it (SCIM).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provisioned_by: Option<String>,
    },
    /// Add and remove the members of one request (SCIM), in order: each change is a
    /// join or leave of its own, with its effects; the cursor counts those done.
    GroupMembers {
        group_id: Uuid,
        /// [`MemberChange::encode`]d.
        changes: String,
        actor_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provisioned_by: Option<String>,
    },
    /// Copy a changed profile into each of its membership items.
    CopyProfile { user_id: Uuid },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct JobRecord {
    job_id: Uuid,
    work: Work,
    created_at: String,
    /// Until when (epoch milliseconds) a runner holds the job.
    lease_until: i64,
    #[serde(default)]
    attempts: i64,
    /// The sort key after which the next step starts.
    #[serde(default)]
    cursor: Option<String>,
}

/// How long a runner holds a job before another may take it up.
const LEASE_MS: i64 = 60_000;

/// How long a request works on the job it made before leaving the rest to the worker.
pub(crate) const REQUEST_BUDGET: Duration = Duration::from_secs(10);

/// Which steps a runner can take. A request runs only the kind of job it made, so
/// each names its own kind, and its function links that step alone (the worker,
/// [`AnyWork`], links them all): profile writers stay small.
pub(crate) trait Steps {
    fn step<'a>(
        store: &'a Store,
        work: &'a Work,
        cursor: Option<String>,
    ) -> impl std::future::Future<Output = Result<Step, ApiError>> + Send + 'a;
}

/// Every kind of job: the worker.
pub(crate) struct AnyWork;

impl Steps for AnyWork {
    fn step<'a>(
        store: &'a Store,
        work: &'a Work,
        cursor: Option<String>,
    ) -> impl std::future::Future<Output = Result<Step, ApiError>> + Send + 'a {
        store.step(work, cursor)
    }
}

fn other_kind() -> ApiError {
    ApiError::internal("a job of another kind than its runner takes")
}

/// One kind of job, run by the request that queued it: `$name` takes `$variant`
/// with `$method`.
macro_rules! one_kind {
    ($name:ident, $variant:ident { $($field:ident),* }, $method:ident) => {
        pub(crate) struct $name;

        impl Steps for $name {
            fn step<'a>(
                store: &'a Store,
                work: &'a Work,
                cursor: Option<String>,
            ) -> impl std::future::Future<Output = Result<Step, ApiError>> + Send + 'a {
                async move {
                    match *work {
                        Work::$variant { $($field),* } => store.$method($($field,)* cursor).await,
                        _ => Err(other_kind()),
                    }
                }
            }
        }
    };
}

one_kind!(
    Granting,
    ApplyGrant {
        workspace_id,
        group_id,
        gen
    },
    apply_grant_step
);
one_kind!(
    Revoking,
    RevokeGrant {
        workspace_id,
        group_id
    },
    revoke_grant_step
);
one_kind!(Joining, JoinGroup { group_id, user_id }, join_group_step);
one_kind!(Leaving, LeaveGroup { group_id, user_id }, leave_group_step);
/// The job of a group being deleted, run by the request that queued it.
pub(crate) struct DeletingGroup;

impl Steps for DeletingGroup {
    async fn step<'a>(
        store: &'a Store,
        work: &'a Work,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        match work {
            Work::DeleteGroup { group_id, .. } => {
                store
                    .delete_group_step(*group_id, actor_of(work), cursor)
                    .await
            }
            _ => Err(other_kind()),
        }
    }
}

/// The member changes of one request, run by the request that queued them.
pub(crate) struct MemberBatch;

impl Steps for MemberBatch {
    async fn step<'a>(
        store: &'a Store,
        work: &'a Work,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        match work {
            Work::GroupMembers {
                group_id, changes, ..
            } => {
                store
                    .member_batch_step(*group_id, changes, actor_of(work), cursor)
                    .await
            }
            _ => Err(other_kind()),
        }
    }
}

/// Who a job acts for (its activities name it).
fn actor_of(work: &Work) -> Actor {
    match work {
        Work::DeleteGroup {
            actor_id,
            provisioned_by,
            ..
        }
        | Work::GroupMembers {
            actor_id,
            provisioned_by,
            ..
        } => Actor {
            id: *actor_id,
            provisioned_by: provisioned_by.clone(),
        },
        _ => Actor::from(Uuid::nil()),
    }
}

/// How many member changes one step of a [`Work::GroupMembers`] job makes.
const MEMBER_CHANGES_PER_STEP: usize = 10;

/// A queued job, as the request that queued it knows it.
pub(crate) struct Job {
    pub(crate) id: Uuid,
    pub(crate) work: Work,
}

/// What a step left.
pub(crate) enum Step {
    /// More to do, from this sort key on (or from the start again).
    Next(Option<String>),
    Done,
}

fn job_key(id: Uuid) -> Item {
    key(keys::job(id), keys::JOB)
}

fn sk_of(item: &Item) -> Option<String> {
    item.get(keys::SK)?.as_s().ok().cloned()
}

impl Store {
    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The write that queues `work`, held by the request that makes it when `leased`
    /// (it runs it at once), or free for the worker. Answers the job too.
    pub(crate) fn job_op(&self, work: Work, leased: bool) -> Result<(Job, Op), ApiError> {
        let id = self.clock.new_id();
        let job = JobRecord {
            job_id: id,
            work: work.clone(),
            created_at: self.clock.now_rfc3339(),
            lease_until: if leased { self.now_ms() + LEASE_MS } else { 0 },
            attempts: 0,
            cursor: None,
        };
        let mut item = with_key(to_item(&job)?, keys::job(id), keys::JOB);
        item.insert(keys::GSI1PK.into(), s(keys::JOBS));
        item.insert(keys::GSI1SK.into(), s(keys::job(id)));
        let op = Op::put(item).when("attribute_not_exists(PK)", Check::Job);
        Ok((Job { id, work }, op))
    }

    /// Runs `job`, which this request queued and holds, with `S` for at most `budget`,
    /// without reading it back (the request knows its work): done is `true`; otherwise
    /// the lease is let go for the worker, and the answer is `false`.
    pub(crate) async fn run_queued<S: Steps>(
        &self,
        job: &Job,
        budget: Duration,
    ) -> Result<bool, ApiError> {
        let started = Instant::now();
        let mut cursor = None;
        loop {
            match Box::pin(S::step(self, &job.work, cursor)).await? {
                Step::Done => {
                    self.write(Op::delete(job_key(job.id)))
                        .await
                        .map_err(ApiError::from)?;
                    return Ok(true);
                }
                Step::Next(next) => {
                    if !self.checkpoint(job.id, &next, started, budget).await? {
                        return Ok(false);
                    }
                    cursor = next;
                }
            }
        }
    }

    /// Records where job `id` goes on and extends its lease; past `budget` lets the
    /// lease go instead. Answers whether to go on (`false` too when the job is gone).
    async fn checkpoint(
        &self,
        id: Uuid,
        cursor: &Option<String>,
        started: Instant,
        budget: Duration,
    ) -> Result<bool, ApiError> {
        let out_of_time = started.elapsed() >= budget;
        let lease = if out_of_time {
            0
        } else {
            self.now_ms() + LEASE_MS
        };
        let op = match cursor {
            Some(c) => {
                Op::update(job_key(id), "SET #c = :c, lease_until = :l").val(":c", s(c.clone()))
            }
            None => Op::update(job_key(id), "REMOVE #c SET lease_until = :l"),
        };
        let op = op
            .name("#c", "cursor")
            .val(":l", n(lease))
            .when("attribute_exists(PK)", Check::Job);
        match self.write(op).await {
            Ok(()) => Ok(!out_of_time),
            Err(r) if r.failed(Check::Job) => Ok(false),
            Err(r) => Err(r.into()),
        }
    }

    /// Runs job `id`, which the caller holds, step by step with `S` for at most
    /// `budget`: done (or gone) is `true`; otherwise the lease is let go so the worker
    /// takes the rest up, and the answer is `false`.
    pub(crate) async fn run_job<S: Steps>(
        &self,
        id: Uuid,
        budget: Duration,
    ) -> Result<bool, ApiError> {
        let started = Instant::now();
        loop {
            let Some(job) = self.get_item(job_key(id)).await? else {
                return Ok(true);
            };
            let job: JobRecord = from_item(job)?;
            match Box::pin(S::step(self, &job.work, job.cursor.clone())).await? {
                Step::Done => {
                    self.write(Op::delete(job_key(id)))
                        .await
                        .map_err(ApiError::from)?;
                    return Ok(true);
                }
                Step::Next(cursor) => {
                    if !self.checkpoint(id, &cursor, started, budget).await? {
                        return Ok(self.get_item(job_key(id)).await?.is_none());
                    }
                }
            }
        }
    }

    /// Runs the `CopyProfile` job `job` of `user` (held by this request) to the end
    /// right away, without reading the job back: a profile writer links this step
    /// alone. Should the request die first, the worker finishes the job.
    pub(crate) async fn copy_now(&self, user: Uuid, job: Uuid) -> Result<(), ApiError> {
        let mut cursor = None;
        while let Step::Next(next) = self.copy_profile_step(user, cursor).await? {
            cursor = next;
        }
        Ok(self.write(Op::delete(job_key(job))).await?)
    }

    /// The worker's turn: takes up every queued job whose lease has lapsed, oldest
    /// first, and runs each for what is left of `budget`. Answers how many jobs it
    /// finished. Safe to run in several places at once.
    pub async fn run_pending_jobs(&self, budget: Duration) -> Result<usize, ApiError> {
        let started = Instant::now();
        let queued = Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, keys::JOBS.into());
        let entries = self.read_first(&queued, 100).await?;
        let mut finished = 0;
        for entry in entries {
            let left = budget.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            let Some(id) = entry
                .get(keys::PK)
                .and_then(|v| v.as_s().ok())
                .and_then(|pk| pk.strip_prefix("JOB#"))
                .and_then(|id| Uuid::parse_str(id).ok())
            else {
                continue;
            };
            let now = self.now_ms();
            let take = Op::update(job_key(id), "SET lease_until = :l ADD attempts :one")
                .when("attribute_exists(PK) AND lease_until < :now", Check::Job)
                .val(":l", n(now + LEASE_MS))
                .val(":now", n(now))
                .val(":one", n(1));
            match self.write(take).await {
                Ok(()) => {}
                Err(r) if r.failed(Check::Job) => continue,
                Err(r) => return Err(r.into()),
            }
            if Box::pin(self.run_job::<AnyWork>(id, left)).await? {
                finished += 1;
            }
        }
        Ok(finished)
    }

    /// How many jobs are queued (leased or not): for tests and the audit.
    pub async fn queued_jobs(&self) -> Result<usize, ApiError> {
        let all = Range::index(keys::GSI1, keys::GSI1PK, keys::GSI1SK, keys::JOBS.into());
        Ok(self.read_all(&all).await?.len())
    }

    async fn step(&self, work: &Work, cursor: Option<String>) -> Result<Step, ApiError> {
        match work {
            Work::DeleteGroup { group_id, .. } => {
                return self
                    .delete_group_step(*group_id, actor_of(work), cursor)
                    .await
            }
            Work::GroupMembers {
                group_id, changes, ..
            } => {
                return self
                    .member_batch_step(*group_id, changes, actor_of(work), cursor)
                    .await
            }
            _ => {}
        }
        match *work {
            Work::ApplyGrant {
                workspace_id,
                group_id,
                gen,
            } => {
                self.apply_grant_step(workspace_id, group_id, gen, cursor)
                    .await
            }
            Work::RevokeGrant {
                workspace_id,
                group_id,
            } => self.revoke_grant_step(workspace_id, group_id, cursor).await,
            Work::JoinGroup { group_id, user_id } => {
                self.join_group_step(group_id, user_id, cursor).await
            }
            Work::LeaveGroup { group_id, user_id } => {
                self.leave_group_step(group_id, user_id, cursor).await
            }
            Work::CopyProfile { user_id } => self.copy_profile_step(user_id, cursor).await,
            Work::DeleteGroup { .. } | Work::GroupMembers { .. } => Ok(Step::Done),
        }
    }

    /// A page of `CHUNK` items of partition `pk` with `prefix`, after `cursor`.
    async fn chunk_of(
        &self,
        range: Range,
        pk: String,
        cursor: Option<String>,
    ) -> Result<(Vec<Item>, Option<String>), ApiError> {
        let page = PageRequest {
            limit: CHUNK,
            after: cursor.map(|c| key(pk, c)),
        };
        let found = self.read_page(&range, &page).await?;
        let next = found.next.as_ref().and_then(sk_of);
        Ok((found.items, next))
    }

    pub(crate) async fn get_grant(
        &self,
        workspace: Uuid,
        group: Uuid,
    ) -> Result<Option<GrantRecord>, ApiError> {
        self.get_as(keys::workspace(workspace), &keys::grant(group))
            .await
    }

    async fn apply_grant_step(
        &self,
        workspace: Uuid,
        group: Uuid,
        gen: i64,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        match self.get_grant(workspace, group).await? {
            Some(g) if g.gen == gen && g.status == GrantStatus::Applying => {}
            _ => return Ok(Step::Done),
        }
        let pk = keys::group(group);
        let members = Range::partition(pk.clone()).prefix(keys::MEMBER_PREFIX);
        let (items, next) = self.chunk_of(members, pk, cursor).await?;
        let changes: Vec<ViaChange> = items
            .iter()
            .filter_map(|i| i.get("user_id")?.as_s().ok()?.parse().ok())
            .map(|user| ViaChange {
                workspace,
                user,
                because: Because::Granted { gen },
            })
            .collect();
        self.apply_via(group, &changes).await?;
        if next.is_some() {
            return Ok(Step::Next(next));
        }
        let done = Op::update(
            key(keys::workspace(workspace), keys::grant(group)),
            "SET #st = :active",
        )
        .when("gen = :gen AND #st = :applying", Check::Grant)
        .name("#st", "status")
        .val(":gen", n(gen))
        .val(":active", s("active"))
        .val(":applying", s("applying"));
        match self.write(done).await {
            Ok(()) | Err(Rejection::Failed(_)) => Ok(Step::Done),
            Err(r) => Err(r.into()),
        }
    }

    async fn revoke_grant_step(
        &self,
        workspace: Uuid,
        group: Uuid,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        let grant = match self.get_grant(workspace, group).await? {
            Some(g) if g.status == GrantStatus::Revoking => g,
            _ => return Ok(Step::Done),
        };
        let pk = keys::workspace(workspace);
        let holders = Range::partition(pk.clone())
            .prefix(keys::MEMBER_PREFIX)
            .filter(
                "attribute_exists(via.#g)".into(),
                [("#g".to_string(), group.to_string())].into(),
                Item::new(),
            );
        let (items, next) = self.chunk_of(holders, pk, cursor).await?;
        let changes: Vec<ViaChange> = items
            .iter()
            .filter_map(|i| i.get("user_id")?.as_s().ok()?.parse().ok())
            .map(|user| ViaChange {
                workspace,
                user,
                because: Because::Revoking,
            })
            .collect();
        self.apply_via(group, &changes).await?;
        if next.is_some() {
            return Ok(Step::Next(next));
        }
        let mut tx = Tx::new();
        tx.push(
            Op::delete(key(keys::workspace(workspace), keys::grant(group)))
                .when("gen = :gen AND #st = :rv", Check::Grant)
                .name("#st", "status")
                .val(":gen", n(grant.gen))
                .val(":rv", s("revoking")),
        );
        tx.push(Op::delete(key(keys::group(group), keys::grant(workspace))));
        match self.commit(tx).await {
            Ok(()) | Err(Rejection::Failed(_)) => Ok(Step::Done),
            Err(r) => Err(r.into()),
        }
    }

    async fn join_group_step(
        &self,
        group: Uuid,
        user: Uuid,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        if self.get_group_member(group, user).await?.is_none() {
            return Ok(Step::Done);
        }
        let pk = keys::group(group);
        let mirrors = Range::partition(pk.clone()).prefix(keys::GRANT_PREFIX);
        let (items, next) = self.chunk_of(mirrors, pk, cursor).await?;
        let grant_keys: Vec<Item> = items
            .iter()
            .filter_map(|i| i.get("workspace_id")?.as_s().ok()?.parse().ok())
            .map(|w: Uuid| key(keys::workspace(w), keys::grant(group)))
            .collect();
        let grants: Vec<GrantRecord> = self
            .batch_get(grant_keys)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        let changes: Vec<ViaChange> = grants
            .iter()
            .filter(|g| g.status != GrantStatus::Revoking)
            .map(|g| ViaChange {
                workspace: g.workspace_id,
                user,
                because: Because::Granted { gen: g.gen },
            })
            .collect();
        self.apply_via(group, &changes).await?;
        Ok(match next {
            Some(_) => Step::Next(next),
            None => Step::Done,
        })
    }

    async fn leave_group_step(
        &self,
        group: Uuid,
        user: Uuid,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        if self.get_group_member(group, user).await?.is_some() {
            return Ok(Step::Done);
        }
        let Some(profile) = self.get_user(user).await? else {
            return Ok(Step::Done);
        };
        let after: Option<Uuid> = cursor.as_deref().and_then(|c| c.parse().ok());
        let workspaces: Vec<Uuid> = profile
            .memberships
            .keys()
            .copied()
            .filter(|w| after.is_none_or(|a| *w > a))
            .take(CHUNK + 1)
            .collect();
        let more = workspaces.len() > CHUNK;
        let changes: Vec<ViaChange> = workspaces
            .iter()
            .take(CHUNK)
            .map(|w| ViaChange {
                workspace: *w,
                user,
                because: Because::Left,
            })
            .collect();
        self.apply_via(group, &changes).await?;
        Ok(match changes.last() {
            Some(last) if more => Step::Next(Some(last.workspace.to_string())),
            _ => Step::Done,
        })
    }

    /// The next [`MEMBER_CHANGES_PER_STEP`] of a request's member changes, each a join
    /// or leave as `PUT`/`DELETE /v1/groups/{gid}/members/{uid}` make it (idempotent:
    /// a member already there, or already gone, or a user gone, is done).
    async fn member_batch_step(
        &self,
        group: Uuid,
        changes: &str,
        actor: Actor,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        let Some(g) = self.live_group(group).await? else {
            return Ok(Step::Done);
        };
        let changes = MemberChange::decode(changes);
        let from: usize = cursor.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
        let upto = (from + MEMBER_CHANGES_PER_STEP).min(changes.len());
        for change in &changes[from.min(upto)..upto] {
            let done = match *change {
                MemberChange::Add(user) => self.add_group_member(&g, user, &actor).await.map(drop),
                MemberChange::Remove(user) => {
                    self.remove_group_member(&g, user, &actor).await.map(drop)
                }
            };
            match done {
                Ok(()) => {}
                // The user is gone, or was never a member to remove.
                Err(e) if e.status == http::StatusCode::NOT_FOUND => {
                    if self.live_group(group).await?.is_none() {
                        return Ok(Step::Done);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(if upto < changes.len() {
            Step::Next(Some(upto.to_string()))
        } else {
            Step::Done
        })
    }

    async fn delete_group_step(
        &self,
        group: Uuid,
        actor: Actor,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        let Some(g) = self.get_group(group).await? else {
            return Ok(Step::Done);
        };
        let pk = keys::group(group);
        // First every grant, one at a time, revoked to the end.
        let mirrors = Range::partition(pk.clone()).prefix(keys::GRANT_PREFIX);
        if let Some(mirror) = self.read_first(&mirrors, 1).await?.first() {
            let workspace: Uuid = mirror
                .get("workspace_id")
                .and_then(|v| v.as_s().ok())
                .and_then(|w| w.parse().ok())
                .ok_or_else(|| ApiError::internal("grant mirror without workspace_id"))?;
            match self.get_grant(workspace, group).await? {
                None => {
                    let stale = Op::delete(key(pk.clone(), keys::grant(workspace)));
                    self.write(stale).await.map_err(ApiError::from)?;
                }
                Some(grant) => {
                    if grant.status != GrantStatus::Revoking {
                        self.mark_revoking(&grant).await?;
                    }
                    let mut at = None;
                    while let Step::Next(next) =
                        self.revoke_grant_step(workspace, group, at).await?
                    {
                        at = next;
                    }
                }
            }
            return Ok(Step::Next(cursor));
        }
        // Then its members, a chunk at a time, each removal with its activity.
        let members = Range::partition(pk.clone()).prefix(keys::MEMBER_PREFIX);
        let (items, _) = self.chunk_of(members, pk.clone(), None).await?;
        if !items.is_empty() {
            let removals = items
                .into_iter()
                .map(|item| self.remove_deleted_groups_member(&g, item, actor.clone()));
            futures::stream::iter(removals)
                .buffer_unordered(8)
                .try_collect::<Vec<()>>()
                .await?;
            return Ok(Step::Next(None));
        }
        // Then the group itself.
        let mut tx = Tx::new();
        tx.push(Op::delete(key(pk, keys::META)).when("attribute_exists(PK)", Check::Group));
        tx.push(Op::delete(key(
            keys::group_name_guard(&g.name.to_lowercase()),
            keys::GUARD,
        )));
        if let Some(ext) = &g.external_id {
            tx.push(Op::delete(key(
                keys::group_external_guard(ext),
                keys::GUARD,
            )));
        }
        tx.push(super::groups::groups_counter(-1));
        tx.record(
            NewActivity::new(kind::GROUP_DELETED, actor.id, actor)
                .with_data(serde_json::json!({ "group_id": group, "name": g.name })),
        );
        match self.commit(tx).await {
            // Deleted by another runner meanwhile.
            Ok(()) | Err(Rejection::Failed(_)) => Ok(Step::Done),
            Err(r) => Err(r.into()),
        }
    }

    /// Removes the membership `item` of the deleting group `g`, recording
    /// `group.member_removed` (reason `group_deleted`) in the member's feed as a leave
    /// does; a member whose profile is gone just loses the item.
    async fn remove_deleted_groups_member(
        &self,
        g: &GroupRecord,
        item: Item,
        actor: Actor,
    ) -> Result<(), ApiError> {
        let member: GroupMemberRecord = from_item(item)?;
        let item_key = key(keys::group(g.group_id), keys::member(member.user_id));
        let mut tx = Tx::new();
        tx.push(Op::delete(item_key.clone()).when("attribute_exists(PK)", Check::Member));
        tx.push(
            Op::check(key(keys::user(member.user_id), keys::PROFILE))
                .when("attribute_exists(PK)", Check::Profile),
        );
        tx.record(
            NewActivity::new(kind::GROUP_MEMBER_REMOVED, member.user_id, actor).with_data(
                serde_json::json!({ "group_id": g.group_id, "name": g.name, "reason": "group_deleted" }),
            ),
        );
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            // Already removed (by another runner), or its user is gone.
            Err(Rejection::Failed(_)) => self
                .write(Op::delete(item_key))
                .await
                .map_err(ApiError::from),
            Err(r) => Err(r.into()),
        }
    }

    /// Marks `grant` as being revoked: no one gains it any more.
    pub(crate) async fn mark_revoking(&self, grant: &GrantRecord) -> Result<(), ApiError> {
        let op = Op::update(
            key(
                keys::workspace(grant.workspace_id),
                keys::grant(grant.group_id),
            ),
            "SET #st = :rv ADD gen :one",
        )
        .when("gen = :gen", Check::Grant)
        .name("#st", "status")
        .val(":rv", s("revoking"))
        .val(":gen", n(grant.gen))
        .val(":one", n(1));
        match self.write(op).await {
            Ok(()) | Err(Rejection::Failed(_)) => Ok(()),
            Err(r) => Err(r.into()),
        }
    }

    async fn copy_profile_step(
        &self,
        user: Uuid,
        cursor: Option<String>,
    ) -> Result<Step, ApiError> {
        let Some(profile) = self.get_user(user).await? else {
            return Ok(Step::Done);
        };
        let after: Option<Uuid> = cursor.as_deref().and_then(|c| c.parse().ok());
        let chunk: Vec<(Uuid, crate::types::WsRole)> = profile
            .memberships
            .iter()
            .map(|(w, r)| (*w, *r))
            .filter(|(w, _)| after.is_none_or(|a| *w > a))
            .take(CHUNK + 1)
            .collect();
        for (w, role) in chunk.iter().take(CHUNK) {
            // The role is the memberships' own business (it moves without the version).
            let mut attrs = member_dir_attrs(&profile, *w, *role)?;
            attrs.remove("ws_role");
            let op = Op::set_all(member_key(*w, user), attrs)
                .when(
                    "attribute_exists(PK) AND (attribute_not_exists(pver) OR pver <= :v)",
                    Check::Profile,
                )
                .val(":v", n(profile.version));
            match self.write(op).await {
                Ok(()) | Err(Rejection::Failed(_)) => {}
                Err(r) => return Err(r.into()),
            }
        }
        Ok(match chunk.get(CHUNK - 1) {
            Some((last, _)) if chunk.len() > CHUNK => Step::Next(Some(last.to_string())),
            _ => Step::Done,
        })
    }

    pub async fn get_group(&self, id: Uuid) -> Result<Option<GroupRecord>, ApiError> {
        self.get_as(keys::group(id), keys::META).await
    }
}
