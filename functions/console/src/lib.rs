//! `GET /console/` and `GET /console/{asset}`: the admin console, a page and its
//! scripts embedded in the binary (see `build.rs`). It holds no data: every screen
//! reads the public API with the token the person logged in with, kept in
//! `sessionStorage`. `index.html` is `no-cache`; the assets, whose names carry a hash
//! of their content, are cached for a year.

use std::sync::OnceLock;

use http::{header, HeaderValue, StatusCode};
use shared::http::{path_param, Body, Query};
use shared::{ApiError, ApiResult, Ctx, Request, Response};

/// One embedded file, under its hashed name.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// `index.html` as built, naming the hashed assets; `{{STREAM_BASE}}` is filled in
/// at start.
const INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/index.html"));

/// The origin of the activity stream's function URL (`STREAM_URL`, set by the
/// template), when it is deployed on one: the page may connect there too. Only a
/// plain `http(s)://host[:port]` is taken, so nothing else reaches the header.
pub fn stream_origin(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .map(|r| ("https://", r))
        .or_else(|| url.strip_prefix("http://").map(|r| ("http://", r)))?;
    let host = rest.1.split('/').next()?;
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    ok.then(|| format!("{}{host}", rest.0))
}

struct Page {
    index: String,
    csp: String,
}

fn page() -> &'static Page {
    static PAGE: OnceLock<Page> = OnceLock::new();
    PAGE.get_or_init(|| {
        let origin = std::env::var("STREAM_URL")
            .ok()
            .and_then(|u| stream_origin(&u));
        let base = origin.as_ref().map_or("/".to_string(), |o| format!("{o}/"));
        let connect = origin.map_or("'self'".to_string(), |o| format!("'self' {o}"));
        Page {
            index: INDEX.replace("{{STREAM_BASE}}", &base),
            csp: format!(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src {connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        }
    })
}

fn respond(content_type: &'static str, cache: &'static str, body: Body) -> Response {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&page().csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

pub async fn handler(_ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let path = req.uri().path();
    if path == "/console" {
        let mut resp = respond("text/plain; charset=utf-8", "no-cache", Body::Empty);
        *resp.status_mut() = StatusCode::PERMANENT_REDIRECT;
        resp.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/console/"));
        return Ok(resp);
    }
    let name = path_param(&req, "asset");
    if name.is_empty() || name == "index.html" {
        let body = Body::Text(page().index.clone());
        return Ok(respond("text/html; charset=utf-8", "no-cache", body));
    }
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| ApiError::not_found("asset", &name))?;
    let body = match std::str::from_utf8(asset.body) {
        Ok(text) if asset.content_type.starts_with("text/") => Body::Text(text.to_string()),
        _ => Body::Binary(asset.body.to_vec()),
    };
    Ok(respond(
        asset.content_type,
        "public, max-age=31536000, immutable",
        body,
    ))
}
