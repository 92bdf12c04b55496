//! `GET /scim/v2/Groups/{id}`: a group as SCIM shows it, with its members unless they
//! are excluded (a group whose members would pass 5 MB is 400 `tooMany` unless they
//! are); its ETag the group's version, `If-None-Match` on it answers 304.

use shared::scim::{self, groups, schema::GROUP_TYPE};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&GROUP_TYPE, &query)?;
    let group = groups::get(ctx, &scim::resource_id(&req)).await?;
    groups::check_fits(&group, &projection)?;
    let doc = groups::render(ctx, &group, &projection, &scim::base_url(&req)).await?;
    Ok(scim::read(&req, &doc, &scim::version_tag(group.version)))
}
