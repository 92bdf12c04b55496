//! `GET /scim/v2/ServiceProviderConfig`: what this service implements of SCIM (RFC
//! 7643 §5), truly: PATCH, filters (200 at most), ETags and password changes; no bulk
//! and no sorting.

use shared::http::StatusCode;
use shared::scim::{self, schema};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    scim::discovery_request(&req)?;
    let doc = schema::service_provider_config(&scim::base_url(&req));
    Ok(scim::respond(StatusCode::OK, &doc, None, None))
}
