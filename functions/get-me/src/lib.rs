//! `GET /v1/users/me`: the calling user.

use shared::auth::View;
use shared::http::StatusCode;
use shared::users::user_response;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    Ok(user_response(StatusCode::OK, &caller.user, View::Full))
}
