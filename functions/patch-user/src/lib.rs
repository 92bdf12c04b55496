//! `PATCH /v1/users/{id}`: RFC 7396 merge patch of the editable fields, password
//! change included; honours `If-Match`.

use shared::http::{json_body, StatusCode};
use shared::users::{self, changeable_user, user_response, without_unchanged, Mode, UserInput};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let target = changeable_user(ctx, &caller, &req).await?;
    let body = without_unchanged(json_body(&req)?, &target);
    let input = UserInput::parse(body, Mode::Merge, caller.is_admin())?;
    let user = users::change(ctx, &caller, target, input, &req).await?;
    Ok(user_response(StatusCode::OK, &user, caller.view_of(&user)))
}
