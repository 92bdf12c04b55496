//! `PUT /v1/users/{id}`: replace a profile; omitted optional fields are cleared,
//! admin-only fields change only when present; read-only and admin-only fields equal
//! to the stored values are ignored, so a body `GET` returned can be sent back;
//! honours `If-Match`.

use shared::http::{json_body, StatusCode};
use shared::users::{self, changeable_user, user_response, without_unchanged, Mode, UserInput};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let target = changeable_user(ctx, &caller, &req).await?;
    let body = without_unchanged(json_body(&req)?, &target);
    let input = UserInput::parse(body, Mode::Replace, caller.is_admin())?;
    let user = users::change(ctx, &caller, target, input, &req).await?;
    Ok(user_response(StatusCode::OK, &user, caller.view_of(&user)))
}
