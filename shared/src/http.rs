//! HTTP plumbing every handler uses: reading the body, the query and the path,
//! `If-Match`, and building JSON responses, the error envelope among them.

pub use http::StatusCode;
use http::{header, HeaderValue};
pub use lambda_http::Body;
use lambda_http::RequestExt;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{ApiError, FieldError};
use crate::fields::Fields;
use crate::types::parse_uuid;

pub type Request = lambda_http::Request;
pub type Response = http::Response<Body>;

/// Bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Query strings longer than this are refused with 400.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// A JSON response with the given status, in any body type (buffered or streamed).
fn json_response_of<B: From<Vec<u8>>, T: Serialize + ?Sized>(
    status: StatusCode,
    body: &T,
) -> http::Response<B> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = http::Response::new(B::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A JSON response with the given status.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    json_response_of(status, body)
}

/// The error envelope `{error, message, details, timestamp, status_code, request_id}`
/// of `e`, with `WWW-Authenticate` on 401 (RFC 6750), `Allow` on 405 and `Retry-After`
/// on 429 and 503. The cause of a 500 or 503 stays out of it.
pub fn error_response<B: From<Vec<u8>>>(
    e: &ApiError,
    request_id: &str,
    timestamp: &str,
) -> http::Response<B> {
    let body = json!({
        "error": e.code,
        "message": e.message,
        "details": e.details,
        "timestamp": timestamp,
        "status_code": e.status.as_u16(),
        "request_id": request_id,
    });
    let mut resp = json_response_of(e.status, &body);
    let headers = resp.headers_mut();
    if e.status == StatusCode::UNAUTHORIZED {
        // RFC 6750 section 3: a request without a token gets the realm only; a token
        // that was refused gets `invalid_token` and why (the message, which holds no
        // quote or backslash).
        let challenge = match e.token_problem() {
            Some(_) => format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                e.message.replace(['"', '\\'], "'")
            ),
            None => "Bearer realm=\"api\"".to_string(),
        };
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, v);
        }
    }
    if e.status == StatusCode::METHOD_NOT_ALLOWED {
        let allowed: Vec<&str> = e.details["allowed_methods"]
            .as_array()
            .map(|a| a.iter().filter_map(|m| m.as_str()).collect())
            .unwrap_or_default();
        if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
            headers.insert(header::ALLOW, v);
        }
    }
    if let Some(secs) = e.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// The SCIM media type (RFC 7644 §3.1), of every answer under `/scim/v2`.
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";

/// The error of `e` in the SCIM error schema (RFC 7644 §3.12), for the routes under
/// `/scim/`: `status` as a string, the `scimType` where one applies, and `detail`.
/// Refusals made outside the SCIM code map onto the closest type: a field that fails
/// validation is `invalidValue`, a unique field taken `uniqueness`, another 400
/// `invalidSyntax`. The headers are those of [`error_response`].
pub fn scim_error_response<B: From<Vec<u8>>>(e: &ApiError, request_id: &str) -> http::Response<B> {
    let field_taken = e.status == StatusCode::CONFLICT && e.details.get("field").is_some();
    let (status, scim_type) = match e.scim_type() {
        Some(t) => (e.status, Some(t)),
        None if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            (StatusCode::BAD_REQUEST, Some("invalidValue"))
        }
        None if field_taken => (e.status, Some("uniqueness")),
        None if e.status == StatusCode::BAD_REQUEST => (e.status, Some("invalidSyntax")),
        None => (e.status, None),
    };
    let mut detail = e.message.clone();
    if let Some(first) = e.details["errors"].get(0) {
        let at: Vec<&str> = first["loc"]
            .as_array()
            .map(|l| l.iter().skip(1).filter_map(Value::as_str).collect())
            .unwrap_or_default();
        detail = format!(
            "{detail}: {} ({})",
            first["msg"].as_str().unwrap_or(""),
            at.join(".")
        );
    }
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    let mut resp: http::Response<B> = error_response(e, request_id, "");
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let headers = std::mem::take(resp.headers_mut());
    let mut out = http::Response::new(B::from(bytes));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_MEDIA_TYPE),
    );
    out
}

/// Whether a request path is under `/scim/`, whose errors are SCIM's.
pub fn is_scim_path(path: &str) -> bool {
    path == "/scim" || path.starts_with("/scim/")
}

/// 200 with a JSON body.
pub fn ok<T: Serialize + ?Sized>(body: &T) -> Response {
    json_response(StatusCode::OK, body)
}

/// 201 with a JSON body.
pub fn created<T: Serialize + ?Sized>(body: &T) -> Response {
    json_response(StatusCode::CREATED, body)
}

/// 204.
pub fn no_content() -> Response {
    let mut resp = http::Response::new(Body::Empty);
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

/// Adds the weak `ETag: W/"<tag>"` (a version, or a digest of a view).
pub fn with_etag(mut resp: Response, tag: impl std::fmt::Display) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("W/\"{tag}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// Adds the header `name: value` (names and values the service itself spells).
pub fn with_header(mut resp: Response, name: &'static str, value: &'static str) -> Response {
    resp.headers_mut()
        .insert(name, HeaderValue::from_static(value));
    resp
}

/// Adds a `Location` header.
pub fn with_location(mut resp: Response, location: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

fn is_json_media_type(content_type: &str) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Reads the JSON body: 413 over 64 KiB, 415 when it is declared as something other
/// than JSON, 400 when it does not parse, 422 when it is missing.
pub fn json_body(req: &Request) -> Result<Value, ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
        let ct = ct
            .to_str()
            .map_err(|_| ApiError::unsupported_media_type())?;
        if !is_json_media_type(ct) {
            return Err(ApiError::unsupported_media_type());
        }
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::validation(vec![FieldError {
            loc: vec!["body".into()],
            msg: "Request body required".into(),
            kind: "missing".into(),
        }]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "Malformed JSON body at line {} column {}",
            e.line(),
            e.column()
        ))
    })
}

/// The JSON object body, to be read field by field (see [`Fields`]).
pub fn body_fields(req: &Request) -> Result<Fields, ApiError> {
    Fields::new(json_body(req)?)
}

/// The query string, checked once: too long or with a repeated key is 400.
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// Query parameters that name a list: given more than once, the values join as one
/// comma-separated list (`ids=a&ids=b` is `ids=a,b`).
const LIST_PARAMETERS: [&str; 1] = ["ids"];

impl Query {
    /// The query of a route that takes the parameters `accepted`: any other is 400
    /// naming it (strict queries), as is one given twice that is not a list.
    pub fn parse(req: &Request, accepted: &[&str]) -> Result<Query, ApiError> {
        Self::parse_as(req, accepted, true)
    }

    /// The query of a route taking `accepted`; with `strict` false other parameters
    /// are ignored rather than refused (SCIM's, through `scim::query`).
    pub(crate) fn parse_as(
        req: &Request,
        accepted: &[&str],
        strict: bool,
    ) -> Result<Query, ApiError> {
        if req.uri().query().map_or(0, str::len) > MAX_QUERY_BYTES {
            return Err(ApiError::bad_request("Query string too long"));
        }
        let map = req.query_string_parameters();
        let mut pairs = Vec::new();
        for (key, _) in map.iter() {
            if pairs.iter().any(|(k, _): &(String, String)| k == key) {
                continue;
            }
            if !accepted.contains(&key) {
                if !strict {
                    continue;
                }
                return Err(ApiError::bad_query(
                    key,
                    format!("Unknown query parameter '{key}'"),
                ));
            }
            let values = map.all(key).unwrap_or_default();
            if values.len() > 1 && !LIST_PARAMETERS.contains(&key) {
                return Err(ApiError::bad_query(
                    key,
                    format!("Query parameter '{key}' given more than once"),
                ));
            }
            pairs.push((key.to_string(), values.join(",")));
        }
        Ok(Query { pairs })
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` parsed with `parse`; a value that fails is 400 naming it.
    pub fn parse_opt<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse(v).map(Some).ok_or_else(|| {
                ApiError::bad_query(name, format!("Query parameter '{name}' must be {expected}"))
            }),
        }
    }

    /// An integer in `min..=max`, or `default` when absent.
    pub fn int(&self, name: &str, min: i64, max: i64, default: i64) -> Result<i64, ApiError> {
        Ok(self
            .parse_opt(
                name,
                |v| v.parse::<i64>().ok().filter(|n| (min..=max).contains(n)),
                &format!("an integer from {min} to {max}"),
            )?
            .unwrap_or(default))
    }

    /// A boolean as Django REST Framework reads one: `true`, `True`, `1` or `false`,
    /// `False`, `0`; anything else is 400.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.parse_opt(
            name,
            |v| match v {
                "true" | "True" | "1" => Some(true),
                "false" | "False" | "0" => Some(false),
                _ => None,
            },
            "true, True, 1, false, False or 0",
        )
    }

    /// A comma-separated list of at most `max` UUIDs.
    pub fn uuid_list(&self, name: &str, max: usize) -> Result<Option<Vec<Uuid>>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        // At most `max` values as given (SPEC: "50 in all"), repeats counted too.
        if raw.split(',').count() > max {
            return Err(ApiError::bad_query(
                name,
                format!("'{name}' may name at most {max} ids"),
            ));
        }
        let mut ids: Vec<Uuid> = Vec::new();
        for part in raw.split(',') {
            let id = parse_uuid(part.trim()).ok_or_else(|| {
                ApiError::bad_query(name, format!("'{name}' must be comma-separated UUIDs"))
            })?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    /// The pairs except those named, sorted: what a cursor is bound to.
    pub fn canonical_without(&self, skip: &[&str]) -> String {
        let mut pairs: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .collect();
        pairs.sort();
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A path parameter (always present on the routes that declare it).
pub fn path_param(req: &Request, name: &str) -> String {
    req.path_parameters()
        .first(name)
        .map(str::to_string)
        .unwrap_or_default()
}

/// A path parameter that must be a UUID; anything else is a 404 of `resource_type`.
pub fn path_uuid(req: &Request, name: &str, resource_type: &str) -> Result<Uuid, ApiError> {
    let raw = path_param(req, name);
    parse_uuid(&raw).ok_or_else(|| ApiError::not_found(resource_type, &raw))
}

/// A request's `If-Match`: the versions it names, or none (absent or `*`).
/// Accepts `W/"3"`, `"3"` and a list; an unparsable tag never matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IfMatch(Option<Vec<i64>>);

/// An entity tag without its weakness and quotes: what two tags are compared by.
pub fn opaque_tag(tag: &str) -> &str {
    let t = tag.trim();
    t.strip_prefix("W/").unwrap_or(t).trim_matches('"')
}

impl IfMatch {
    pub fn of(req: &Request) -> IfMatch {
        let Some(raw) = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
        else {
            return IfMatch(None);
        };
        if raw == "*" {
            return IfMatch(None);
        }
        IfMatch(Some(
            raw.split(',')
                .map(|tag| {
                    // A SCIM user's tag adds `-<digest of its groups>` to the version,
                    // which is all a write is conditioned on.
                    let t = opaque_tag(tag);
                    t.split('-')
                        .next()
                        .unwrap_or(t)
                        .parse::<i64>()
                        .unwrap_or(-1)
                })
                .collect(),
        ))
    }

    /// 412 unless the header is absent or names `version`, the current one.
    pub fn check(&self, version: i64) -> Result<(), ApiError> {
        match &self.0 {
            Some(tags) if !tags.contains(&version) => Err(ApiError::precondition_failed(version)),
            _ => Ok(()),
        }
    }
}

/// The id API Gateway (or the runtime) gave this request.
pub fn request_id(req: &Request) -> String {
    use lambda_http::request::RequestContext;
    if let Some(RequestContext::ApiGatewayV2(c)) = req.request_context_ref() {
        if let Some(id) = c.request_id.as_deref().filter(|s| !s.is_empty()) {
            return id.to_string();
        }
    }
    req.lambda_context_ref()
        .map(|c| c.request_id.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

/// The caller's source address, as API Gateway saw it.
fn source_ip(req: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.http.source_ip.clone(),
        _ => None,
    }
}

/// The client's address: behind the optional CloudFront edge, the viewer's address
/// CloudFront reports (`CloudFront-Viewer-Address`, `ip:port`), but only on a request
/// carrying the edge's shared secret (`X-Edge-Secret`, equal to `edge_secret`), since a
/// client could send that header itself; otherwise what API Gateway saw.
pub fn client_address(req: &Request, edge_secret: Option<&str>) -> Option<String> {
    use subtle::ConstantTimeEq;
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let (Some(secret), Some(given)) = (
        edge_secret.filter(|s| !s.is_empty()),
        header("x-edge-secret"),
    ) {
        let same =
            secret.len() == given.len() && bool::from(secret.as_bytes().ct_eq(given.as_bytes()));
        if let Some(viewer) = header("cloudfront-viewer-address").filter(|_| same) {
            let ip = viewer.rsplit_once(':').map_or(viewer, |(ip, _port)| ip);
            return Some(ip.trim_matches(['[', ']']).to_string());
        }
    }
    source_ip(req)
}

/// `METHOD /path`, without the query string (which may hold a cursor).
pub fn route_label(req: &Request) -> String {
    format!("{} {}", req.method(), req.uri().path())
}

#[cfg(test)]
mod edge_tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut b = http::Request::builder().uri("http://localhost/v1/auth/token");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(lambda_http::Body::Empty).unwrap()
    }

    #[test]
    fn the_viewer_address_is_trusted_only_with_the_edge_secret() {
        let viewer = [("cloudfront-viewer-address", "203.0.113.7:51234")];
        let with = |secret: &str| {
            let mut h = viewer.to_vec();
            h.push(("x-edge-secret", secret));
            request(&h)
        };
        assert_eq!(
            client_address(&with("edge-secret-value"), Some("edge-secret-value")).as_deref(),
            Some("203.0.113.7")
        );
        // a client sending the headers itself, without (or with a wrong) secret
        assert_eq!(
            client_address(&request(&viewer), Some("edge-secret-value")),
            None
        );
        assert_eq!(
            client_address(&with("guess"), Some("edge-secret-value")),
            None
        );
        // no edge configured: the header means nothing
        assert_eq!(client_address(&with("edge-secret-value"), None), None);
        let v6 = request(&[
            ("cloudfront-viewer-address", "2001:db8::1:443"),
            ("x-edge-secret", "s3cret"),
        ]);
        assert_eq!(
            client_address(&v6, Some("s3cret")).as_deref(),
            Some("2001:db8::1")
        );
    }
}
