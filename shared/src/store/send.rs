//! The single send path: every DynamoDB call of the store goes through
//! [`Store::send_raw`], which asks for consumed capacity only when the store is
//! measured, adds up what each response reports, and counts the round trips. Nothing
//! else in the store calls `.send()`, so no call can skip the meter.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation;
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};

use super::Store;
use crate::error::ApiError;

/// What a measured store has consumed: capacity units in thousandths, and calls.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    read: AtomicU64,
    write: AtomicU64,
    calls: AtomicU64,
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
    ($module:ident :: $builder:ident -> $output:ident / $error:ident, $writes:expr, $units:ident) => {
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
        }
    };
}

call!(get_item::GetItemFluentBuilder -> GetItemOutput / GetItemError, false, one);
call!(query::QueryFluentBuilder -> QueryOutput / QueryError, false, one);
call!(scan::ScanFluentBuilder -> ScanOutput / ScanError, false, one);
call!(batch_get_item::BatchGetItemFluentBuilder -> BatchGetItemOutput / BatchGetItemError, false, each);
call!(put_item::PutItemFluentBuilder -> PutItemOutput / PutItemError, true, one);
call!(update_item::UpdateItemFluentBuilder -> UpdateItemOutput / UpdateItemError, true, one);
call!(delete_item::DeleteItemFluentBuilder -> DeleteItemOutput / DeleteItemError, true, one);
call!(batch_write_item::BatchWriteItemFluentBuilder -> BatchWriteItemOutput / BatchWriteItemError, true, each);
call!(transact_write_items::TransactWriteItemsFluentBuilder -> TransactWriteItemsOutput / TransactWriteItemsError, true, each);

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
