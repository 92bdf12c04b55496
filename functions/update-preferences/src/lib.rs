//! `PATCH /v1/users/me/preferences`: merge `{"preferences": {...}}` into the caller's
//! preferences by RFC 7396 (`null` removes a key), at most 16 KiB in all; honours
//! `If-Match`.

use shared::activity::{kind, NewActivity};
use shared::auth::View;
use shared::document;
use shared::http::{body_fields, IfMatch, StatusCode};
use shared::store::UserChange;
use shared::users::user_response;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let f = body_fields(&req)?;
    let patch = f.required("preferences", document::object);
    let patch = f.finish(patch)?;
    let if_match = IfMatch::of(&req);
    let user = ctx
        .store
        .update_user(caller.user.clone(), |current| {
            if_match.check(current.version)?;
            let mut user = current.clone();
            user.preferences = document::merged(std::mem::take(&mut user.preferences), &patch)
                .map_err(|e| e.refuses("preferences"))?;
            Ok(UserChange {
                user,
                activities: vec![NewActivity::new(
                    kind::PREFERENCES_UPDATED,
                    caller.id(),
                    caller.id(),
                )],
                keep_token: None,
            })
        })
        .await?;
    Ok(user_response(StatusCode::OK, &user, View::Full))
}
