//! `PATCH /v1/workspaces/{wid}` `{"name"}`: rename a workspace (its admins, global
//! admins); answers the workspace.

use shared::http::{body_fields, ok};
use shared::types::workspace_name;
use shared::workspaces::{managed_workspace, workspace_view};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = managed_workspace(ctx, &caller, &req, "workspace:write").await?;
    let f = body_fields(&req)?;
    let name = f.required("name", workspace_name);
    let name = f.finish(name)?;
    let renamed = ctx.store.rename_workspace(&ws, &name, caller.id()).await?;
    Ok(ok(&workspace_view(&caller, &renamed)))
}
