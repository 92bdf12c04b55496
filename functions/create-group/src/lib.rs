//! `POST /v1/groups` `{"name", "description"?}`: create a group (global admins).

use shared::groups::require_group_admin;
use shared::http::{body_fields, created, with_location, Query};
use shared::model::GroupView;
use shared::store::GroupFields;
use shared::types::{group_description, group_name};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    require_group_admin(&caller)?;
    let f = body_fields(&req)?;
    let name = f.required("name", group_name);
    let description = f.optional("description", group_description);
    let (name, description) = f.finish((name, description))?;
    let group = ctx
        .store
        .create_group(
            ctx.clock.new_id(),
            GroupFields {
                name,
                description: description.flatten(),
                external_id: None,
            },
            caller.id(),
        )
        .await?;
    let location = format!("/v1/groups/{}", group.group_id);
    Ok(with_location(created(&GroupView::from(&group)), &location))
}
