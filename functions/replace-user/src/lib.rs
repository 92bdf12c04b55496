//! `PUT /v1/users/{id}`: replace a profile; omitted optional fields are cleared,
//! admin-only fields change only when present.

use shared::users::{change_user, Mode};
use shared::{ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    change_user(ctx, req, Mode::Replace).await
}
