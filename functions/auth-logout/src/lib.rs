//! `DELETE /v1/auth/token`: revoke the token that made the call.

use shared::http::no_content;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    caller.revoke_token(ctx).await?;
    Ok(no_content())
}
