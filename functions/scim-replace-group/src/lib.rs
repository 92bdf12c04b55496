//! `PUT /scim/v2/Groups/{id}`: the group becomes the document sent, its members
//! included (RFC 7644 §3.5.1); a stale `If-Match` is 412.

use shared::http::IfMatch;
use shared::scim::{self, groups, schema::GROUP_TYPE};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let actor = scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&GROUP_TYPE, &query)?;
    let body = scim::body(&req)?;
    let id = scim::resource_id(&req);
    let group = groups::replace(ctx, &actor, &id, &body, &IfMatch::of(&req)).await?;
    let doc = groups::render(ctx, &group, &projection, &scim::base_url(&req)).await?;
    Ok(scim::respond(
        shared::http::StatusCode::OK,
        &doc,
        Some(&scim::version_tag(group.version)),
        None,
    ))
}
