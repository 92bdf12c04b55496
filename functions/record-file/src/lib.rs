//! `POST /v1/users/{id}/files` `{"checksum", "size"}`: count a file against the quota.
//! A checksum already counted is free (200); over quota is 403 with the figures.

use serde_json::json;
use shared::http::{body_fields, json_response, StatusCode};
use shared::model::{FileRecord, UserRecord};
use shared::store::Recorded;
use shared::types::{integer, Checksum};
use shared::users::changeable_user;
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let user = changeable_user(ctx, &caller, &req).await?;
    let f = body_fields(&req)?;
    let checksum = f.required("checksum", Checksum::parse);
    let size = f.required("size", integer(1, 1 << 50));
    let (checksum, size) = f.finish((checksum, size))?;
    match ctx
        .store
        .record_file(&user, checksum, size, caller.id())
        .await?
    {
        Recorded::Added { file, user } => Ok(answer(StatusCode::CREATED, &file, &user)),
        Recorded::AlreadyCounted { file, user } => Ok(answer(StatusCode::OK, &file, &user)),
        Recorded::OverQuota { user, requested } => Err(ApiError::quota_exceeded(
            user.disk_space,
            user.disk_space_used,
            requested,
        )),
    }
}

/// The file as counted (`counted`: whether this request counted it), with the quota
/// and usage after.
fn answer(status: StatusCode, file: &FileRecord, user: &UserRecord) -> shared::Response {
    json_response(
        status,
        &json!({
            "checksum": file.checksum,
            "size": file.size,
            "created_at": file.created_at,
            "counted": status == StatusCode::CREATED,
            "disk_space": user.disk_space,
            "disk_space_used": user.disk_space_used,
        }),
    )
}
