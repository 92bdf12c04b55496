//! `GET /scim/v2/Users/{id}`: a user as SCIM shows it (RFC 7644 §3.4.1), its ETag the
//! user's version; `If-None-Match` on it answers 304.

use shared::scim::{self, schema::USER_TYPE, users};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&USER_TYPE, &query)?;
    let user = users::get(ctx, &scim::resource_id(&req)).await?;
    let (doc, tag) = users::render(ctx, &user, &projection, &scim::base_url(&req)).await?;
    Ok(scim::read(&req, &doc, &tag))
}
