//! `PUT /v1/workspaces/{wid}/groups/{gid}` `{"role"}`: grant a group a role on a
//! workspace, or change it (global admins). Answers the grant with its `status`:
//! `active` once every member holds it, `applying` while a large group is worked on.

use shared::http::{body_fields, ok, path_uuid, Query};
use shared::model::GrantView;
use shared::types::WsRole;
use shared::workspaces::granting_workspace;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = granting_workspace(ctx, &caller, &req).await?;
    let gid = path_uuid(&req, "gid", "group")?;
    let f = body_fields(&req)?;
    let role = f.required("role", WsRole::parse);
    let role = f.finish(role)?;
    let group = ctx
        .store
        .live_group(gid)
        .await?
        .ok_or_else(|| ApiError::not_found("group", &gid.to_string()))?;
    let grant = ctx
        .store
        .grant_group(&ws, &group, role, caller.id())
        .await?;
    Ok(ok(&GrantView::new(&grant, &group.name)))
}
