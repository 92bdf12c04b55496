//! `DELETE /v1/users/{id}`: the user itself or an admin removes the user and all it
//! owns. The first step is one transaction (profile, guards, memberships, counts) that
//! leaves a tombstone; the bulk clean-up follows, and a retried DELETE finishes it.

use shared::http::{check_if_match, no_content};
use shared::store::{label, TxError};
use shared::users::{conflict_error, target_id, visible_user, RACE_RETRIES};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let id = target_id(&req, &caller)?;
    if !caller.is_admin() {
        visible_user(ctx, &caller, id).await?;
        if id != caller.id() {
            return Err(ApiError::forbidden("users:delete"));
        }
    }
    for _ in 0..RACE_RETRIES {
        let Some(user) = ctx.store.get_user(id).await? else {
            if ctx.store.delete_pending(id).await? {
                ctx.store.finish_delete(id).await?;
                return Ok(no_content());
            }
            return Err(ApiError::not_found("user", &id.to_string()));
        };
        check_if_match(&req, user.version)?;
        let ids: Vec<_> = user.memberships.keys().copied().collect();
        let workspaces = ctx.store.get_workspaces(&ids).await?;
        match ctx.store.begin_delete(&user, &workspaces).await {
            Ok(()) => {
                ctx.store.finish_delete(id).await?;
                return Ok(no_content());
            }
            Err(TxError::Failed(f))
                if f.contains(&label::PROFILE) && !f.contains(&label::LAST_ADMIN) =>
            {
                continue
            }
            Err(e) => return Err(conflict_error(e)),
        }
    }
    Err(ApiError::busy())
}
