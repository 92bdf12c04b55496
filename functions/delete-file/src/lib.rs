//! `DELETE /v1/users/{id}/files/{checksum}`: release a counted file.

use shared::http::{no_content, path_param};
use shared::types::Checksum;
use shared::users::changeable_user;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let user = changeable_user(ctx, &caller, &req).await?;
    let raw = path_param(&req, "checksum");
    let checksum = Checksum::parse_str(&raw).map_err(|_| ApiError::not_found("file", &raw))?;
    ctx.store
        .delete_file(user.user_id, &checksum, caller.id())
        .await?;
    Ok(no_content())
}
