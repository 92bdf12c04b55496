//! `PATCH /scim/v2/Groups/{id}`: the `PatchOp` operations (RFC 7644 §3.5.2); changes
//! to the group's own attributes apply all or none, member changes completely (past
//! one transaction, resumably). 200 with the group, or 204 (with its `ETag`) when its
//! members would pass 5 MB, so they are not read; a stale `If-Match` is 412.

use shared::http::{IfMatch, StatusCode};
use shared::scim::{self, groups, schema::GROUP_TYPE};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let actor = scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&GROUP_TYPE, &query)?;
    let body = scim::body(&req)?;
    let id = scim::resource_id(&req);
    let group = groups::patch(ctx, &actor, &id, &body, &IfMatch::of(&req)).await?;
    if !groups::fits(&group, &projection) {
        return Ok(scim::written(group.version));
    }
    let doc = groups::render(ctx, &group, &projection, &scim::base_url(&req)).await?;
    Ok(scim::respond(
        StatusCode::OK,
        &doc,
        Some(&scim::version_tag(group.version)),
        None,
    ))
}
