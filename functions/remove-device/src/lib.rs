//! `DELETE /v1/users/{id}/device`: remove a user's signing device; the user itself or
//! a global admin. A user without one is 404.

use shared::http::no_content;
use shared::users::{self, changeable_user};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let target = changeable_user(ctx, &caller, &req).await?;
    users::set_device(ctx, &caller, target, None).await?;
    Ok(no_content())
}
