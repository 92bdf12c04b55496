//! `PUT /v1/workspaces/{wid}/members/{uid}` `{"role"}`: add a member or change its
//! role. Global admins and the workspace's admins only; the last admin cannot be
//! demoted.

use shared::activity::{kind, NewActivity};
use shared::http::{json_body, ok, path_uuid};
use shared::model::MemberRecord;
use shared::store::{label, ws_label, MAX_MEMBERSHIPS};
use shared::users::{conflict_error, RACE_RETRIES};
use shared::validate::{ws_role, Fields};
use shared::workspaces::{manages, member_json, visible_workspace};
use shared::{auth, time, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let mut ws = visible_workspace(ctx, &caller, &req).await?;
    if !manages(&caller, ws.workspace_id) {
        return Err(ApiError::forbidden("workspace:members:write"));
    }
    let uid = path_uuid(&req, "uid", "user")?;
    let mut f = Fields::new(json_body(&req)?)?;
    let role = f.required("role", ws_role);
    f.finish()?;
    let Some(role) = role else {
        return Err(ApiError::internal("validated field missing"));
    };
    for _ in 0..RACE_RETRIES {
        let user = ctx
            .store
            .get_user(uid)
            .await?
            .ok_or_else(|| ApiError::not_found("user", &uid.to_string()))?;
        let existing = ctx.store.get_member(ws.workspace_id, uid).await?;
        let result = match &existing {
            Some(m) if m.role == role => return Ok(ok(&member_json(m))),
            Some(m) => {
                let activity = NewActivity::new(kind::ROLE_CHANGED, uid, caller.id())
                    .in_workspace(ws.workspace_id, &ws.name)
                    .with_data(serde_json::json!({ "from": m.role, "to": role }));
                let changed = MemberRecord { role, ..m.clone() };
                ctx.store
                    .change_role(
                        &ws,
                        &user,
                        m,
                        role,
                        activity,
                        ctx.config.activity_retention_days,
                    )
                    .await
                    .map(|_| changed)
            }
            None => {
                if user.memberships.len() >= MAX_MEMBERSHIPS {
                    return Err(ApiError::conflict(
                        "memberships",
                        format!("A user may belong to at most {MAX_MEMBERSHIPS} workspaces"),
                    ));
                }
                let member = MemberRecord {
                    workspace_id: ws.workspace_id,
                    user_id: uid,
                    role,
                    joined_at: time::now_rfc3339(),
                };
                let activity = NewActivity::new(kind::MEMBER_ADDED, uid, caller.id())
                    .in_workspace(ws.workspace_id, &ws.name)
                    .with_data(serde_json::json!({ "role": role }));
                ctx.store
                    .add_member(
                        &ws,
                        &user,
                        &member,
                        activity,
                        ctx.config.activity_retention_days,
                    )
                    .await
                    .map(|_| member)
            }
        };
        match result {
            Ok(m) => return Ok(ok(&member_json(&m))),
            Err(e) if e.failed(label::LAST_ADMIN) => return Err(conflict_error(e)),
            Err(e) if e.failed(ws_label::WORKSPACE) => {
                return Err(ApiError::not_found(
                    "workspace",
                    &ws.workspace_id.to_string(),
                ))
            }
            Err(e) if e.failed(label::PROFILE) || e.failed(ws_label::MEMBER) => {
                ws = ctx
                    .store
                    .get_workspace(ws.workspace_id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::not_found("workspace", &ws.workspace_id.to_string())
                    })?;
            }
            Err(e) => return Err(conflict_error(e)),
        }
    }
    Err(ApiError::busy())
}
