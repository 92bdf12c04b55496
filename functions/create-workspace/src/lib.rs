//! `POST /v1/workspaces`: create a workspace; the caller becomes its admin.

use shared::http::{body_fields, created, with_location};
use shared::model::WorkspaceView;
use shared::types::{workspace_name, WsRole};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let f = body_fields(&req)?;
    let name = f.required("name", workspace_name);
    let name = f.finish(name)?;
    let ws = ctx
        .store
        .create_workspace(ctx.clock.new_id(), &caller.user, &name)
        .await?;
    let location = format!("/v1/workspaces/{}", ws.workspace_id);
    let view = WorkspaceView::new(&ws, Some(WsRole::Admin));
    Ok(with_location(created(&view), &location))
}
