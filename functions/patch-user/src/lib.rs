//! `PATCH /v1/users/{id}`: RFC 7396 merge patch of the editable fields.

use shared::users::{change_user, Mode};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    change_user(ctx, req, Mode::Merge).await
}
