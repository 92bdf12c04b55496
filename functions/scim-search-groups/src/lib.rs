//! `POST /scim/v2/Groups/.search`: the list of `GET /Groups`, asked for by a
//! `SearchRequest` body (RFC 7644 §3.4.3).

use shared::http::StatusCode;
use shared::scim::{self, list};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    scim::authenticate(ctx, &req).await?;
    let page = list::group_page(ctx, &scim::search_request(&req)?, &scim::base_url(&req)).await?;
    Ok(scim::respond(StatusCode::OK, &page, None, None))
}
