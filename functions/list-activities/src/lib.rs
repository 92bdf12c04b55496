//! `GET /v1/users/{id}/activities?limit=&cursor=`: a user's feed, newest first.

use serde_json::json;
use shared::http::{ok, Query};
use shared::users::private_user;
use shared::{auth, cursor, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req).await?;
    let query = Query::parse(&req)?;
    let limit = query.int("limit", 1, 200, 50)? as usize;
    let binding = format!("activities:{}", user.user_id);
    let start = match query.get("cursor") {
        Some(c) => Some(cursor::decode(&ctx.config.cursor_secret, &binding, c)?),
        None => None,
    };
    let page = ctx
        .store
        .activities_page(user.user_id, limit, start)
        .await?;
    let next_cursor = page
        .last_key
        .as_ref()
        .map(|k| cursor::encode(&ctx.config.cursor_secret, &binding, k));
    Ok(ok(&json!({
        "activities": page.activities,
        "has_more": next_cursor.is_some(),
        "next_cursor": next_cursor,
    })))
}
