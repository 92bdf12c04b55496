//! `GET /scim/v2/Groups`: groups by `filter`, paged by `startIndex` and `count` (RFC
//! 7644 §3.4.2), with their members unless excluded; a page past 5 MB with members is
//! 400 `tooMany`.

use shared::http::StatusCode;
use shared::scim::{self, list};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let page = list::group_page(ctx, &scim::list_request(&req)?, &scim::base_url(&req)).await?;
    Ok(scim::respond(StatusCode::OK, &page, None, None))
}
