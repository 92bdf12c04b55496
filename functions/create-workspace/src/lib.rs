//! `POST /v1/workspaces`: create a workspace; the caller becomes its admin.

use serde_json::Value;
use shared::activity::{kind, NewActivity};
use shared::http::{created, json_body, with_location};
use shared::model::{WorkspaceRecord, WorkspaceView};
use shared::store::{label, MAX_MEMBERSHIPS};
use shared::users::{conflict_error, RACE_RETRIES};
use shared::validate::{workspace_name, Fields};
use shared::{auth, time, ApiError, ApiResult, Ctx, Request};
use uuid::Uuid;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let mut f = Fields::new(json_body(&req)?)?;
    let name = f.required("name", workspace_name);
    f.finish()?;
    let Some(name) = name else {
        return Err(ApiError::internal("validated field missing"));
    };
    let mut creator = caller.user.clone();
    for _ in 0..RACE_RETRIES {
        if creator.memberships.len() >= MAX_MEMBERSHIPS {
            return Err(ApiError::conflict(
                "memberships",
                format!("A user may belong to at most {MAX_MEMBERSHIPS} workspaces"),
            ));
        }
        let ws = WorkspaceRecord {
            workspace_id: Uuid::new_v4(),
            name: name.clone(),
            created_at: time::now_rfc3339(),
            created_by: caller.id(),
            member_count: 1,
            admin_count: 1,
        };
        let activity = NewActivity::new(kind::WORKSPACE_CREATED, caller.id(), caller.id())
            .in_workspace(ws.workspace_id, &ws.name)
            .with_data(serde_json::json!({ "name": ws.name }));
        match ctx
            .store
            .create_workspace(&ws, &creator, activity, ctx.config.activity_retention_days)
            .await
        {
            Ok(_) => {
                let body: Value =
                    serde_json::to_value(WorkspaceView::from(&ws)).unwrap_or_default();
                return Ok(with_location(
                    created(&body),
                    &format!("/v1/workspaces/{}", ws.workspace_id),
                ));
            }
            Err(e) if e.failed(label::PROFILE) => {
                creator = ctx
                    .store
                    .get_user(caller.id())
                    .await?
                    .ok_or_else(ApiError::unauthenticated)?;
            }
            Err(e) => return Err(conflict_error(e)),
        }
    }
    Err(ApiError::busy())
}
