//! Writes: one conditional write ([`Op`]), the writes of one atomic change ([`Tx`]),
//! what a failed condition means ([`Check`], [`Rejection`]), the retry of optimistic
//! changes ([`optimistic`]) and bulk writes. Store-internal: the operations in the
//! sibling modules turn rejections into domain outcomes, so no caller of the store
//! sees a condition.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::error::{BuildError, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, DeleteRequest, Put, PutRequest, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update, WriteRequest,
};

use super::send::{condition_failed, db_error, Call};
use super::{backoff, in_batches, Item, Store};
use crate::activity::NewActivity;
use crate::error::ApiError;

/// The condition a write was made on, named so a failure can be told apart from the
/// others of its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// No condition, or one only its own operation interprets (the login counter's
    /// open window).
    None,
    /// The email guard is taken.
    Email,
    /// The username guard is taken.
    Username,
    /// The device public key guard is taken.
    PubKey,
    /// The profile (or a copy of it) changed since it was read.
    Profile,
    /// The token item is gone or already there.
    Token,
    /// The change would leave a workspace with members but no admin.
    LastAdmin,
    /// The workspace is gone (or, for a create, exists).
    Workspace,
    /// The membership changed since it was read.
    Member,
    /// The quota, as read, does not admit the file.
    Quota,
    /// The file is (for a record) or is not (for a delete) counted already.
    File,
    /// A login-attempt counter is full.
    RateLimit,
    /// The invitation is gone, expired or another one (or, for a new one, one is
    /// pending already).
    Invitation,
    /// The group is gone or being deleted (or, for a create, exists), or a group
    /// membership is not (or, for a leave, still) there.
    Group,
    /// The group name guard is taken.
    GroupName,
    /// The external id guard (of a user or a group) is taken.
    ExternalId,
    /// The grant changed since it was read.
    Grant,
    /// The job is leased by another runner, or gone.
    Job,
    /// The workspace admin making the change is no longer one.
    Actor,
}

/// Why a write did not happen: the conditions that failed, or an error.
#[derive(Debug)]
pub(crate) enum Rejection {
    Failed(Vec<Check>),
    Error(ApiError),
}

impl Rejection {
    /// Whether the condition `check` failed.
    pub(crate) fn failed(&self, check: Check) -> bool {
        matches!(self, Rejection::Failed(checks) if checks.contains(&check))
    }
}

impl From<ApiError> for Rejection {
    fn from(e: ApiError) -> Self {
        Rejection::Error(e)
    }
}

/// The one translation of a rejected change into what the caller is told: a unique
/// field taken, or a workspace's last admin, is 409 naming the field; any other lost
/// condition is a concurrent change that kept winning (409, retry).
impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> ApiError {
        match r {
            Rejection::Error(e) => e,
            r if r.failed(Check::Email) => ApiError::conflict(
                "email",
                "A user with this email already exists (as an email or a username)",
            ),
            r if r.failed(Check::Username) => ApiError::conflict(
                "username",
                "A user with this username already exists (as a username or an email)",
            ),
            r if r.failed(Check::PubKey) => {
                ApiError::conflict("pub_key", "Another user's device has this public key")
            }
            r if r.failed(Check::GroupName) => {
                ApiError::conflict("name", "A group with this name already exists")
            }
            r if r.failed(Check::ExternalId) => {
                ApiError::conflict("external_id", "Another resource has this externalId")
            }
            r if r.failed(Check::LastAdmin) => {
                ApiError::conflict("role", "A workspace must keep at least one admin")
            }
            Rejection::Failed(_) => ApiError::busy(),
        }
    }
}

/// One try of an optimistic change: its result, or what the next try starts from when
/// something it read changed before it wrote.
pub(crate) enum Attempt<S, T> {
    Done(T),
    Retry(S),
}

/// How many times a change is re-read and re-applied when a concurrent write to what it
/// read won the race.
const RACE_RETRIES: usize = 8;

/// Runs an optimistic change (read, decide, write on the condition that nothing read
/// has moved) from `state` (what the caller already read, or nothing) until a try is
/// done; each retry starts from the state the failed try handed on. A change that keeps
/// losing gives up with 409 (`concurrent_modification`).
pub(crate) async fn optimistic<S, T, F, Fut>(mut state: S, mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut(S) -> Fut,
    Fut: Future<Output = Result<Attempt<S, T>, ApiError>>,
{
    for _ in 0..RACE_RETRIES {
        match attempt(state).await? {
            Attempt::Done(t) => return Ok(t),
            Attempt::Retry(next) => state = next,
        }
    }
    Err(ApiError::busy())
}

/// What a try works on: what the caller (or the try before) already read, or else a
/// fresh read; `gone` when the read finds nothing.
pub(crate) async fn known_or_read<T>(
    known: Option<T>,
    read: impl Future<Output = Result<Option<T>, ApiError>>,
    gone: impl FnOnce() -> ApiError,
) -> Result<T, ApiError> {
    match known {
        Some(t) => Ok(t),
        None => read.await?.ok_or_else(gone),
    }
}

/// One write: a put, update or delete, with its condition and the check it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    kind: OpKind,
    condition: Option<String>,
    names: HashMap<String, String>,
    values: Item,
    check: Check,
}

#[derive(Debug, Clone)]
enum OpKind {
    Put(Item),
    Update(Item, String),
    Delete(Item),
    /// Writes nothing: only its condition counts.
    Check(Item),
}

impl Op {
    fn new(kind: OpKind) -> Op {
        Op {
            kind,
            condition: None,
            names: HashMap::new(),
            values: HashMap::new(),
            check: Check::None,
        }
    }

    pub(crate) fn put(item: Item) -> Op {
        Op::new(OpKind::Put(item))
    }

    pub(crate) fn update(key: Item, expr: impl Into<String>) -> Op {
        Op::new(OpKind::Update(key, expr.into()))
    }

    /// `SET` of every attribute of `attrs` on the item `key` (copies of fields).
    pub(crate) fn set_all(key: Item, attrs: Item) -> Op {
        let mut sets = Vec::new();
        let mut names = HashMap::new();
        let mut values = Item::new();
        for (i, (name, value)) in attrs.into_iter().enumerate() {
            sets.push(format!("#s{i} = :s{i}"));
            names.insert(format!("#s{i}"), name);
            values.insert(format!(":s{i}"), value);
        }
        Op {
            names,
            values,
            ..Op::update(key, format!("SET {}", sets.join(", ")))
        }
    }

    pub(crate) fn delete(key: Item) -> Op {
        Op::new(OpKind::Delete(key))
    }

    /// A condition on the item `key` that the transaction needs, without a write.
    pub(crate) fn check(key: Item) -> Op {
        Op::new(OpKind::Check(key))
    }

    /// The condition the write is made on, and what its failure means.
    pub(crate) fn when(mut self, condition: &str, check: Check) -> Op {
        self.condition = Some(condition.to_string());
        self.check = check;
        self
    }

    pub(crate) fn name(mut self, placeholder: &str, name: &str) -> Op {
        self.names.insert(placeholder.to_string(), name.to_string());
        self
    }

    pub(crate) fn val(
        mut self,
        placeholder: &str,
        value: aws_sdk_dynamodb::types::AttributeValue,
    ) -> Op {
        self.values.insert(placeholder.to_string(), value);
        self
    }

    fn into_transact(self, table: &str) -> Result<TransactWriteItem, ApiError> {
        let build = |e: BuildError| ApiError::internal(e.to_string());
        let Op {
            kind,
            condition,
            names,
            values,
            ..
        } = self;
        let (names, values) = placeholders(names, values);
        let item = match kind {
            OpKind::Put(item) => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .return_values_on_condition_check_failure(
                        ReturnValuesOnConditionCheckFailure::None,
                    )
                    .build()
                    .map_err(build)?,
            ),
            OpKind::Update(key, expr) => TransactWriteItem::builder().update(
                Update::builder()
                    .table_name(table)
                    .set_key(Some(key))
                    .update_expression(expr)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build)?,
            ),
            OpKind::Delete(key) => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(key))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build)?,
            ),
            OpKind::Check(key) => TransactWriteItem::builder().condition_check(
                ConditionCheck::builder()
                    .table_name(table)
                    .set_key(Some(key))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build)?,
            ),
        };
        Ok(item.build())
    }
}

/// An update expression of `SET` and `REMOVE` clauses (each left out when empty), then
/// `tail` (an `ADD` clause).
pub(crate) fn update_expression(set: &[String], remove: &[String], tail: &str) -> String {
    let mut expr = String::new();
    if !set.is_empty() {
        expr.push_str(&format!("SET {} ", set.join(", ")));
    }
    if !remove.is_empty() {
        expr.push_str(&format!("REMOVE {} ", remove.join(", ")));
    }
    expr.push_str(tail);
    expr
}

/// A write's placeholder maps, left out when empty (DynamoDB refuses empty maps).
fn placeholders(
    names: HashMap<String, String>,
    values: Item,
) -> (Option<HashMap<String, String>>, Option<Item>) {
    (
        (!names.is_empty()).then_some(names),
        (!values.is_empty()).then_some(values),
    )
}

/// The writes of one atomic change, with the activities it records.
#[derive(Debug, Default)]
pub(crate) struct Tx {
    ops: Vec<Op>,
    activities: Vec<NewActivity>,
}

/// DynamoDB's limit on the writes of one transaction.
const MAX_TX_ITEMS: usize = 100;

impl Tx {
    pub(crate) fn new() -> Tx {
        Tx::default()
    }

    pub(crate) fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    /// Records `activity` in the same write as the change (see `activities.rs`).
    pub(crate) fn record(&mut self, activity: NewActivity) {
        self.activities.push(activity);
    }
}

/// How often a transaction cancelled by another one (not by a condition) is tried again.
const CONFLICT_RETRIES: u32 = 12;

impl Store {
    /// Commits `tx` atomically, its activities and their counters included. Cancelled
    /// by another transaction (a race, not a failed condition) it is retried with
    /// jittered backoff; failed conditions are reported; a race lost every time is 409.
    pub(crate) async fn commit(&self, tx: Tx) -> Result<(), Rejection> {
        let Tx {
            mut ops,
            activities,
        } = tx;
        ops.extend(self.activity_writes(activities)?);
        if ops.len() > MAX_TX_ITEMS {
            return Err(ApiError::conflict(
                "memberships",
                "Change touches too many items to be atomic",
            )
            .into());
        }
        let checks: Vec<Check> = ops.iter().map(|o| o.check).collect();
        let items = ops
            .into_iter()
            .map(|o| o.into_transact(&self.table))
            .collect::<Result<Vec<_>, _>>()?;
        for attempt in 0..CONFLICT_RETRIES {
            let call = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()));
            let err = match self.send_raw(call).await {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let reasons = match &err {
                SdkError::ServiceError(se) => match se.err() {
                    TransactWriteItemsError::TransactionCanceledException(c) => {
                        c.cancellation_reasons().to_vec()
                    }
                    TransactWriteItemsError::TransactionInProgressException(_) => vec![],
                    _ => return Err(db_error(err).into()),
                },
                _ => return Err(db_error(err).into()),
            };
            let failed: Vec<Check> = reasons
                .iter()
                .zip(checks.iter())
                .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(_, c)| *c)
                .collect();
            if !failed.is_empty() {
                return Err(Rejection::Failed(failed));
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
            tokio::time::sleep(backoff(attempt)).await;
        }
        Err(ApiError::busy().into())
    }

    /// Applies one write outside a transaction (half the cost of a one-item one).
    pub(crate) async fn write(&self, op: Op) -> Result<(), Rejection> {
        let (check, table) = (op.check, &self.table);
        let Op {
            kind,
            condition,
            names,
            values,
            ..
        } = op;
        let (names, values) = placeholders(names, values);
        match kind {
            OpKind::Put(item) => {
                let call = self
                    .client
                    .put_item()
                    .table_name(table)
                    .set_item(Some(item));
                let call = call
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values);
                self.write_one(call, check).await
            }
            OpKind::Update(key, expr) => {
                let call = self
                    .client
                    .update_item()
                    .table_name(table)
                    .set_key(Some(key));
                let call = call
                    .update_expression(expr)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values);
                self.write_one(call, check).await
            }
            OpKind::Delete(key) => {
                let call = self
                    .client
                    .delete_item()
                    .table_name(table)
                    .set_key(Some(key));
                let call = call
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values);
                self.write_one(call, check).await
            }
            OpKind::Check(_) => Err(Rejection::Error(ApiError::internal(
                "a condition check writes nothing outside a transaction",
            ))),
        }
    }

    async fn write_one<C: Call>(&self, call: C, check: Check) -> Result<(), Rejection> {
        match self.send_raw(call).await {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(Rejection::Failed(vec![check])),
            Err(e) => Err(Rejection::Error(db_error(e))),
        }
    }

    /// Deletes items by key, 25 at a time, retrying what DynamoDB leaves unprocessed.
    pub(crate) async fn delete_keys(&self, keys: Vec<Item>) -> Result<(), ApiError> {
        self.batch_write(keys, |k| {
            let delete = DeleteRequest::builder().set_key(Some(k)).build()?;
            Ok(WriteRequest::builder().delete_request(delete).build())
        })
        .await
    }

    /// Writes items unconditionally, 25 at a time (fixtures and benchmarks only).
    pub(crate) async fn put_items(&self, items: Vec<Item>) -> Result<(), ApiError> {
        self.batch_write(items, |i| {
            let put = PutRequest::builder().set_item(Some(i)).build()?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .await
    }

    async fn batch_write(
        &self,
        items: Vec<Item>,
        request: impl Fn(Item) -> Result<WriteRequest, BuildError>,
    ) -> Result<(), ApiError> {
        let requests = items
            .into_iter()
            .map(&request)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        in_batches(requests, 25, "write", move |pending| async move {
            let call = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending);
            let out = self.send(call).await?;
            let unprocessed = out
                .unprocessed_items
                .and_then(|mut m| m.remove(&self.table))
                .unwrap_or_default();
            Ok((Vec::<()>::new(), unprocessed))
        })
        .await
        .map(drop)
    }
}
