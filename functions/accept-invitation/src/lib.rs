//! `POST /v1/invitations/{iid}/accept`: the addressee joins the workspace with the
//! invited role (a higher role it has is kept) and gets the member object. For anyone
//! else, and for an invitation accepted, declined, revoked or expired, 404.

use shared::http::ok;
use shared::invitations::addressed_invitation;
use shared::workspaces::member_json;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let inv = addressed_invitation(ctx, &caller, &req).await?;
    let member = ctx.store.accept_invitation(&inv, &caller.user).await?;
    Ok(ok(&member_json(&member)))
}
