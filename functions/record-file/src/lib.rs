//! `POST /v1/users/{id}/files` `{"checksum", "size"}`: count a file against the quota.
//! A checksum already counted is free (200); over quota is 403 with the figures.

use serde_json::json;
use shared::activity::{kind, NewActivity};
use shared::http::{json_body, json_response, StatusCode};
use shared::model::FileRecord;
use shared::store::{label, RecordOutcome, QUOTA};
use shared::users::{changeable_user, RACE_RETRIES};
use shared::validate::{checksum, integer, Fields};
use shared::{auth, time, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let mut user = changeable_user(ctx, &caller, &req).await?;
    let mut f = Fields::new(json_body(&req)?)?;
    let sum = f.required("checksum", checksum);
    let size = f.required("size", integer(0, 1 << 50));
    f.finish()?;
    let (Some(sum), Some(size)) = (sum, size) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let file = FileRecord {
        checksum: sum,
        size,
        created_at: time::now_rfc3339(),
    };
    for _ in 0..RACE_RETRIES {
        let activity = NewActivity::new(kind::FILE_ADDED, user.user_id, caller.id())
            .with_data(json!({ "checksum": file.checksum, "size": file.size }));
        let outcome = ctx
            .store
            .record_file(
                &user,
                &file,
                user.is_admin(),
                activity,
                ctx.config.activity_retention_days,
            )
            .await;
        match outcome {
            Ok(outcome) => {
                let fresh = ctx.store.get_user(user.user_id).await?.unwrap_or(user);
                let (status, stored) = match outcome {
                    RecordOutcome::Added => (StatusCode::CREATED, file),
                    RecordOutcome::AlreadyCounted => (
                        StatusCode::OK,
                        ctx.store
                            .get_file(fresh.user_id, &file.checksum)
                            .await?
                            .unwrap_or(file),
                    ),
                };
                return Ok(json_response(
                    status,
                    &json!({
                        "checksum": stored.checksum,
                        "size": stored.size,
                        "created_at": stored.created_at,
                        "counted": status == StatusCode::CREATED,
                        "disk_space": fresh.disk_space,
                        "disk_space_used": fresh.disk_space_used,
                    }),
                ));
            }
            Err(e) if e.failed(QUOTA) => {
                let fresh = ctx
                    .store
                    .get_user(user.user_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("user", &user.user_id.to_string()))?;
                if fresh.disk_space == user.disk_space
                    && fresh.disk_space_used + size > fresh.disk_space
                {
                    return Err(ApiError::quota_exceeded(
                        fresh.disk_space,
                        fresh.disk_space_used,
                        size,
                    ));
                }
                user = fresh;
            }
            Err(e) if e.failed(label::PROFILE) => {
                return Err(ApiError::not_found("user", &user.user_id.to_string()))
            }
            Err(shared::store::TxError::Api(e)) => return Err(e),
            Err(_) => return Err(ApiError::busy()),
        }
    }
    Err(ApiError::busy())
}
