//! `GET /scim/v2/ResourceTypes`: the resource types served, `User` (with the
//! enterprise extension) and `Group` (RFC 7643 §6).

use shared::scim::{self, schema};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let base = scim::base_url(&req);
    let docs = schema::RESOURCE_TYPES
        .iter()
        .map(|t| t.document(&base))
        .collect();
    scim::discovery_list(&req, docs)
}
