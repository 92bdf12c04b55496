//! `GET /scim/v2/Schemas/{urn}`: one schema, by its URN (case-insensitively), else
//! 404.

use shared::http::{path_param, StatusCode};
use shared::scim::{self, schema};
use shared::{ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    scim::discovery_request(&req)?;
    let urn = path_param(&req, "urn");
    let found = schema::SCHEMAS
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(&urn))
        .ok_or_else(|| ApiError::not_found("schema", &urn))?;
    let doc = found.document(&scim::base_url(&req));
    Ok(scim::respond(StatusCode::OK, &doc, None, None))
}
