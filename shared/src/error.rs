//! The errors of the API: every failure of every route is an [`ApiError`], so the
//! status table, the error codes and what may be shown to the caller live in one
//! place. A leaf: it depends on nothing else of the crate (the envelope it becomes is
//! written by `http::error_response`).

use http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

/// One invalid input field, in the shape of the envelope's `details.errors[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub loc: Vec<String>,
    pub msg: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    /// An error about the body field `field` (`loc = ["body", field]`).
    pub fn body(field: &str, kind: &str, msg: impl Into<String>) -> Self {
        FieldError {
            loc: vec!["body".into(), field.into()],
            msg: msg.into(),
            kind: kind.into(),
        }
    }
}

/// A failed request: status, error code, caller-facing message and details.
/// `cause` is for the log only and never reaches the response body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
    pub retry_after: Option<u64>,
    pub cause: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: json!({}),
            retry_after: None,
            cause: None,
        }
    }

    fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// 400: malformed JSON, a bad query parameter, a bad cursor.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// 400 naming the query parameter at fault.
    pub fn bad_query(param: &str, message: impl Into<String>) -> Self {
        Self::bad_request(message).with_details(json!({ "parameter": param }))
    }

    /// 401: missing, malformed, unknown, expired or revoked credentials.
    /// 401 for a request without `Authorization` (`details.reason: missing_token`).
    pub fn token_missing() -> Self {
        Self::token_refused(
            "missing_token",
            "Authentication required: send 'Authorization: Bearer <token>'",
        )
    }

    /// 401 for an `Authorization` header that is not `Bearer <token>` (or `Token
    /// <token>`) with a token of this service's shape.
    pub fn token_malformed() -> Self {
        Self::token_refused(
            "malformed_token",
            "The Authorization header must be 'Bearer <token>' with a token this service issued",
        )
    }

    /// 401 for a token that is unknown or revoked (or whose user is gone).
    pub fn unauthenticated() -> Self {
        Self::token_refused(
            "invalid_token",
            "The token is unknown or has been revoked; log in again",
        )
    }

    /// 401 for a token past its expiry.
    pub fn token_expired() -> Self {
        Self::token_refused("expired_token", "The token has expired; log in again")
    }

    fn token_refused(reason: &str, message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AUTHENTICATION_FAILED", message)
            .with_details(json!({ "reason": reason }))
    }

    /// Why a 401 refused the request's token, if it names one (RFC 6750: a missing
    /// token says only that a token is needed).
    pub fn token_problem(&self) -> Option<&str> {
        let reason = self.details.get("reason")?.as_str()?;
        (self.status == StatusCode::UNAUTHORIZED && reason != "missing_token").then_some(reason)
    }

    /// 401 for a failed login; the same for a wrong login and a wrong password.
    pub fn bad_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILED",
            "Invalid login or password",
        )
    }

    /// 403 for an action the caller's role does not allow.
    pub fn forbidden(permission: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "You don't have permission to perform this action",
        )
        .with_details(json!({ "required_permission": permission }))
    }

    /// 403 for a list filter on what the caller may not see (`details.parameter`).
    pub fn forbidden_filter(parameter: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            format!("Only global admins may filter on '{parameter}'"),
        )
        .with_details(
            json!({ "parameter": parameter, "required_permission": "users:read_private" }),
        )
    }

    /// 403 for a field the caller may not set.
    pub fn forbidden_field(field: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            format!("You may not change the field '{field}'"),
        )
        .with_details(json!({ "field": field }))
    }

    /// 403 for a wrong `current_password` on a password change.
    pub fn wrong_current_password() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "The current password is wrong",
        )
        .with_details(json!({ "field": "current_password" }))
    }

    /// 403 when a file would take usage past the quota.
    pub fn quota_exceeded(disk_space: i64, disk_space_used: i64, requested: i64) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "STORAGE_QUOTA_EXCEEDED",
            "Storage quota exceeded",
        )
        .with_details(json!({
            "disk_space": disk_space,
            "disk_space_used": disk_space_used,
            "requested": requested,
        }))
    }

    /// 403 for a suspended or deactivated account.
    pub fn account_disabled(status: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ACCOUNT_DISABLED",
            "This account is disabled",
        )
        .with_details(json!({ "status": status }))
    }

    /// 404, also for resources the caller may not see (no enumeration).
    pub fn not_found(resource_type: &str, resource_id: &str) -> Self {
        let mut kind = resource_type.to_string();
        if let Some(first) = kind.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("{kind} not found"),
        )
        .with_details(json!({ "resource_type": resource_type, "resource_id": resource_id }))
    }

    /// 404 for a path no route serves.
    pub fn no_route(path: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", "No such route")
            .with_details(json!({ "resource_type": "route", "resource_id": path }))
    }

    /// 405: the path exists, the method does not.
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method not allowed on this path",
        )
        .with_details(json!({ "allowed_methods": allowed }))
    }

    /// 409: a unique field is taken, or a concurrent change won.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message).with_details(json!({ "field": field }))
    }

    /// 409 when a count would pass its `limit`.
    pub fn over_limit(field: &str, limit: usize, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
            .with_details(json!({ "field": field, "limit": limit }))
    }

    /// 409 when a concurrent change kept winning and the request gave up.
    pub fn busy() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CONFLICT",
            "The resource is being changed concurrently; retry the request",
        )
        .with_details(json!({ "reason": "concurrent_modification" }))
    }

    /// 412: `If-Match` named a version that is no longer current.
    pub fn precondition_failed(current_version: i64) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "PRECONDITION_FAILED",
            "The resource has changed since the version named in If-Match",
        )
        .with_details(json!({ "current_etag": format!("W/\"{current_version}\"") }))
    }

    /// 413: a body over the limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("Request body exceeds {limit} bytes"),
        )
        .with_details(json!({ "max_bytes": limit }))
    }

    /// 415: a body that is not JSON.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Request body must be JSON (Content-Type: application/json)",
        )
    }

    /// 422 listing every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "Request validation failed",
        )
        .with_details(json!({ "errors": errors }))
    }

    /// 429 with the seconds to wait.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            "Too many attempts; try again later",
        )
        .with_details(json!({ "retry_after_seconds": retry_after }));
        e.retry_after = Some(retry_after);
        e
    }

    /// 429 for a caller holding its most activity streams: they end within `retry_after`
    /// seconds (a stream the client dropped holds its place until it ends).
    pub fn too_many_streams(retry_after: u64) -> Self {
        let mut e = Self::rate_limited(retry_after);
        e.message = "Too many open activity streams; one ends within the retry time".into();
        e
    }

    /// 500: the cause goes to the log, never to the caller.
    pub fn internal(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "An unexpected error occurred",
        );
        e.cause = Some(cause.into());
        e
    }

    /// 503: the database throttled or could not be reached.
    pub fn unavailable(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable; retry shortly",
        );
        e.retry_after = Some(1);
        e.cause = Some(cause.into());
        e
    }
}

/// The `scimType` values of RFC 7644 §3.12 that the service answers with.
const SCIM_TYPES: &[&str] = &[
    "invalidFilter",
    "invalidPath",
    "invalidValue",
    "invalidSyntax",
    "mutability",
    "noTarget",
    "tooMany",
    "uniqueness",
];

/// SCIM refusals (RFC 7644 §3.12): a status with a `scimType`. The type is the error
/// code itself (these errors come only from the SCIM routes), which keeps `ApiError`
/// small enough to return by value everywhere.
impl ApiError {
    fn scim(status: StatusCode, scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(status, scim_type, detail)
    }

    /// The SCIM error type of a refusal made by the SCIM code, if it is one.
    pub fn scim_type(&self) -> Option<&'static str> {
        SCIM_TYPES.iter().copied().find(|t| *t == self.code)
    }

    /// 400 `invalidFilter`: a filter outside the grammar, or one the service cannot
    /// serve from an index.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "invalidFilter", detail)
    }

    /// 400 `invalidPath`: a PATCH path outside the grammar or naming no attribute.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "invalidPath", detail)
    }

    /// 400 `invalidValue`: a value the attribute does not take, or a required one
    /// missing.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "invalidValue", detail)
    }

    /// 400 `invalidSyntax`: a request body that is not what the operation takes.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "invalidSyntax", detail)
    }

    /// 400 `mutability`: a change of a read-only (or set immutable) attribute.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "mutability", detail)
    }

    /// 400 `noTarget`: a PATCH path that names no value to change.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "noTarget", detail)
    }

    /// 400 `tooMany`: more than the service answers or applies in one request.
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::BAD_REQUEST, "tooMany", detail)
    }

    /// 403 for a filter on a discovery endpoint (RFC 7644 §4), so that no client takes
    /// what it gets back for matching it.
    pub fn discovery_filter() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "The discovery endpoints take no filter",
        )
    }

    /// 409 `uniqueness`: a unique attribute's value is taken.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::scim(StatusCode::CONFLICT, "uniqueness", detail)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl std::error::Error for ApiError {}
