//! `GET /v1/users/search?q=&limit=`: case-insensitive prefix search on username,
//! email, first and last name, among the users the caller can see. Each searched
//! field is one index range read per visible directory, so the cost follows `limit`;
//! a caller in more than [`MAX_DIRECTORIES`] workspaces searches the first of them (by
//! id) and gets `X-Result-Truncated: true`.

use serde_json::json;
use shared::http::{ok, with_header, Query};
use shared::model::UserRecord;
use shared::store::Directory;
use shared::users::UserBody;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

/// The most workspace directories one search reads (four index reads each).
pub const MAX_DIRECTORIES: usize = 20;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["q", "limit"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let q = query
        .get("q")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::bad_query("q", "Query parameter 'q' is required"))?;
    if q.chars().count() > 100 {
        return Err(ApiError::bad_query(
            "q",
            "'q' may have at most 100 characters",
        ));
    }
    let limit = query.int("limit", 1, 100, 20)? as usize;
    let dirs: Vec<Directory> = if caller.sees_everyone() {
        vec![Directory::Everyone]
    } else if caller.sees_only_itself() {
        Vec::new()
    } else {
        caller
            .user
            .memberships
            .keys()
            .take(MAX_DIRECTORIES)
            .map(|w| Directory::Workspace(*w))
            .collect()
    };
    let truncated = !caller.sees_everyone() && caller.user.memberships.len() > MAX_DIRECTORIES;
    let mut ids = ctx.store.prefix_search(&dirs, &q, limit).await?;
    ids.insert(caller.id());
    let ids: Vec<_> = ids.into_iter().collect();
    let mut users: Vec<_> = ctx
        .store
        .get_users(&ids)
        .await?
        .into_iter()
        .filter(|u| caller.can_see(u) && matches(u, &q))
        .collect();
    users.sort_by_key(|u| u.username.lower());
    users.truncate(limit);
    let results: Vec<UserBody> = users.iter().map(|u| UserBody::of(&caller, u)).collect();
    let resp = ok(&json!({ "results": results }));
    Ok(if truncated {
        with_header(resp, "x-result-truncated", "true")
    } else {
        resp
    })
}

/// Whether a searched field of `u` starts with the lower-cased `q`.
fn matches(u: &UserRecord, q: &str) -> bool {
    [
        Some(u.username.as_str()),
        Some(u.email.as_str()),
        u.first_name.as_deref(),
        u.last_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|f| f.to_lowercase().starts_with(q))
}
