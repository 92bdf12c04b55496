//! `PATCH /v1/users/me/preferences`: merge `{"preferences": {...}}` into the caller's
//! preferences by RFC 7396 (`null` removes a key), at most 16 KiB in all.

use serde_json::Value;
use shared::activity::{kind, NewActivity};
use shared::http::{json_body, StatusCode};
use shared::store::label;
use shared::users::{conflict_error, user_response, RACE_RETRIES};
use shared::validate::{check_object, merge_patch, Fields};
use shared::{auth, time, ApiError, ApiResult, Ctx, FieldError, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let mut f = Fields::new(json_body(&req)?)?;
    let patch = f.required("preferences", |v| match v {
        Value::Object(_) => Ok(v.clone()),
        _ => Err(("dict_type", "Input should be a JSON object".into())),
    });
    f.finish()?;
    let Some(patch) = patch else {
        return Err(ApiError::internal("validated field missing"));
    };
    let mut current = caller.user.clone();
    for _ in 0..RACE_RETRIES {
        let mut merged = Value::Object(current.preferences.clone());
        merge_patch(&mut merged, &patch);
        let Value::Object(merged) = merged else {
            return Err(ApiError::internal("merge produced a non-object"));
        };
        check_object(&merged).map_err(|(kind, msg)| {
            ApiError::validation(vec![FieldError::body("preferences", kind, msg)])
        })?;
        let mut updated = current.clone();
        updated.preferences = merged;
        updated.version += 1;
        updated.updated_at = time::now_rfc3339();
        let activity = NewActivity::new(kind::PREFERENCES_UPDATED, caller.id(), caller.id());
        match ctx
            .store
            .save_user(
                &current,
                &updated,
                None,
                vec![activity],
                ctx.config.activity_retention_days,
            )
            .await
        {
            Ok(()) => return Ok(user_response(StatusCode::OK, &updated)),
            Err(e) if e.failed(label::PROFILE) => {
                current = ctx
                    .store
                    .get_user(caller.id())
                    .await?
                    .ok_or_else(ApiError::unauthenticated)?;
            }
            Err(e) => return Err(conflict_error(e)),
        }
    }
    Err(ApiError::busy())
}
