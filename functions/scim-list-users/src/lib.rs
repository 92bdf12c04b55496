//! `GET /scim/v2/Users`: users by `filter`, paged by `startIndex` and `count` (RFC
//! 7644 §3.4.2); every filter is served by a guard or an index, others are 400
//! `invalidFilter`.

use shared::http::StatusCode;
use shared::scim::{self, list};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let page = list::user_page(ctx, &scim::list_request(&req)?, &scim::base_url(&req)).await?;
    Ok(scim::respond(StatusCode::OK, &page, None, None))
}
