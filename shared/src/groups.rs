//! Group rules shared by the group endpoints: which group a path names and who may see
//! or manage it.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::{path_uuid, Request};
use crate::model::GroupRecord;
use crate::Ctx;

/// The group `{gid}` names, if the caller may see it (a global admin, or one of its
/// members); otherwise, and for a group being deleted, 404.
pub async fn visible_group(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<GroupRecord, ApiError> {
    let gid = path_uuid(req, "gid", "group")?;
    let gone = || ApiError::not_found("group", &gid.to_string());
    if !caller.is_admin()
        && ctx
            .store
            .get_group_member(gid, caller.id())
            .await?
            .is_none()
    {
        return Err(gone());
    }
    ctx.store.live_group(gid).await?.ok_or_else(gone)
}

/// The group `{gid}` names, if the caller manages groups (global admins): 404 when it
/// may not see it, 403 `groups:write` when it sees it as a member.
pub async fn managed_group(
    ctx: &Ctx,
    caller: &Caller,
    req: &Request,
) -> Result<GroupRecord, ApiError> {
    let group = visible_group(ctx, caller, req).await?;
    require_group_admin(caller)?;
    Ok(group)
}

/// 403 `groups:write` unless the caller manages groups.
pub fn require_group_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("groups:write"))
    }
}
