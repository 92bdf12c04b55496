//! `POST /v1/users`: create a user. Admins only, or anyone when `SIGNUP_ENABLED`
//! (then never with admin-only fields).

use shared::activity::{kind, NewActivity};
use shared::http::{json_body, with_location, StatusCode};
use shared::users::{self, parse_user_input, user_response, Mode};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate_optional(ctx, &req).await?;
    let is_admin = caller.as_ref().is_some_and(|c| c.is_admin());
    if !is_admin && !ctx.config.signup_enabled {
        return Err(match caller {
            None => ApiError::unauthenticated(),
            Some(_) => ApiError::forbidden("users:create"),
        });
    }
    let input = parse_user_input(json_body(&req)?, Mode::Create, is_admin)?;
    let (Some(email), Some(username), Some(password)) =
        (&input.email, &input.username, &input.password)
    else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let mut user = users::new_record(ctx, email, username, auth::hash_password(password).await?);
    users::apply(&mut user, &input, Mode::Create)?;
    let actor = caller.as_ref().map_or(user.user_id, |c| c.id());
    let activity = NewActivity::new(kind::USER_CREATED, user.user_id, actor);
    ctx.store
        .create_user(&user, activity, ctx.config.activity_retention_days)
        .await
        .map_err(users::conflict_error)?;
    let resp = user_response(StatusCode::CREATED, &user);
    Ok(with_location(resp, &format!("/v1/users/{}", user.user_id)))
}
