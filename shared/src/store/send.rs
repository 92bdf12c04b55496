//! The single send path: every DynamoDB call of the store goes through
//! [`Store::send_raw`], which asks for consumed capacity only when the store is
//! measured, adds up what each response reports, and counts the round trips. Nothing
//! else in the store calls `.send()`, so no call can skip the meter.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation;
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity, ReturnConsumedCapacity};

use super::Store;
use crate::error::ApiError;

/// What a measured store has consumed: capacity units in thousandths, and calls.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    read: AtomicU64,
    write: AtomicU64,
    calls: AtomicU64,
    /// The IAM actions the calls needed (`dynamodb:GetItem`, ...; `index` when a query
    /// read an index), for the test that holds `template.yaml`'s policies to the code.
    actions: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

/// Capacity and round trips, as read off a measured store.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub read_units: f64,
    pub write_units: f64,
    /// DynamoDB requests sent (each transaction or batch counts once).
    pub calls: u64,
}

impl Usage {
    /// What was consumed between `before` and `self`.
    pub fn since(self, before: Usage) -> Usage {
        Usage {
            read_units: self.read_units - before.read_units,
            write_units: self.write_units - before.write_units,
            calls: self.calls - before.calls,
        }
    }
}

impl Meter {
    /// The actions recorded so far, and a fresh start.
    pub(crate) fn take_actions(&self) -> std::collections::BTreeSet<String> {
        self.actions
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default()
    }

    pub(crate) fn usage(&self) -> Usage {
        Usage {
            read_units: self.read.load(Ordering::Relaxed) as f64 / 1000.0,
            write_units: self.write.load(Ordering::Relaxed) as f64 / 1000.0,
            calls: self.calls.load(Ordering::Relaxed),
        }
    }
}

/// One DynamoDB request, ready to send: a fluent builder of the SDK.
pub(crate) trait Call: Send {
    type Output: Send;
    type Error: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static;
    /// Whether its consumed capacity is write capacity.
    const WRITES: bool;
    fn with_capacity(self, rcc: ReturnConsumedCapacity) -> Self;
    fn send(
        self,
    ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>> + Send;
    fn units(out: &Self::Output) -> f64;
    /// The IAM actions this request needs (a transaction: one per kind of item write),
    /// and `write:<prefix>` for the leading key of each item it writes.
    fn actions(&self) -> Vec<String>;
}

fn one(c: Option<&ConsumedCapacity>) -> f64 {
    c.and_then(|c| c.capacity_units).unwrap_or(0.0)
}

fn each(c: Option<&Vec<ConsumedCapacity>>) -> f64 {
    c.into_iter()
        .flatten()
        .filter_map(|c| c.capacity_units)
        .sum()
}

macro_rules! call {
    ($module:ident :: $builder:ident -> $output:ident / $error:ident, $writes:expr, $units:ident, $action:literal) => {
        call!($module :: $builder -> $output / $error, $writes, $units, |_b| vec![$action.to_string()]);
    };
    ($module:ident :: $builder:ident -> $output:ident / $error:ident, $writes:expr, $units:ident, $actions:expr) => {
        impl Call for operation::$module::builders::$builder {
            type Output = operation::$module::$output;
            type Error = operation::$module::$error;
            const WRITES: bool = $writes;
            fn with_capacity(self, rcc: ReturnConsumedCapacity) -> Self {
                self.return_consumed_capacity(rcc)
            }
            fn send(
                self,
            ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>> + Send
            {
                operation::$module::builders::$builder::send(self)
            }
            fn units(out: &Self::Output) -> f64 {
                $units(out.consumed_capacity.as_ref())
            }
            fn actions(&self) -> Vec<String> {
                let actions: fn(&Self) -> Vec<String> = $actions;
                actions(self)
            }
        }
    };
}

fn query_actions(q: &operation::query::builders::QueryFluentBuilder) -> Vec<String> {
    let mut out = vec!["dynamodb:Query".to_string()];
    if q.get_index_name().is_some() {
        out.push("index".into());
    }
    out
}

/// `write:` and the leading key's prefix (`USER#`, `STATS`, ...) of a written item.
fn written(item: Option<&std::collections::HashMap<String, AttributeValue>>) -> String {
    let pk = item
        .and_then(|i| i.get(crate::keys::PK))
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str);
    let prefix = pk.split_inclusive('#').next().unwrap_or(pk);
    format!("write:{prefix}")
}

fn transaction_actions(
    t: &operation::transact_write_items::builders::TransactWriteItemsFluentBuilder,
) -> Vec<String> {
    let mut out = Vec::new();
    for i in t.get_transact_items().iter().flatten() {
        let (action, key) = if let Some(p) = &i.put {
            ("dynamodb:PutItem", Some(&p.item))
        } else if let Some(u) = &i.update {
            ("dynamodb:UpdateItem", Some(&u.key))
        } else if let Some(d) = &i.delete {
            ("dynamodb:DeleteItem", Some(&d.key))
        } else {
            ("dynamodb:ConditionCheckItem", None)
        };
        out.push(action.to_string());
        if let Some(k) = key {
            out.push(written(Some(k)));
        }
    }
    out
}

fn put_actions(b: &operation::put_item::builders::PutItemFluentBuilder) -> Vec<String> {
    vec!["dynamodb:PutItem".into(), written(b.get_item().as_ref())]
}

fn update_actions(b: &operation::update_item::builders::UpdateItemFluentBuilder) -> Vec<String> {
    vec!["dynamodb:UpdateItem".into(), written(b.get_key().as_ref())]
}

fn delete_actions(b: &operation::delete_item::builders::DeleteItemFluentBuilder) -> Vec<String> {
    vec!["dynamodb:DeleteItem".into(), written(b.get_key().as_ref())]
}

fn batch_write_actions(
    b: &operation::batch_write_item::builders::BatchWriteItemFluentBuilder,
) -> Vec<String> {
    let mut out = vec!["dynamodb:BatchWriteItem".to_string()];
    for r in b
        .get_request_items()
        .iter()
        .flat_map(|m| m.values())
        .flatten()
    {
        if let Some(p) = &r.put_request {
            out.push(written(Some(&p.item)));
        }
        if let Some(d) = &r.delete_request {
            out.push(written(Some(&d.key)));
        }
    }
    out
}

call!(get_item::GetItemFluentBuilder -> GetItemOutput / GetItemError, false, one, "dynamodb:GetItem");
call!(query::QueryFluentBuilder -> QueryOutput / QueryError, false, one, query_actions);
call!(scan::ScanFluentBuilder -> ScanOutput / ScanError, false, one, "dynamodb:Scan");
call!(batch_get_item::BatchGetItemFluentBuilder -> BatchGetItemOutput / BatchGetItemError, false, each, "dynamodb:BatchGetItem");
call!(put_item::PutItemFluentBuilder -> PutItemOutput / PutItemError, true, one, put_actions);
call!(update_item::UpdateItemFluentBuilder -> UpdateItemOutput / UpdateItemError, true, one, update_actions);
call!(delete_item::DeleteItemFluentBuilder -> DeleteItemOutput / DeleteItemError, true, one, delete_actions);
call!(batch_write_item::BatchWriteItemFluentBuilder -> BatchWriteItemOutput / BatchWriteItemError, true, each, batch_write_actions);
call!(transact_write_items::TransactWriteItemsFluentBuilder -> TransactWriteItemsOutput / TransactWriteItemsError, true, each, transaction_actions);

impl Store {
    /// Sends one request: the only place the store talks to DynamoDB. A measured store
    /// asks for the capacity consumed and adds it up; one in service asks for none.
    pub(crate) async fn send_raw<C: Call>(
        &self,
        call: C,
    ) -> Result<C::Output, SdkError<C::Error, HttpResponse>> {
        let Some(meter) = &self.meter else {
            return call
                .with_capacity(ReturnConsumedCapacity::None)
                .send()
                .await;
        };
        meter.calls.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut seen) = meter.actions.lock() {
            seen.extend(call.actions());
        }
        let out = call
            .with_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await?;
        let slot = if C::WRITES { &meter.write } else { &meter.read };
        slot.fetch_add((C::units(&out) * 1000.0).round() as u64, Ordering::Relaxed);
        Ok(out)
    }

    /// [`Store::send_raw`] with a failure turned into the API's error.
    pub(crate) async fn send<C: Call>(&self, call: C) -> Result<C::Output, ApiError> {
        self.send_raw(call).await.map_err(db_error)
    }
}

/// Maps an SDK error: unreachable or throttled is 503, anything else 500. The cause
/// keeps only the error code and message, never request or item contents.
pub(crate) fn db_error<E, R>(e: SdkError<E, R>) -> ApiError
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

/// Whether a single-item write failed its condition.
pub(crate) fn condition_failed<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    matches!(e, SdkError::ServiceError(se) if se.err().code() == Some("ConditionalCheckFailedException"))
}
