//! `DELETE /v1/provisioning-tokens/{tid}`: revoke a provisioning token (global admins);
//! an identity provider using it gets 401 from then on.

use shared::http::{no_content, path_uuid, Query};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    if !caller.is_admin() {
        return Err(ApiError::forbidden("provisioning:write"));
    }
    let tid = path_uuid(&req, "tid", "provisioning_token")?;
    ctx.store
        .revoke_provisioning_token(tid, caller.id())
        .await?;
    Ok(no_content())
}
