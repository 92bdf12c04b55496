//! `DELETE /scim/v2/Groups/{id}`: deletes the group (RFC 7644 §3.6) and, as the `/v1`
//! delete does, its memberships and grants; 204, then 404. A stale `If-Match` is 412.

use shared::http::IfMatch;
use shared::scim::{self, groups};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let actor = scim::authenticate(ctx, &req).await?;
    scim::query(&req, &[])?;
    groups::delete(ctx, &actor, &scim::resource_id(&req), &IfMatch::of(&req)).await?;
    Ok(scim::no_content())
}
