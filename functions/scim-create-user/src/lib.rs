//! `POST /scim/v2/Users`: provisions a user (RFC 7644 §3.3); 201 with the user, its
//! `Location` and ETag. A `userName`, email or `externalId` taken is 409 `uniqueness`.

use shared::http::StatusCode;
use shared::scim::{self, schema::USER_TYPE, users};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let actor = scim::authenticate(ctx, &req).await?;
    let query = scim::query(&req, &scim::PROJECTION_PARAMETERS)?;
    let projection = scim::projection(&USER_TYPE, &query)?;
    let user = users::create(ctx, &actor, &scim::body(&req)?).await?;
    let base = scim::base_url(&req);
    let (doc, tag) = users::render(ctx, &user, &projection, &base).await?;
    let location = users::location(&base, user.user_id);
    Ok(scim::respond(
        StatusCode::CREATED,
        &doc,
        Some(&tag),
        Some(&location),
    ))
}
