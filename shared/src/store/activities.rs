//! Activities and their counters: written inside the transaction of the change they
//! describe, stamped by the store's clock and kept for its retention; read newest
//! first, counted per day and per workspace.

use std::collections::BTreeMap;

use chrono::Duration;
use uuid::Uuid;

use super::read::Range;
use super::write::{Check, Op};
use super::{from_item, key, n, s, to_item, with_key, Store};
use crate::activity::NewActivity;
use crate::error::ApiError;
use crate::keys;
use crate::model::ActivityRecord;
use crate::paging::{Page, PageRequest};
use crate::time;

/// The activities of one day in a user's feed.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCount {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub count: i64,
}

/// The activities of one day in a user's feed that name one workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceDay {
    pub workspace_id: Uuid,
    /// The workspace's name at its latest activity that day.
    pub name: String,
    pub count: i64,
    pub last_active_at: String,
}

/// A per-day, per-workspace counter read back (one without its workspace is left out).
#[derive(Debug, serde::Deserialize)]
struct WorkspaceCounter {
    #[serde(default)]
    workspace_id: Option<Uuid>,
    #[serde(default)]
    name: String,
    count: i64,
    #[serde(default)]
    last_active_at: String,
}

/// A per-day counter read back: its sort key names the day.
#[derive(Debug, serde::Deserialize)]
struct DayCounter {
    #[serde(rename = "SK")]
    sk: String,
    count: i64,
}

/// One counter increment, merged per item: a transaction may touch an item only once.
struct Bump {
    count: i64,
    expires: i64,
    at: String,
    workspace: Option<(Uuid, String)>,
}

impl Store {
    /// The writes that record `activities`: each activity item (expiring after the
    /// retention) and the counters it moves, merged per counter item.
    pub(crate) fn activity_writes(
        &self,
        activities: Vec<NewActivity>,
    ) -> Result<Vec<Op>, ApiError> {
        let mut ops = Vec::new();
        let mut bumps: BTreeMap<(String, String), Bump> = BTreeMap::new();
        let mut lifetime: BTreeMap<String, i64> = BTreeMap::new();
        for act in activities {
            let now = self.clock.now();
            let created_at = time::format(now);
            let record = ActivityRecord {
                id: self.clock.new_id(),
                kind: act.kind.to_string(),
                user_id: act.user_id,
                actor_id: act.actor.id,
                workspace_id: act.workspace.as_ref().map(|(w, _)| *w),
                created_at: created_at.clone(),
                data: act.recorded_data(),
            };
            let expires = (now + Duration::days(self.retention_days)).timestamp();
            let mut item = with_key(
                to_item(&record)?,
                keys::user(record.user_id),
                keys::activity(record.id),
            );
            item.insert("expires_at".into(), n(expires));
            ops.push(Op::put(item).when("attribute_not_exists(PK)", Check::None));
            let date = created_at[..10].to_string();
            let mut bump = |sk: String, workspace: Option<(Uuid, String)>| {
                let b = bumps
                    .entry((keys::user(record.user_id), sk))
                    .or_insert(Bump {
                        count: 0,
                        expires: expires + 86_400,
                        at: created_at.clone(),
                        workspace,
                    });
                b.count += 1;
            };
            *lifetime.entry(keys::user(record.user_id)).or_default() += 1;
            bump(keys::activity_day(&date), None);
            if let Some((wid, name)) = act.workspace {
                bump(keys::activity_day_workspace(&date, wid), Some((wid, name)));
            }
        }
        for ((pk, sk), b) in bumps {
            let mut expr = "SET expires_at = :exp, last_active_at = :at".to_string();
            if b.workspace.is_some() {
                expr.push_str(", workspace_id = :w, #nm = :nm");
            }
            expr.push_str(" ADD #c :n");
            let mut op = Op::update(key(pk, sk), expr)
                .name("#c", "count")
                .val(":exp", n(b.expires))
                .val(":at", s(b.at))
                .val(":n", n(b.count));
            if let Some((wid, name)) = b.workspace {
                op = op
                    .name("#nm", "name")
                    .val(":w", s(wid.to_string()))
                    .val(":nm", s(name));
            }
            ops.push(op);
        }
        for (pk, count) in lifetime {
            ops.push(
                Op::update(key(pk, keys::ACTIVITY_LIFETIME), "ADD #c :n")
                    .name("#c", "count")
                    .val(":n", n(count)),
            );
        }
        Ok(ops)
    }

    /// Every activity ever recorded for `user` (since the lifetime counter exists).
    pub async fn activity_lifetime(&self, user: Uuid) -> Result<i64, ApiError> {
        let item = self
            .get_item(key(keys::user(user), keys::ACTIVITY_LIFETIME))
            .await?;
        Ok(item
            .and_then(|i| i.get("count").and_then(|v| v.as_n().ok()).cloned())
            .and_then(|c| c.parse().ok())
            .unwrap_or(0))
    }

    /// A page of a user's feed, newest first.
    pub async fn activities_page(
        &self,
        user: Uuid,
        page: &PageRequest,
    ) -> Result<Page<ActivityRecord>, ApiError> {
        let feed = Range::partition(keys::user(user))
            .prefix(keys::ACTIVITY_PREFIX)
            .descending(true)
            .eventually();
        self.read_page(&feed, page).await?.try_map(from_item)
    }

    /// A user's activities with ids after `after` (oldest first), at most `limit`,
    /// strongly consistent.
    pub async fn activities_after(
        &self,
        user: Uuid,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<ActivityRecord>, ApiError> {
        let lower = match after {
            Some(id) => keys::activity(id),
            None => keys::ACTIVITY_PREFIX.to_string(),
        };
        let feed = Range::partition(keys::user(user)).between(lower.clone(), keys::activity_end());
        // One more than asked: the range includes the resume point itself.
        self.read_first(&feed, limit + 1)
            .await?
            .into_iter()
            .filter(|i| i.get(keys::SK).and_then(|v| v.as_s().ok()) != Some(&lower))
            .take(limit)
            .map(from_item)
            .collect()
    }

    /// How many activities a user's feed gained on each day from `from` to `to`
    /// (`YYYY-MM-DD`, both included; open ends when absent), oldest first.
    pub async fn activity_days(
        &self,
        user: Uuid,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<DayCount>, ApiError> {
        let (lo, hi) = keys::activity_day_range(from, to);
        let days = Range::partition(keys::user(user)).between(lo, hi);
        Ok(self
            .read_all_as::<DayCounter>(&days)
            .await?
            .into_iter()
            .map(|c| DayCount {
                date: keys::day_of(&c.sk).to_string(),
                count: c.count,
            })
            .collect())
    }

    /// The per-workspace day counters of a user's feed from `from` (`YYYY-MM-DD`) on.
    pub async fn workspace_days(
        &self,
        user: Uuid,
        from: &str,
    ) -> Result<Vec<WorkspaceDay>, ApiError> {
        let (lo, hi) = keys::activity_day_workspace_range(from);
        let counters: Vec<WorkspaceCounter> = self
            .read_all_as(&Range::partition(keys::user(user)).between(lo, hi))
            .await?;
        Ok(counters
            .into_iter()
            .filter_map(|c| {
                Some(WorkspaceDay {
                    workspace_id: c.workspace_id?,
                    name: c.name,
                    count: c.count,
                    last_active_at: c.last_active_at,
                })
            })
            .collect())
    }
}
