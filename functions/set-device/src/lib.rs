//! `PUT /v1/users/{id}/device` `{"device_type", "device_user_id", "pub_key"}`: register
//! (or replace) a user's signing device (Ledger); the user itself or a global admin.
//! Answers the user.

use shared::http::{body_fields, StatusCode};
use shared::model::Device;
use shared::types::{bounded_string, device_type, pub_key};
use shared::users::{self, changeable_user, user_response};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    shared::http::Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let target = changeable_user(ctx, &caller, &req).await?;
    let f = body_fields(&req)?;
    let kind = f.required("device_type", device_type);
    let device_user_id = f.required("device_user_id", bounded_string(100));
    let key = f.required("pub_key", pub_key);
    let (device_type, device_user_id, pub_key) = f.finish((kind, device_user_id, key))?;
    let device = Device {
        device_type,
        device_user_id,
        pub_key,
        registered_at: ctx.clock.now_rfc3339(),
    };
    let user = users::set_device(ctx, &caller, target, Some(device)).await?;
    Ok(user_response(StatusCode::OK, &user, caller.view_of(&user)))
}
