//! `POST /scim/v2/.search`: users and groups together (RFC 7644 §3.4.3), users first,
//! as one list paged by `startIndex` and `count`.

use shared::http::StatusCode;
use shared::scim::{self, list};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let page = list::search_all(ctx, &scim::search_request(&req)?, &scim::base_url(&req)).await?;
    Ok(scim::respond(StatusCode::OK, &page, None, None))
}
