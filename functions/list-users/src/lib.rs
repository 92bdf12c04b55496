//! `GET /v1/users`: a filtered, sorted page of users with a signed cursor. Pages come
//! from the directory indexes of one directory (a workspace, or everyone for admins and
//! `view_all` users). Each user comes as the caller may see it (full or public); an
//! operator without `view_all` finds only itself. Filters on what only the full view
//! shows (a global `role`, `device_type`) are for global admins: 403 for others.

use shared::http::{ok, Query};
use shared::paging::{Cursors, Page, PageNumber};
use shared::store::{Directory, DirectoryQuery, RoleFilter, SortField};
use shared::types::{parse_uuid, role_name, Status, WsRole};
use shared::users::{MemberBody, UserBody};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

/// How far a filtered `total` is counted.
const MAX_COUNTED: i64 = 10_000;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(
        &req,
        &[
            "workspace_id",
            "role",
            "status",
            "search",
            "ids",
            "sort_by",
            "sort_order",
            "limit",
            "cursor",
            "page",
            "page_size",
            "device_type",
        ],
    )?;
    let caller = auth::authenticate(ctx, &req).await?;
    let workspace = match query.parse_opt("workspace_id", parse_uuid, "a UUID")? {
        Some(wid) => {
            if !caller.is_admin() && !caller.user.memberships.contains_key(&wid) {
                return Err(ApiError::forbidden("workspace:members:read"));
            }
            let ws = ctx.store.get_workspace(wid).await?;
            Some(ws.ok_or_else(|| ApiError::not_found("workspace", &wid.to_string()))?)
        }
        None if caller.sees_everyone() => None,
        None => {
            return Err(ApiError::bad_query(
                "workspace_id",
                "Query parameter 'workspace_id' is required",
            ))
        }
    };
    let role = match (query.get("role"), &workspace) {
        (None, _) => None,
        (Some(r), Some(_)) => Some(RoleFilter::Workspace(WsRole::parse_str(r).ok_or_else(
            || ApiError::bad_query("role", "'role' must be admin, editor or viewer"),
        )?)),
        (Some(r), None) => Some(RoleFilter::Global(role_name(r).map_err(|_| {
            ApiError::bad_query("role", "'role' must be user, admin or operator")
        })?)),
    };
    let device_type = query.parse_opt(
        "device_type",
        shared::types::known_device_type,
        "one of nano_s, nano_s_plus, nano_x, stax, flex, blue, software",
    )?;
    // Global roles and devices are in the full view only: a filter on them would tell
    // anyone else what the public profiles it gets leave out.
    if !caller.is_admin() {
        if matches!(role, Some(RoleFilter::Global(_))) {
            return Err(ApiError::forbidden_filter("role"));
        }
        if device_type.is_some() {
            return Err(ApiError::forbidden_filter("device_type"));
        }
    }
    let status = query.parse_opt(
        "status",
        Status::parse_str,
        "active, suspended or deactivated",
    )?;
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
    let mut ids = query.uuid_list("ids", 50)?;
    if caller.sees_only_itself() {
        let me = caller.id();
        ids = Some(match ids {
            Some(asked) if !asked.contains(&me) => Vec::new(),
            _ => vec![me],
        });
    }
    let sort = query.parse_opt(
        "sort_by",
        SortField::parse,
        "created_at, updated_at, email, username or last_name",
    )?;
    let descending = query.parse_opt(
        "sort_order",
        |v| match v {
            "asc" => Some(false),
            "desc" => Some(true),
            _ => None,
        },
        "asc or desc",
    )?;
    let cursors =
        Cursors::new(&ctx.config.cursor_secret, "users", caller.id()).with_filters(&query);
    let numbered = PageNumber::from_query(&query)?;
    let page = match numbered {
        Some(n) => n.request(),
        None => cursors.request(&query, 50, 200)?,
    };
    let q = DirectoryQuery {
        dir: workspace.as_ref().map_or(Directory::Everyone, |ws| {
            Directory::Workspace(ws.workspace_id)
        }),
        sort: sort.unwrap_or(SortField::CreatedAt),
        descending: descending.unwrap_or(false),
        status,
        role,
        search,
        ids,
        device_type,
    };
    let found = ctx.store.directory_page(&q, &page).await?;
    // Exact where a counter serves it; a filtered count stops at 10,000.
    let (total, lower_bound) = match (&workspace, q.has_filters()) {
        (Some(ws), false) => (ws.member_count, false),
        (None, false) => (ctx.store.user_count().await?, false),
        _ => ctx.store.directory_count_up_to(&q, MAX_COUNTED).await?,
    };
    let (ids, more, next) = match numbered {
        Some(n) => {
            let (ids, more) = n.items(found);
            (ids, more, None)
        }
        None => (found.items, false, found.next),
    };
    // In a workspace each user comes with its effective role and where it comes from.
    let seen: Vec<serde_json::Value> = match &workspace {
        Some(ws) => ctx
            .store
            .get_users_in(ws.workspace_id, &ids)
            .await?
            .iter()
            .map(|(u, m)| serde_json::to_value(MemberBody::of(&caller, u, m.as_ref())))
            .collect::<Result<_, _>>(),
        None => ctx
            .store
            .get_users(&ids)
            .await?
            .iter()
            .map(|u| serde_json::to_value(UserBody::of(&caller, u)))
            .collect::<Result<_, _>>(),
    }
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut body = match numbered {
        Some(n) => n.body("users", seen, more),
        None => cursors.body("users", Page { items: seen, next }),
    };
    body.insert("total".into(), total.into());
    if lower_bound {
        body.insert("total_is_lower_bound".into(), true.into());
    }
    Ok(ok(&body))
}
