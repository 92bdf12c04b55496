//! `GET /v1/users/{id}`: one user the caller may see (`{id}` may be `me`), read in the
//! same round trip as the caller.

use shared::http::StatusCode;
use shared::users::{path_user, target_id, user_response, visible_user_in};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let (caller, prefetched) = auth::authenticate_with(ctx, &req, path_user(&req)).await?;
    let id = target_id(&req, &caller)?;
    let user = visible_user_in(ctx, &caller, id, prefetched.user).await?;
    Ok(user_response(StatusCode::OK, &user, caller.view_of(&user)))
}
