//! The only module that speaks DynamoDB. Callers ask for domain operations and get
//! domain outcomes; conditions, retries, keys and items stay in here.
//!
//! - [`send`]: the single send path (capacity metering, round trips, error mapping);
//! - [`write`]: conditional writes, transactions, what a failed condition means, the
//!   optimistic-retry helper, bulk writes;
//! - [`read`]: items, batches, and key ranges read page by page;
//! - one module per kind of record: users and tokens, workspaces and memberships, the
//!   directory (listing and search), files (the quota), invitations, activities, login
//!   limits.

mod activities;
mod directory;
mod effective;
mod files;
mod groups;
mod invitations;
mod jobs;
mod limits;
mod provisioning;
mod read;
mod scim;
mod send;
mod users;
mod workspaces;
mod write;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::Config;
use crate::error::ApiError;
use crate::keys;
use crate::time::Clock;

pub use activities::{DayCount, WorkspaceDay};
pub use directory::{Directory, DirectoryQuery, RoleFilter, SortField};
pub use files::Recorded;
pub use groups::{
    Applied, GroupEdit, GroupFields, MemberChange, APPLY_NOW_MAX_USERS, MAX_MEMBER_CHANGES,
};
pub use invitations::Invited;
pub use jobs::Work;
pub use limits::StreamLease;
pub use scim::{GroupIndex, UserGuard, UserIndex};
pub use send::Usage;
pub use users::{Also, CallerItems, Prefetched, TokenHome, UserChange};
pub use workspaces::{Authority, MAX_MEMBERSHIPS};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// The table, its client, and what every write needs to know: the clock that stamps
/// changes and how long activities are kept.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    clock: Clock,
    /// Days an activity (and its day counter) is kept before DynamoDB's TTL removes it.
    retention_days: i64,
    /// The most files one user may hold (`MAX_FILES_PER_USER`).
    max_files: i64,
    /// The most index entries a filtered page reads (`LIST_SCAN_BUDGET`).
    scan_budget: usize,
    /// Capacity and calls consumed, when measuring (tests and `make bench`); `None` in
    /// service, where no capacity is asked for at all.
    meter: Option<Arc<send::Meter>>,
}

impl Store {
    /// The store of `config`'s table, on `client`, stamping changes with `clock`;
    /// measured when `config.measure_capacity` is set.
    pub fn new(client: Client, config: &Config, clock: Clock) -> Store {
        Store {
            client,
            table: config.table_name.clone(),
            clock,
            retention_days: config.activity_retention_days,
            max_files: config.max_files_per_user,
            scan_budget: config.list_scan_budget,
            meter: config
                .measure_capacity
                .then(|| Arc::new(send::Meter::default())),
        }
    }

    /// What this store has consumed since it was made, if it is measured.
    pub fn usage(&self) -> Usage {
        self.meter.as_ref().map(|m| m.usage()).unwrap_or_default()
    }

    /// Capacity units consumed since this store was made (read and write).
    /// The IAM actions the calls since the last take needed (measured stores only).
    pub fn take_actions(&self) -> std::collections::BTreeSet<String> {
        self.meter
            .as_ref()
            .map(|m| m.take_actions())
            .unwrap_or_default()
    }

    pub fn consumed(&self) -> f64 {
        let u = self.usage();
        u.read_units + u.write_units
    }

    /// The raw client, for the admin tools (table creation, audit).
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

/// Item ⇄ record mapping failures are bugs, not the caller's fault.
pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item, ApiError> {
    serde_dynamo::to_item(value).map_err(|e| ApiError::internal(format!("to_item: {e}")))
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, ApiError> {
    serde_dynamo::from_item(item).map_err(|e| ApiError::internal(format!("from_item: {e}")))
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The primary key of an item.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(keys::PK.to_string(), s(pk)), (keys::SK.to_string(), s(sk))])
}

/// `item` with its primary key added.
pub(crate) fn with_key(mut item: Item, pk: impl Into<String>, sk: impl Into<String>) -> Item {
    item.extend(key(pk, sk));
    item
}

/// Sends `items` in chunks of `chunk` (`send` answers what a request returned and what
/// DynamoDB left unprocessed), sending the unprocessed again after a pause, up to 8
/// times a chunk; what is still left is 503. Answers everything returned.
pub(crate) async fn in_batches<T: Clone, R, F, Fut>(
    items: Vec<T>,
    chunk: usize,
    what: &str,
    mut send: F,
) -> Result<Vec<R>, ApiError>
where
    F: FnMut(Vec<T>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<R>, Vec<T>), ApiError>>,
{
    let mut out = Vec::new();
    for part in items.chunks(chunk) {
        let mut pending = part.to_vec();
        for attempt in 0..8 {
            if pending.is_empty() {
                break;
            }
            let (returned, unprocessed) = send(pending).await?;
            out.extend(returned);
            pending = unprocessed;
            if !pending.is_empty() {
                tokio::time::sleep(backoff(attempt)).await;
            }
        }
        if !pending.is_empty() {
            return Err(ApiError::unavailable(format!(
                "dynamodb: batch {what} not finished"
            )));
        }
    }
    Ok(out)
}

/// A short random pause before retrying what DynamoDB turned back (a race lost,
/// unprocessed batch items), growing with the attempt.
pub(crate) fn backoff(attempt: u32) -> std::time::Duration {
    let mut b = [0u8; 2];
    let _ = getrandom::getrandom(&mut b);
    let r = u16::from_le_bytes(b) as u64;
    let cap = 10 * (1u64 << attempt.min(5));
    std::time::Duration::from_millis(5 + r % cap)
}
