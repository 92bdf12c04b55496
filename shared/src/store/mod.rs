//! The only module that speaks DynamoDB. Handlers call domain operations; the item
//! layout comes from [`crate::keys`], items are mapped with `serde_dynamo`, and every
//! multi-item change is one `TransactWriteItems` built with [`Tx`].

mod activities;
mod directory;
mod files;
mod users;
mod workspaces;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, Delete, DeleteRequest, Put, PutRequest,
    ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
    WriteRequest,
};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;
use crate::keys;

pub use activities::{ActivityPage, CounterRow};
pub use directory::{DirectoryPage, DirectoryQuery, RoleFilter, SortField};
pub use files::RecordOutcome;
pub use files::{FILE, QUOTA};
pub use users::label;
pub use workspaces::{ws_label, MAX_MEMBERSHIPS};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// The table and its client.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    /// Read and write capacity units consumed so far, in thousandths, when measuring
    /// (tests and `make bench`); `None` in service, where none is requested at all.
    meter: Option<Arc<[AtomicU64; 2]>>,
}

/// Consumed capacity as one operation reports it (one value, or one per table).
pub trait Consumed {
    fn units(&self) -> f64;
}

impl Consumed for Option<ConsumedCapacity> {
    fn units(&self) -> f64 {
        self.as_ref().and_then(|c| c.capacity_units).unwrap_or(0.0)
    }
}

impl Consumed for Option<Vec<ConsumedCapacity>> {
    fn units(&self) -> f64 {
        self.iter().flatten().filter_map(|c| c.capacity_units).sum()
    }
}

/// Why a write did not happen: the labels of the conditions that failed, or an error.
#[derive(Debug)]
pub enum TxError {
    Failed(Vec<&'static str>),
    Api(ApiError),
}

impl From<ApiError> for TxError {
    fn from(e: ApiError) -> Self {
        TxError::Api(e)
    }
}

impl TxError {
    /// Whether the condition labelled `label` failed.
    pub fn failed(&self, label: &str) -> bool {
        matches!(self, TxError::Failed(labels) if labels.contains(&label))
    }
}

/// Maps an SDK error: unreachable or throttled is 503, anything else 500. The cause
/// keeps only the error code and message, never request or item contents.
pub fn db_error<E, R>(e: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match &e {
        SdkError::DispatchFailure(_) => ApiError::unavailable("dynamodb: dispatch failure"),
        SdkError::TimeoutError(_) => ApiError::unavailable("dynamodb: timeout"),
        SdkError::ResponseError(_) => ApiError::unavailable("dynamodb: unreadable response"),
        SdkError::ServiceError(s) => {
            let code = s.err().code().unwrap_or("unknown");
            let message = s.err().message().unwrap_or("");
            match code {
                "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "InternalServerError"
                | "ServiceUnavailable"
                | "LimitExceededException" => {
                    ApiError::unavailable(format!("dynamodb {code}: {message}"))
                }
                _ => ApiError::internal(format!("dynamodb {code}: {message}")),
            }
        }
        _ => ApiError::internal("dynamodb: request could not be built"),
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

/// `item` with its primary key (and any extra attributes) added.
pub(crate) fn with_key(mut item: Item, pk: impl Into<String>, sk: impl Into<String>) -> Item {
    item.extend(key(pk, sk));
    item
}

/// `SET #a0 = :a0, …` over every attribute of `attrs`, for copying fields onto an item.
pub(crate) fn set_all(op: Op, attrs: Item) -> Op {
    let mut op = op;
    let mut parts = Vec::new();
    for (i, (name, value)) in attrs.into_iter().enumerate() {
        let (nk, vk) = (format!("#s{i}"), format!(":s{i}"));
        parts.push(format!("{nk} = {vk}"));
        op = op.name(&nk, &name).val(&vk, value);
    }
    let set = format!("SET {}", parts.join(", "));
    op.expr = Some(match op.expr.take() {
        Some(rest) if rest.starts_with("SET ") => format!("{set}, {}", &rest[4..]),
        Some(rest) => format!("{set} {rest}"),
        None => set,
    });
    op
}

/// One write: a put, update, delete or condition check, with its condition and the
/// label reported when that condition fails.
#[derive(Debug, Clone)]
pub struct Op {
    kind: OpKind,
    expr: Option<String>,
    condition: Option<String>,
    names: HashMap<String, String>,
    values: Item,
    label: &'static str,
}

#[derive(Debug, Clone)]
enum OpKind {
    Put(Item),
    Update(Item),
    Delete(Item),
}

impl Op {
    fn new(kind: OpKind) -> Op {
        Op {
            kind,
            expr: None,
            condition: None,
            names: HashMap::new(),
            values: HashMap::new(),
            label: "",
        }
    }
    pub(crate) fn put(item: Item) -> Op {
        Op::new(OpKind::Put(item))
    }
    pub(crate) fn update(key: Item, expr: &str) -> Op {
        let mut op = Op::new(OpKind::Update(key));
        op.expr = Some(expr.to_string());
        op
    }
    pub(crate) fn delete(key: Item) -> Op {
        Op::new(OpKind::Delete(key))
    }
    pub(crate) fn cond(mut self, condition: &str) -> Op {
        self.condition = Some(condition.to_string());
        self
    }
    pub(crate) fn name(mut self, placeholder: &str, name: &str) -> Op {
        self.names.insert(placeholder.to_string(), name.to_string());
        self
    }
    pub(crate) fn val(mut self, placeholder: &str, value: AttributeValue) -> Op {
        self.values.insert(placeholder.to_string(), value);
        self
    }
    pub(crate) fn label(mut self, label: &'static str) -> Op {
        self.label = label;
        self
    }

    fn names_opt(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }
    fn values_opt(&self) -> Option<Item> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    fn into_transact(self, table: &str) -> Result<TransactWriteItem, ApiError> {
        let build = |e: aws_sdk_dynamodb::error::BuildError| ApiError::internal(e.to_string());
        let names = self.names_opt();
        let values = self.values_opt();
        let item = match self.kind {
            OpKind::Put(item) => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .return_values_on_condition_check_failure(
                        ReturnValuesOnConditionCheckFailure::None,
                    )
                    .build()
                    .map_err(build)?,
            ),
            OpKind::Update(key) => TransactWriteItem::builder().update(
                Update::builder()
                    .table_name(table)
                    .set_key(Some(key))
                    .update_expression(self.expr.unwrap_or_default())
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build)?,
            ),
            OpKind::Delete(key) => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(key))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build)?,
            ),
        };
        Ok(item.build())
    }
}

/// The writes of one atomic change.
#[derive(Debug, Default)]
pub struct Tx {
    ops: Vec<Op>,
    counters: activities::Counters,
}

/// DynamoDB's limit on the writes of one transaction.
pub const MAX_TX_ITEMS: usize = 100;

impl Tx {
    pub fn new() -> Tx {
        Tx::default()
    }
    pub(crate) fn push(&mut self, op: Op) {
        self.ops.push(op);
    }
}

/// How often a transaction that lost a race to another is tried again.
const CONFLICT_RETRIES: u32 = 12;

fn jitter_ms(attempt: u32) -> u64 {
    let mut b = [0u8; 2];
    let _ = getrandom::getrandom(&mut b);
    let r = u16::from_le_bytes(b) as u64;
    let cap = 10 * (1u64 << attempt.min(5));
    5 + r % cap
}

impl Store {
    pub fn new(client: Client, table: String) -> Store {
        Store {
            client,
            table,
            meter: None,
        }
    }

    /// A store that adds up the capacity its operations consume (see [`Store::consumed`]).
    pub fn measured(mut self) -> Store {
        self.meter = Some(Arc::new([AtomicU64::new(0), AtomicU64::new(0)]));
        self
    }

    /// Capacity units consumed since this store was made [`Store::measured`].
    pub fn consumed(&self) -> f64 {
        let (read, write) = self.consumed_split();
        read + write
    }

    /// (read, write) capacity units consumed since this store was made measured.
    pub fn consumed_split(&self) -> (f64, f64) {
        self.meter.as_ref().map_or((0.0, 0.0), |m| {
            (
                m[0].load(Ordering::Relaxed) as f64 / 1000.0,
                m[1].load(Ordering::Relaxed) as f64 / 1000.0,
            )
        })
    }

    fn rcc(&self) -> ReturnConsumedCapacity {
        if self.meter.is_some() {
            ReturnConsumedCapacity::Total
        } else {
            ReturnConsumedCapacity::None
        }
    }

    fn meter(&self, consumed: &impl Consumed) {
        self.count(0, consumed);
    }

    fn meter_write(&self, consumed: &impl Consumed) {
        self.count(1, consumed);
    }

    fn count(&self, slot: usize, consumed: &impl Consumed) {
        if let Some(m) = &self.meter {
            m[slot].fetch_add(
                (consumed.units() * 1000.0).round() as u64,
                Ordering::Relaxed,
            );
        }
    }

    /// The raw client, for the admin tools (table creation, audit).
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Reads one item, strongly consistent.
    pub(crate) async fn get_item(&self, key: Item) -> Result<Option<Item>, ApiError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .return_consumed_capacity(self.rcc())
            .send()
            .await
            .map_err(db_error)?;
        self.meter(&out.consumed_capacity);
        Ok(out.item)
    }

    pub(crate) async fn get_as<T: DeserializeOwned>(
        &self,
        pk: String,
        sk: &str,
    ) -> Result<Option<T>, ApiError> {
        match self.get_item(key(pk, sk)).await? {
            Some(item) => Ok(Some(from_item(item)?)),
            None => Ok(None),
        }
    }

    /// Commits `tx` atomically. Cancelled by another transaction (a race, not a failed
    /// condition) it is retried with jittered backoff; a failed condition is reported
    /// by label; a race lost every time is a 409.
    pub async fn commit(&self, mut tx: Tx) -> Result<(), TxError> {
        tx.flush_counters();
        if tx.ops.len() > MAX_TX_ITEMS {
            return Err(ApiError::conflict(
                "memberships",
                "Change touches too many items to be atomic",
            )
            .into());
        }
        let labels: Vec<&'static str> = tx.ops.iter().map(|o| o.label).collect();
        let items = tx
            .ops
            .into_iter()
            .map(|o| o.into_transact(&self.table))
            .collect::<Result<Vec<_>, _>>()?;
        for attempt in 0..CONFLICT_RETRIES {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .return_consumed_capacity(self.rcc())
                .send()
                .await;
            let err = match result {
                Ok(out) => {
                    self.meter_write(&out.consumed_capacity);
                    return Ok(());
                }
                Err(e) => e,
            };
            let cancelled = match &err {
                SdkError::ServiceError(se) => match se.err() {
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) => {
                        Some(c.cancellation_reasons().to_vec())
                    }
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionInProgressException(_) => Some(vec![]),
                    _ => None,
                },
                _ => None,
            };
            let Some(reasons) = cancelled else {
                return Err(db_error(err).into());
            };
            let failed: Vec<&'static str> = reasons
                .iter()
                .zip(labels.iter())
                .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(_, l)| *l)
                .collect();
            if !failed.is_empty() {
                return Err(TxError::Failed(failed));
            }
            let throttled = reasons.iter().any(|r| {
                matches!(
                    r.code(),
                    Some("ThrottlingError") | Some("ProvisionedThroughputExceeded")
                )
            });
            if throttled {
                return Err(ApiError::unavailable("dynamodb: transaction throttled").into());
            }
            tokio::time::sleep(Duration::from_millis(jitter_ms(attempt))).await;
        }
        Err(ApiError::busy().into())
    }

    /// Applies one write outside a transaction (half the cost of a one-item one).
    pub(crate) async fn apply(&self, op: Op) -> Result<(), TxError> {
        let names = op.names_opt();
        let values = op.values_opt();
        let label = op.label;
        match op.kind {
            OpKind::Put(item) => self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .set_condition_expression(op.condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map(|out| self.meter_write(&out.consumed_capacity))
                .map_err(|e| classify_single(e, label)),
            OpKind::Update(key) => self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .set_update_expression(op.expr)
                .set_condition_expression(op.condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map(|out| self.meter_write(&out.consumed_capacity))
                .map_err(|e| classify_single(e, label)),
            OpKind::Delete(key) => self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .set_condition_expression(op.condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map(|out| self.meter_write(&out.consumed_capacity))
                .map_err(|e| classify_single(e, label)),
        }
    }

    /// Every item of a partition whose sort key starts with `prefix`, all pages.
    pub(crate) async fn query_prefix(&self, pk: &str, prefix: &str) -> Result<Vec<Item>, ApiError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":pk", s(pk))
                .consistent_read(true);
            q = if prefix.is_empty() {
                q.key_condition_expression("PK = :pk")
            } else {
                q.key_condition_expression("PK = :pk AND begins_with(SK, :p)")
                    .expression_attribute_values(":p", s(prefix))
            };
            let page = q
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(self.rcc())
                .send()
                .await
                .map_err(db_error)?;
            self.meter(&page.consumed_capacity);
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// Deletes items by key, 25 at a time, retrying what DynamoDB leaves unprocessed.
    pub(crate) async fn delete_keys(&self, keys: Vec<Item>) -> Result<(), ApiError> {
        let requests = keys
            .into_iter()
            .map(|k| {
                DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
                    .map_err(|e| ApiError::internal(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.batch_write(requests).await
    }

    /// Writes items unconditionally, 25 at a time (fixtures and benchmarks only).
    pub(crate) async fn put_items(&self, items: Vec<Item>) -> Result<(), ApiError> {
        let requests = items
            .into_iter()
            .map(|i| {
                PutRequest::builder()
                    .set_item(Some(i))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(|e| ApiError::internal(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.batch_write(requests).await
    }

    async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), ApiError> {
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            for attempt in 0..8 {
                if pending.is_empty() {
                    break;
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending.clone())
                    .return_consumed_capacity(self.rcc())
                    .send()
                    .await
                    .map_err(db_error)?;
                self.meter_write(&out.consumed_capacity);
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    tokio::time::sleep(Duration::from_millis(jitter_ms(attempt))).await;
                }
            }
            if !pending.is_empty() {
                return Err(ApiError::unavailable("dynamodb: batch write not finished"));
            }
        }
        Ok(())
    }

    /// Reads items by key (at most 100 per call to DynamoDB), retrying unprocessed keys.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, ApiError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut out = Vec::new();
        for chunk in keys.chunks(100) {
            let mut pending: Vec<Item> = chunk.to_vec();
            for attempt in 0..8 {
                if pending.is_empty() {
                    break;
                }
                let ka = KeysAndAttributes::builder()
                    .set_keys(Some(pending.clone()))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                let resp = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, ka)
                    .return_consumed_capacity(self.rcc())
                    .send()
                    .await
                    .map_err(db_error)?;
                self.meter(&resp.consumed_capacity);
                if let Some(mut r) = resp.responses {
                    out.extend(r.remove(&self.table).unwrap_or_default());
                }
                pending = resp
                    .unprocessed_keys
                    .and_then(|mut m| m.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                if !pending.is_empty() {
                    tokio::time::sleep(Duration::from_millis(jitter_ms(attempt))).await;
                }
            }
            if !pending.is_empty() {
                return Err(ApiError::unavailable("dynamodb: batch read not finished"));
            }
        }
        Ok(out)
    }
}

fn classify_single<E, R>(e: SdkError<E, R>, label: &'static str) -> TxError
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    if let SdkError::ServiceError(se) = &e {
        if se.err().code() == Some("ConditionalCheckFailedException") {
            return TxError::Failed(vec![label]);
        }
    }
    TxError::Api(db_error(e))
}
