//! `POST /v1/auth/token`: log in with an email or username and a password.

use serde_json::json;
use shared::http::{body_fields, created};
use shared::model::UserView;
use shared::passwords::verify_password;
use shared::ratelimit::LoginLimiter;
use shared::types::{bounded_string, normal_login};
use shared::{auth, ApiError, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let f = body_fields(&req)?;
    let login = f.required("login", bounded_string(100));
    let password = f.required("password", bounded_string(128));
    let (login, password) = f.finish((login, password))?;
    let user = ctx.store.user_by_login(&login).await?;
    let account = user
        .as_ref()
        .map_or_else(|| normal_login(&login), |u| u.user_id.to_string());
    let limiter = LoginLimiter::new(ctx, &account, &req);
    limiter.reserve().await?;
    let verified =
        verify_password(&password, user.as_ref().map(|u| u.password_hash.as_str())).await;
    let Some(user) = user.filter(|_| verified) else {
        return Err(ApiError::bad_credentials());
    };
    limiter.release().await?;
    if !user.is_active() {
        return Err(ApiError::account_disabled(user.status.as_str()));
    }
    let issued = auth::issue_token(ctx, &user).await?;
    Ok(created(&json!({
        "token": issued.token,
        "token_type": "Bearer",
        "expires_at": issued.expires_at,
        "user": UserView::from(&issued.user),
    })))
}
