//! Invitation rules shared by the invitation endpoints: which invitation the addressee
//! names, and invitations as they are shown.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{path_uuid, Request};
use crate::model::{InvitationRecord, InvitationView};
use crate::paging::Page;
use crate::Ctx;

/// The pending invitation `{iid}` names, if it is addressed to the caller's current
/// email; for anyone else, and once it is used, revoked or expired, 404.
pub async fn addressed_invitation(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<InvitationRecord, ApiError> {
    let iid = path_uuid(req, "iid", "invitation")?;
    ctx.store
        .invitation_to(&caller.user.email, iid)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation", &iid.to_string()))
}

/// A page of invitations as shown, each with its workspace's current name; those whose
/// workspace is gone are left out.
pub async fn invitation_views(
    ctx: &Ctx,
    page: Page<InvitationRecord>,
) -> Result<Page<InvitationView>, ApiError> {
    let ids: Vec<_> = page.items.iter().map(|i| i.workspace_id).collect();
    let workspaces = ctx.store.get_workspaces(&ids).await?;
    let items = page
        .items
        .iter()
        .filter_map(|i| {
            let ws = workspaces
                .iter()
                .find(|w| w.workspace_id == i.workspace_id)?;
            Some(InvitationView::new(i, &ws.name))
        })
        .collect();
    Ok(Page {
        items,
        next: page.next,
    })
}
