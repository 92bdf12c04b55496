//! `PATCH /v1/groups/{gid}`: merge patch of `name` and `description` (global admins).

use shared::groups::managed_group;
use shared::http::{body_fields, ok, Query};
use shared::model::GroupView;
use shared::store::{GroupEdit, GroupFields};
use shared::types::{group_description, group_name};
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    Query::parse(&req, &[])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = managed_group(ctx, &caller, &req).await?;
    let f = body_fields(&req)?;
    let name = f.optional_value("name", group_name);
    let description = f.optional("description", group_description);
    let (name, description) = f.finish((name, description))?;
    let (changed, _) = ctx
        .store
        .change_group(
            group,
            |current| {
                let mut fields = GroupFields::of(current);
                if let Some(name) = &name {
                    fields.name = name.clone();
                }
                if let Some(description) = &description {
                    fields.description = description.clone();
                }
                Ok(GroupEdit {
                    fields,
                    members: Vec::new(),
                })
            },
            caller.id(),
        )
        .await?;
    Ok(ok(&GroupView::from(&changed)))
}
