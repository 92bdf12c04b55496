//! `DELETE /v1/users/{id}/files/{checksum}`: release a counted file.

use serde_json::json;
use shared::activity::{kind, NewActivity};
use shared::http::{no_content, path_param};
use shared::store::{TxError, FILE};
use shared::users::changeable_user;
use shared::validate::checksum_str;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let user = changeable_user(ctx, &caller, &req).await?;
    let raw = path_param(&req, "checksum");
    let not_found = || ApiError::not_found("file", &raw);
    let sum = checksum_str(&raw).map_err(|_| not_found())?;
    let file = ctx
        .store
        .get_file(user.user_id, &sum)
        .await?
        .ok_or_else(not_found)?;
    let activity = NewActivity::new(kind::FILE_REMOVED, user.user_id, caller.id())
        .with_data(json!({ "checksum": file.checksum, "size": file.size }));
    match ctx
        .store
        .delete_file(
            user.user_id,
            &file,
            activity,
            ctx.config.activity_retention_days,
        )
        .await
    {
        Ok(()) => Ok(no_content()),
        Err(e) if e.failed(FILE) => Err(not_found()),
        Err(TxError::Api(e)) => Err(e),
        Err(_) => Err(not_found()),
    }
}
