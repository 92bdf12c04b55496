//! `POST /v1/auth/token`: log in with an email or username and a password.

use serde_json::json;
use shared::auth::{self, verify_password};
use shared::http::{created, json_body};
use shared::model::UserView;
use shared::validate::Fields;
use shared::{ApiError, ApiResult, Ctx, Request};

fn bounded_string(
    max: usize,
) -> impl Fn(&serde_json::Value) -> Result<String, (&'static str, String)> {
    move |v| match v.as_str() {
        Some(s) if !s.is_empty() && s.chars().count() <= max => Ok(s.to_string()),
        Some(_) => Err((
            "string_length",
            format!("String should have 1 to {max} characters"),
        )),
        None => Err(("string_type", "Input should be a string".into())),
    }
}

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let mut f = Fields::new(json_body(&req)?)?;
    let login = f.required("login", bounded_string(100));
    let password = f.required("password", bounded_string(128));
    f.finish()?;
    let (Some(login), Some(password)) = (login, password) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let limiter = shared::ratelimit::LoginLimiter::new(ctx, &login, &req);
    limiter.check().await?;
    let user = ctx.store.user_by_login(&login).await?;
    let verified =
        verify_password(&password, user.as_ref().map(|u| u.password_hash.as_str())).await;
    let Some(user) = user.filter(|_| verified) else {
        limiter.record_failure().await?;
        return Err(ApiError::bad_credentials());
    };
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
