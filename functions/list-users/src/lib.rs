//! `GET /v1/users`: a filtered, sorted page of users with a signed cursor. Pages come
//! from the directory indexes of one partition (a workspace, or everyone for admins).

use serde_json::json;
use shared::http::{ok, Query};
use shared::keys;
use shared::model::{Status, UserView, WsRole};
use shared::store::{DirectoryQuery, RoleFilter, SortField};
use shared::validate::parse_uuid;
use shared::{auth, cursor, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let query = Query::parse(&req)?;
    let workspace = query.parse_opt("workspace_id", parse_uuid, "a UUID")?;
    let workspace = match workspace {
        Some(wid) => {
            let member = caller.user.memberships.contains_key(&wid);
            if !caller.is_admin() && !member {
                return Err(ApiError::forbidden("workspace:members:read"));
            }
            let ws = ctx
                .store
                .get_workspace(wid)
                .await?
                .ok_or_else(|| ApiError::not_found("workspace", &wid.to_string()))?;
            Some(ws)
        }
        None if caller.is_admin() => None,
        None => {
            return Err(ApiError::bad_query(
                "workspace_id",
                "Query parameter 'workspace_id' is required",
            ))
        }
    };
    let role = match (query.get("role"), &workspace) {
        (None, _) => None,
        (Some(r), Some(_)) => Some(RoleFilter::Workspace(WsRole::parse(r).ok_or_else(
            || ApiError::bad_query("role", "'role' must be admin, editor or viewer"),
        )?)),
        (Some(r), None) => {
            let valid = shared::validate::roles(&json!([r]))
                .map_err(|_| ApiError::bad_query("role", "'role' is not a valid role name"))?;
            valid.into_iter().next().map(RoleFilter::Global)
        }
    };
    let status = query.parse_opt("status", Status::parse, "active, suspended or deactivated")?;
    let search = match query.get("search").map(|s| s.trim().to_lowercase()) {
        Some(s) if s.chars().count() > 100 => {
            return Err(ApiError::bad_query(
                "search",
                "'search' may have at most 100 characters",
            ))
        }
        Some(s) if !s.is_empty() => Some(s),
        _ => None,
    };
    let ids = query.uuid_list("ids", 50)?;
    let sort = query
        .parse_opt(
            "sort_by",
            SortField::parse,
            "created_at, updated_at, email, username or last_name",
        )?
        .unwrap_or(SortField::CreatedAt);
    let descending = query
        .parse_opt(
            "sort_order",
            |v| match v {
                "asc" => Some(false),
                "desc" => Some(true),
                _ => None,
            },
            "asc or desc",
        )?
        .unwrap_or(false);
    let limit = query.int("limit", 1, 200, 50)? as usize;
    let binding = format!(
        "users:{}:{}",
        caller.id(),
        query.canonical_without(&["cursor", "limit"])
    );
    let start = match query.get("cursor") {
        Some(c) => Some(cursor::decode(&ctx.config.cursor_secret, &binding, c)?),
        None => None,
    };
    let dir = match &workspace {
        Some(ws) => keys::dir_workspace(ws.workspace_id),
        None => keys::DIR_ALL.to_string(),
    };
    let q = DirectoryQuery {
        dir,
        sort,
        descending,
        status,
        role,
        search,
        ids,
    };
    let page = ctx.store.directory_page(&q, limit, start).await?;
    let total = match (&workspace, q.has_filters()) {
        (Some(ws), false) => ws.member_count,
        (None, false) => ctx.store.user_count().await?,
        _ => ctx.store.directory_count(&q).await?,
    };
    let users: Vec<UserView> = ctx
        .store
        .get_users(&page.user_ids)
        .await?
        .iter()
        .map(UserView::from)
        .collect();
    let next_cursor = page
        .last_key
        .as_ref()
        .map(|k| cursor::encode(&ctx.config.cursor_secret, &binding, k));
    Ok(ok(&json!({
        "total": total,
        "has_more": next_cursor.is_some(),
        "next_cursor": next_cursor,
        "users": users,
    })))
}
