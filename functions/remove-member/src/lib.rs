//! `DELETE /v1/workspaces/{wid}/members/{uid}`: remove a member. Global admins, the
//! workspace's admins, and members leaving by themselves; never the last admin of a
//! workspace that keeps other members.

use shared::activity::{kind, NewActivity};
use shared::http::{no_content, path_uuid};
use shared::store::{label, ws_label};
use shared::users::{conflict_error, RACE_RETRIES};
use shared::workspaces::{manages, visible_workspace};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let ws = visible_workspace(ctx, &caller, &req).await?;
    let uid = path_uuid(&req, "uid", "member")?;
    if !manages(&caller, ws.workspace_id) && uid != caller.id() {
        return Err(ApiError::forbidden("workspace:members:write"));
    }
    for _ in 0..RACE_RETRIES {
        let not_member = || ApiError::not_found("member", &uid.to_string());
        let member = ctx
            .store
            .get_member(ws.workspace_id, uid)
            .await?
            .ok_or_else(not_member)?;
        let user = ctx.store.get_user(uid).await?.ok_or_else(not_member)?;
        let activity = NewActivity::new(kind::MEMBER_REMOVED, uid, caller.id())
            .in_workspace(ws.workspace_id, &ws.name)
            .with_data(serde_json::json!({ "role": member.role }));
        match ctx
            .store
            .remove_member(
                &ws,
                &user,
                &member,
                activity,
                ctx.config.activity_retention_days,
            )
            .await
        {
            Ok(()) => return Ok(no_content()),
            Err(e) if e.failed(label::LAST_ADMIN) => return Err(conflict_error(e)),
            Err(e)
                if e.failed(label::PROFILE)
                    || e.failed(ws_label::MEMBER)
                    || e.failed(ws_label::WORKSPACE) =>
            {
                continue
            }
            Err(e) => return Err(conflict_error(e)),
        }
    }
    Err(ApiError::busy())
}
