//! `GET /v1/users/{id}/storage`: quota, usage and the counted files.

use serde_json::json;
use shared::http::ok;
use shared::users::private_user;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req, "storage:read").await?;
    let files = ctx.store.list_files(user.user_id).await?;
    Ok(ok(&json!({
        "user_id": user.user_id,
        "disk_space": user.disk_space,
        "disk_space_used": user.disk_space_used,
        "unlimited": user.is_admin(),
        "files": files,
    })))
}
