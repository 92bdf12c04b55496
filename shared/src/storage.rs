//! Storage-quota rules shared by the storage endpoints and Studio's.

use crate::activity::{kind, NewActivity};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::store::label;
use crate::users::RACE_RETRIES;
use crate::Ctx;

/// Recomputes the caller's usage from its file items (all pages), stores it, and
/// records `storage.refreshed`. Retried while usage moves underneath.
pub async fn refresh(ctx: &Ctx, caller: &Caller) -> Result<i64, ApiError> {
    for _ in 0..RACE_RETRIES {
        let user = ctx
            .store
            .get_user(caller.id())
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let files = ctx.store.list_files(user.user_id).await?;
        let total: i64 = files.iter().map(|f| f.size).sum();
        let activity = NewActivity::new(kind::STORAGE_REFRESHED, user.user_id, caller.id())
            .with_data(serde_json::json!({
                "previous": user.disk_space_used,
                "disk_space_used": total,
                "files": files.len(),
            }));
        match ctx
            .store
            .store_usage(&user, total, activity, ctx.config.activity_retention_days)
            .await
        {
            Ok(()) => return Ok(total),
            Err(e) if e.failed(label::PROFILE) => continue,
            Err(crate::store::TxError::Api(e)) => return Err(e),
            Err(_) => return Err(ApiError::busy()),
        }
    }
    Err(ApiError::busy())
}
