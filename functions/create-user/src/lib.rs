//! `POST /v1/users`: create a user. Admins only, or anyone when `SIGNUP_ENABLED`
//! (then never with admin-only fields).

use shared::auth::View;
use shared::http::{json_body, with_location, StatusCode};
use shared::passwords::hash_password;
use shared::users::{self, user_response, NewUser, UserInput};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate_optional(ctx, &req).await?;
    let is_admin = caller.as_ref().is_some_and(|c| c.is_admin());
    if !is_admin && !ctx.config.signup_enabled {
        return Err(match caller {
            None => ApiError::token_missing(),
            Some(_) => ApiError::forbidden("users:create"),
        });
    }
    let NewUser {
        email,
        username,
        password,
        input,
    } = UserInput::parse_new(json_body(&req)?, is_admin)?;
    let mut user = users::new_record(ctx, email, username, hash_password(&password).await?);
    input.apply_to(&mut user)?;
    let actor = caller.as_ref().map_or(user.user_id, |c| c.id());
    ctx.store.create_user(&user, actor).await?;
    let resp = user_response(StatusCode::CREATED, &user, View::Full);
    Ok(with_location(resp, &format!("/v1/users/{}", user.user_id)))
}
