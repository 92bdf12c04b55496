//! `PATCH /scim/v2/Users/{id}`: the `PatchOp` operations applied as one change (RFC
//! 7644 §3.5.2), all or none; 200 with the user. `active` false deactivates and
//! revokes the user's tokens; a stale `If-Match` is 412.

use shared::http::{IfMatch, StatusCode};
use shared::scim::{self, schema::USER_TYPE, users};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let actor = scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&USER_TYPE, &query)?;
    let body = scim::body(&req)?;
    let id = scim::resource_id(&req);
    let user = users::patch(ctx, &actor, &id, &body, &IfMatch::of(&req)).await?;
    let (doc, tag) = users::render(ctx, &user, &projection, &scim::base_url(&req)).await?;
    Ok(scim::respond(StatusCode::OK, &doc, Some(&tag), None))
}
