//! The catch-all route: 405 `METHOD_NOT_ALLOWED` (with `Allow`) for a path the API
//! serves with other methods, 404 `RESOURCE_NOT_FOUND` for any other path. Its route
//! table is read from `template.yaml`, compiled in.

use std::sync::OnceLock;

use shared::{ApiError, ApiResult, Ctx, Request};

const TEMPLATE: &str = include_str!("../../../template.yaml");

/// (method, path pattern) of every route, scanned from the template's `Path:` and
/// `Method:` lines (each event lists its path, then its method).
fn routes() -> &'static Vec<(String, String)> {
    static ROUTES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut out = Vec::new();
        let mut path: Option<String> = None;
        for line in TEMPLATE.lines().map(str::trim) {
            if let Some(p) = line.strip_prefix("Path:") {
                path = Some(p.trim().trim_matches('"').to_string());
            } else if let Some(m) = line.strip_prefix("Method:") {
                if let Some(p) = path.take().filter(|p| p.starts_with('/')) {
                    out.push((m.trim().to_uppercase(), p));
                }
            }
        }
        out
    })
}

fn matches(pattern: &str, path: &str) -> bool {
    let (p, a): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == a.len()
        && p.iter()
            .zip(&a)
            .all(|(p, a)| (p.starts_with('{') && !a.is_empty()) || p == a)
}

pub async fn handler(_ctx: &Ctx, req: Request) -> ApiResult {
    let path = req.uri().path().to_string();
    let mut allowed: Vec<&str> = routes()
        .iter()
        .filter(|(_, p)| matches(p, &path))
        .map(|(m, _)| m.as_str())
        .collect();
    allowed.sort();
    allowed.dedup();
    if allowed.is_empty() {
        Err(ApiError::no_route(&path))
    } else {
        Err(ApiError::method_not_allowed(&allowed))
    }
}
