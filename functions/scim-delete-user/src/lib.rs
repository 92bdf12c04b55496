//! `DELETE /scim/v2/Users/{id}`: deletes the user fully (RFC 7644 §3.6), as the
//! `/v1` delete does; 204, then 404. A stale `If-Match` is 412.

use shared::http::IfMatch;
use shared::scim::{self, users};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    scim::query(&req, &[])?;
    users::delete(ctx, &scim::resource_id(&req), &IfMatch::of(&req)).await?;
    Ok(scim::no_content())
}
