//! `POST /v1/invitations/{iid}/decline`: the addressee declines; for anyone else, and
//! for an invitation accepted, declined, revoked or expired, 404.

use shared::http::no_content;
use shared::invitations::addressed_invitation;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let inv = addressed_invitation(ctx, &caller, &req).await?;
    ctx.store.decline_invitation(&inv, caller.id()).await?;
    Ok(no_content())
}
