//! `POST /v1/provisioning-tokens` `{"name"}`: a bearer token for an identity provider's
//! SCIM client, shown once (global admins).

use shared::http::{body_fields, created, with_location, Query};
use shared::types::workspace_name;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    if !caller.is_admin() {
        return Err(ApiError::forbidden("provisioning:write"));
    }
    let f = body_fields(&req)?;
    let name = f.required("name", workspace_name);
    let name = f.finish(name)?;
    let (record, token) = auth::issue_provisioning_token(ctx, &name, Some(caller.id())).await?;
    let location = format!("/v1/provisioning-tokens/{}", record.token_id);
    let body = serde_json::json!({
        "token_id": record.token_id,
        "name": record.name,
        "token": token,
        "created_at": record.created_at,
        "created_by": record.created_by,
    });
    Ok(with_location(created(&body), &location))
}
