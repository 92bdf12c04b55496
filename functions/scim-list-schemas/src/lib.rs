//! `GET /scim/v2/Schemas`: the schemas served (RFC 7643 §7), exactly as the service
//! stores and checks them.

use shared::scim::{self, schema};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let base = scim::base_url(&req);
    let docs = schema::SCHEMAS.iter().map(|s| s.document(&base)).collect();
    scim::discovery_list(&req, docs)
}
