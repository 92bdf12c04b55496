//! `GET /v1/groups/{gid}`: a group, for its members and global admins (else 404).

use shared::groups::visible_group;
use shared::http::{ok, Query};
use shared::model::GroupView;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = visible_group(ctx, &caller, &req).await?;
    Ok(ok(&GroupView::from(&group)))
}
