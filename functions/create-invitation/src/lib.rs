//! `POST /v1/workspaces/{wid}/invitations` `{"email", "role"}`: invite an address to a
//! workspace (its admins, global admins). 201 with the new invitation, or 200 when the
//! address had a pending one (renewed: new role and expiry). The answer is the same
//! whether or not an account holds the address.

use shared::http::{body_fields, created, ok, with_location};
use shared::model::InvitationView;
use shared::store::Invited;
use shared::types::{Email, WsRole};
use shared::workspaces::managed_workspace;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = managed_workspace(ctx, &caller, &req, "workspace:members:invite").await?;
    let f = body_fields(&req)?;
    let email = f.required("email", Email::parse);
    let role = f.required("role", WsRole::parse);
    let (email, role) = f.finish((email, role))?;
    let invited = ctx
        .store
        .invite(
            &ws,
            &email,
            role,
            caller.id(),
            ctx.clock.new_id(),
            ctx.config.invitation_ttl_days,
        )
        .await?;
    Ok(match invited {
        Invited::New(inv) => {
            let location = format!(
                "/v1/workspaces/{}/invitations/{}",
                ws.workspace_id, inv.invitation_id
            );
            with_location(created(&InvitationView::new(&inv, &ws.name)), &location)
        }
        Invited::Renewed(inv) => ok(&InvitationView::new(&inv, &ws.name)),
    })
}
