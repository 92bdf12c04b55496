//! `DELETE /v1/users/{id}`: the user itself or an admin removes the user and all it
//! owns. The first step is one transaction (profile, guards, memberships, counts) that
//! leaves a tombstone; the bulk clean-up follows, and a retried DELETE finishes it.

use shared::http::{no_content, IfMatch};
use shared::users::{target_id, visible_user};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let id = target_id(&req, &caller)?;
    if !caller.is_admin() {
        visible_user(ctx, &caller, id).await?;
        if id != caller.id() {
            return Err(ApiError::forbidden("users:delete"));
        }
    }
    let if_match = IfMatch::of(&req);
    ctx.store
        .delete_user(id, |user| if_match.check(user.version))
        .await?;
    Ok(no_content())
}
