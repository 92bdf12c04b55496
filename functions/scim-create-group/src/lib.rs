//! `POST /scim/v2/Groups`: pushes a group with its members (RFC 7644 §3.3); 201 with
//! the group, its `Location` and ETag. A `displayName` or `externalId` taken is 409
//! `uniqueness`; a member that is no user is 400 `invalidValue`.

use shared::http::StatusCode;
use shared::scim::{self, groups, schema::GROUP_TYPE};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let actor = scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&GROUP_TYPE, &query)?;
    let group = groups::create(ctx, &actor, &scim::body(&req)?).await?;
    let base = scim::base_url(&req);
    let doc = groups::render(ctx, &group, &projection, &base).await?;
    let location = groups::location(&base, group.group_id);
    Ok(scim::respond(
        StatusCode::CREATED,
        &doc,
        Some(&scim::version_tag(group.version)),
        Some(&location),
    ))
}
