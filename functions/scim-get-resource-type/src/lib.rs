//! `GET /scim/v2/ResourceTypes/{name}`: one resource type, by name (`User`, `Group`;
//! case-insensitively), else 404.

use shared::http::{path_param, StatusCode};
use shared::scim::{self, schema};
use shared::{ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    scim::discovery_request(&req)?;
    let name = path_param(&req, "name");
    let found = schema::RESOURCE_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(&name))
        .ok_or_else(|| ApiError::not_found("resource type", &name))?;
    let doc = found.document(&scim::base_url(&req));
    Ok(scim::respond(StatusCode::OK, &doc, None, None))
}
