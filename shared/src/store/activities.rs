//! Activity items and their counters: written inside other changes' transactions,
//! read newest first, counted per day and per workspace.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{db_error, from_item, key, n, s, to_item, with_key, Item, Op, Store, Tx};
use crate::activity::NewActivity;
use crate::error::ApiError;
use crate::keys;
use crate::model::ActivityRecord;
use crate::time;

/// A per-day or per-workspace counter row read back.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CounterRow {
    #[serde(rename = "SK")]
    pub sk: String,
    pub count: i64,
    #[serde(default)]
    pub workspace_id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub last_active_at: Option<String>,
}

impl Tx {
    /// Adds the activity and its counter increments to this transaction.
    pub fn record(
        &mut self,
        act: NewActivity,
        retention_days: i64,
    ) -> Result<ActivityRecord, ApiError> {
        let now = Utc::now();
        let created_at = time::format(now);
        let record = ActivityRecord {
            id: Uuid::now_v7(),
            kind: act.kind.to_string(),
            user_id: act.user_id,
            actor_id: act.actor_id,
            workspace_id: act.workspace.as_ref().map(|(w, _)| *w),
            created_at: created_at.clone(),
            data: act.data,
        };
        let expires = (now + Duration::days(retention_days)).timestamp();
        let mut item = with_key(
            to_item(&record)?,
            keys::user(record.user_id),
            keys::activity(record.id),
        );
        item.insert("expires_at".into(), n(expires));
        self.push(Op::put(item).cond("attribute_not_exists(PK)"));
        let date = created_at[..10].to_string();
        let counter_expiry = expires + 86_400;
        self.bump(
            keys::user(record.user_id),
            keys::activity_day(&date),
            counter_expiry,
            &created_at,
            None,
        );
        if let Some((wid, name)) = act.workspace {
            self.bump(
                keys::user(record.user_id),
                keys::activity_day_workspace(&date, wid),
                counter_expiry,
                &created_at,
                Some((wid, name)),
            );
        }
        Ok(record)
    }

    /// Counts one activity on a counter item; increments of the same item within one
    /// transaction are merged (a transaction may touch an item only once).
    fn bump(&mut self, pk: String, sk: String, expires: i64, at: &str, ws: Option<(Uuid, String)>) {
        let entry = self.counters.entry((pk, sk)).or_insert(Counter {
            count: 0,
            expires,
            at: at.to_string(),
            ws,
        });
        entry.count += 1;
    }

    /// Turns the merged counters into update operations; called by `commit`.
    pub(crate) fn flush_counters(&mut self) {
        let counters = std::mem::take(&mut self.counters);
        for ((pk, sk), c) in counters {
            let mut op = Op::update(
                key(pk, sk),
                "SET expires_at = :exp, last_active_at = :at ADD #c :n",
            )
            .name("#c", "count")
            .val(":exp", n(c.expires))
            .val(":at", s(c.at))
            .val(":n", n(c.count));
            if let Some((wid, name)) = c.ws {
                op = op
                    .val(":w", s(wid.to_string()))
                    .val(":nm", s(name))
                    .name("#nm", "name");
                op.expr = Some(
                    "SET expires_at = :exp, last_active_at = :at, workspace_id = :w, #nm = :nm ADD #c :n"
                        .into(),
                );
            }
            self.push(op);
        }
    }
}

/// A counter increment waiting for commit.
#[derive(Debug, Clone)]
pub(crate) struct Counter {
    count: i64,
    expires: i64,
    at: String,
    ws: Option<(Uuid, String)>,
}

pub(crate) type Counters = BTreeMap<(String, String), Counter>;

/// One page of a feed, newest first.
pub struct ActivityPage {
    pub activities: Vec<ActivityRecord>,
    /// Key of the last activity returned, present when more follow.
    pub last_key: Option<Item>,
}

impl Store {
    /// A page of a user's feed, newest first, after `start` (a previous page's key).
    pub async fn activities_page(
        &self,
        user: Uuid,
        limit: usize,
        start: Option<Item>,
    ) -> Result<ActivityPage, ApiError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :p)")
            .expression_attribute_values(":pk", s(keys::user(user)))
            .expression_attribute_values(":p", s(keys::ACTIVITY_PREFIX))
            .scan_index_forward(false)
            .limit(limit as i32 + 1)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(self.rcc())
            .send()
            .await
            .map_err(db_error)?;
        self.meter(&out.consumed_capacity);
        let mut items = out.items.unwrap_or_default();
        let more = items.len() > limit;
        items.truncate(limit);
        let last_key = if more {
            items.last().map(|i| {
                i.iter()
                    .filter(|(k, _)| k.as_str() == keys::PK || k.as_str() == keys::SK)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<HashMap<_, _>>()
            })
        } else {
            None
        };
        let activities = items
            .into_iter()
            .map(from_item)
            .collect::<Result<Vec<ActivityRecord>, _>>()?;
        Ok(ActivityPage {
            activities,
            last_key,
        })
    }

    /// A user's activities with ids after `after` (oldest first), at most `limit`.
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
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", s(keys::user(user)))
            .expression_attribute_values(":lo", s(lower.clone()))
            .expression_attribute_values(":hi", s(format!("{}~", keys::ACTIVITY_PREFIX)))
            .consistent_read(true)
            .limit(limit as i32 + 1)
            .return_consumed_capacity(self.rcc())
            .send()
            .await
            .map_err(db_error)?;
        self.meter(&out.consumed_capacity);
        out.items
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.get(keys::SK).and_then(|v| v.as_s().ok()) != Some(&lower))
            .take(limit)
            .map(from_item)
            .collect()
    }

    /// Counter rows of a user's partition with sort keys between `lo` and `hi`.
    pub async fn counters_between(
        &self,
        user: Uuid,
        lo: &str,
        hi: &str,
    ) -> Result<Vec<CounterRow>, ApiError> {
        let mut rows = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                .expression_attribute_values(":pk", s(keys::user(user)))
                .expression_attribute_values(":lo", s(lo))
                .expression_attribute_values(":hi", s(hi))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map_err(db_error)?;
            self.meter(&out.consumed_capacity);
            for item in out.items.unwrap_or_default() {
                rows.push(from_item(item)?);
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(rows),
            }
        }
    }
}
