//! SCIM 2.0 (RFC 7643 and RFC 7644) over the service's users and groups: the schema and
//! its discovery documents, filters and PATCH paths, documents in and out, PATCH, the
//! lists and the request plumbing every SCIM function shares.

pub mod doc;
pub mod filter;
pub mod groups;
pub mod list;
pub mod patch;
pub mod schema;
pub mod users;

use http::{header, HeaderValue, StatusCode};
use lambda_http::Body;
use serde_json::{Map, Value};

use crate::activity::Actor;
use crate::error::ApiError;
use crate::http::{opaque_tag, Query, Request, Response, SCIM_MEDIA_TYPE};
use crate::Ctx;

/// SCIM bodies may be larger than the API's (a group with its members): 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The query parameters every SCIM response takes.
pub const PROJECTION_PARAMETERS: [&str; 2] = ["attributes", "excludedAttributes"];

/// The identity provider calling: its provisioning token, as the actor of what it
/// changes (user tokens and no token are 401).
pub async fn authenticate(ctx: &Ctx, req: &Request) -> Result<Actor, ApiError> {
    let p = crate::auth::authenticate_provisioner(ctx, req).await?;
    Ok(Actor::provisioner(p.token_id, &p.name))
}

/// The JSON object body of a SCIM request: `application/scim+json` or
/// `application/json`; too large is 413, another media type 415, anything but a JSON
/// object 400 `invalidSyntax`.
pub fn body(req: &Request) -> Result<Map<String, Value>, ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
        let media = ct
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if media != "application/json" && media != SCIM_MEDIA_TYPE {
            return Err(ApiError::unsupported_media_type());
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid_syntax("The body must be a JSON object")),
        Err(e) if bytes.iter().all(u8::is_ascii_whitespace) => {
            let _ = e;
            Err(ApiError::invalid_syntax("A JSON body is required"))
        }
        Err(e) => Err(ApiError::invalid_syntax(format!(
            "Malformed JSON at line {} column {}",
            e.line(),
            e.column()
        ))),
    }
}

/// The service's base URL as the caller reached it (for `meta.location`): the
/// `Host` header, over HTTPS unless `X-Forwarded-Proto` says otherwise or the host is
/// a local one.
pub fn base_url(req: &Request) -> String {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let host = header("host")
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let local = host.starts_with("localhost") || host.starts_with("127.0.0.1");
    let proto = match header("x-forwarded-proto") {
        Some("http") => "http",
        Some(_) => "https",
        None if local => "http",
        None => "https",
    };
    format!("{proto}://{host}")
}

/// The query of a SCIM request, holding the parameters of `accepted`; others are
/// ignored, as identity providers send their own (Entra ID's `aadOptscim062020`).
pub fn query(req: &Request, accepted: &[&str]) -> Result<Query, ApiError> {
    Query::parse_as(req, accepted, false)
}

/// `attributes` and `excludedAttributes` of the query.
pub fn projection(rt: &schema::ResourceType, query: &Query) -> Result<doc::Projection, ApiError> {
    doc::Projection::new(rt, query.get("attributes"), query.get("excludedAttributes"))
}

/// The weak ETag of a version, as `meta.version` and the `ETag` header carry it.
pub fn version_tag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// A SCIM answer: `status` with `body` as `application/scim+json`, the `ETag` of
/// `version` when there is one, and `Location` on 201.
pub fn respond(
    status: StatusCode,
    body: &Value,
    tag: Option<&str>,
    location: Option<&str>,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = http::Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_MEDIA_TYPE),
    );
    if let Some(v) = tag.and_then(|t| HeaderValue::from_str(t).ok()) {
        headers.insert(header::ETAG, v);
    }
    if let Some(l) = location
        .filter(|_| status == StatusCode::CREATED)
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        headers.insert(header::LOCATION, l);
    }
    // A resource's `meta.location` is its `Content-Location` (RFC 7643 §3.1).
    if let Some(l) = body["meta"]["location"]
        .as_str()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        headers.insert(header::CONTENT_LOCATION, l);
    }
    resp
}

/// 204, as DELETE answers.
pub fn no_content() -> Response {
    crate::http::no_content()
}

/// 204 with the `ETag` of `version`: a write whose resource is not sent back.
pub fn written(version: i64) -> Response {
    let mut resp = no_content();
    if let Ok(v) = HeaderValue::from_str(&version_tag(version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// The `meta` of a resource whose entity tag is `tag`.
pub fn meta(
    resource_type: &str,
    created: &str,
    modified: &str,
    location: &str,
    tag: &str,
) -> Value {
    serde_json::json!({
        "resourceType": resource_type,
        "created": created,
        "lastModified": modified,
        "location": location,
        "version": tag,
    })
}

/// The `{id}` of a resource's route, as given.
pub fn resource_id(req: &Request) -> String {
    crate::http::path_param(req, "id")
}

/// Whether `If-None-Match` names `tag` (or is `*`): a read then answers 304.
fn not_modified(req: &Request, tag: &str) -> bool {
    let Some(raw) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    raw.split(',')
        .map(str::trim)
        .any(|t| t == "*" || opaque_tag(t) == opaque_tag(tag))
}

/// The answer to a read of a resource whose entity tag is `tag`: 200 with `body` and
/// its ETag, or 304 (RFC 7644 §3.14) when the caller's `If-None-Match` already holds it.
pub fn read(req: &Request, body: &Value, tag: &str) -> Response {
    if not_modified(req, tag) {
        // The headers the 200 would have sent (RFC 7232 §4.1), Content-Location too.
        let mut resp = respond(StatusCode::NOT_MODIFIED, body, Some(tag), None);
        *resp.body_mut() = Body::Empty;
        resp.headers_mut().remove(header::CONTENT_TYPE);
        return resp;
    }
    respond(StatusCode::OK, body, Some(tag), None)
}

/// The list a `GET` on a collection asks for (its query).
pub fn list_request(req: &Request) -> Result<list::ListRequest, ApiError> {
    list::ListRequest::from_query(&query(req, &list::LIST_PARAMETERS)?)
}

/// The list a `POST .search` asks for (its body; it takes no query).
pub fn search_request(req: &Request) -> Result<list::ListRequest, ApiError> {
    query(req, &[])?;
    list::ListRequest::from_search(&body(req)?)
}

/// The request of a discovery route (RFC 7644 §4): paging is served, a `filter` is 403
/// (the documents are not filtered, so none may seem to match one).
pub fn discovery_request(req: &Request) -> Result<list::ListRequest, ApiError> {
    let asked = list_request(req)?;
    if asked.filter.is_some() {
        return Err(ApiError::discovery_filter());
    }
    Ok(asked)
}

/// A discovery list (`/Schemas`, `/ResourceTypes`): all of `docs`, paged as asked.
pub fn discovery_list(req: &Request, docs: Vec<Value>) -> Result<Response, ApiError> {
    let asked = discovery_request(req)?;
    let total = docs.len() as i64;
    let page = docs
        .into_iter()
        .skip(asked.start_index - 1)
        .take(asked.count)
        .collect();
    let body = list::response(total, asked.start_index, page);
    Ok(respond(StatusCode::OK, &body, None, None))
}
