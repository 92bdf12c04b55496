//! `GET /v1/users/{id}`: one user the caller may see (`{id}` may be `me`).

use shared::http::StatusCode;
use shared::users::{target_id, user_response, visible_user};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let id = target_id(&req, &caller)?;
    let user = visible_user(ctx, &caller, id).await?;
    Ok(user_response(StatusCode::OK, &user, caller.view_of(&user)))
}
