//! `GET /v1/users/{id}/storage?limit=&cursor=`: quota, usage and a page of the counted
//! files.

use serde_json::Value;
use shared::http::{ok, Query};
use shared::paging::Cursors;
use shared::users::private_user;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req, "storage:read").await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "files", user.user_id);
    let page = cursors.request(&query, 50, 200)?;
    let files = ctx.store.files_page(user.user_id, &page).await?;
    let mut body = cursors.body("files", files);
    body.insert("user_id".into(), Value::String(user.user_id.to_string()));
    body.insert("disk_space".into(), user.disk_space.into());
    body.insert("disk_space_used".into(), user.disk_space_used.into());
    body.insert("unlimited".into(), user.is_admin().into());
    Ok(ok(&body))
}
