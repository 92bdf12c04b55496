//! `GET /api/user/`: Studio's user list, a bare array of visible users, filtered by
//! `ids` (at most 50) or by `channel` (its editors; with `include_viewonly=true` its
//! viewers too). Every invalid input is 400, as in Studio.

use std::collections::BTreeSet;

use shared::http::{ok, Query};
use shared::model::StudioUserView;
use shared::validate::parse_uuid;
use shared::{auth, keys, store::SortField, ApiError, ApiResult, Ctx, Request};
use uuid::Uuid;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let query = Query::parse(&req)?;
    let ids = query.uuid_list("ids", 50)?;
    let channel = query.parse_opt("channel", parse_uuid, "a channel id (UUID)")?;
    let include_viewonly = query.boolean("include_viewonly")?.unwrap_or(false);
    let candidates: Vec<Uuid> = match (&ids, channel) {
        (_, Some(channel)) => ctx
            .store
            .workspace_members(channel)
            .await?
            .into_iter()
            .filter(|m| m.role.can_edit() || include_viewonly)
            .map(|m| m.user_id)
            .collect(),
        (Some(ids), None) => ids.clone(),
        (None, None) if caller.is_admin() => everyone(ctx).await?,
        (None, None) => {
            let mut set = BTreeSet::from([caller.id()]);
            for w in caller.user.memberships.keys() {
                set.extend(
                    ctx.store
                        .workspace_members(*w)
                        .await?
                        .into_iter()
                        .map(|m| m.user_id),
                );
            }
            set.into_iter().collect()
        }
    };
    let wanted: Option<&Vec<Uuid>> = ids.as_ref();
    let users: Vec<StudioUserView> = ctx
        .store
        .get_users(&candidates)
        .await?
        .iter()
        .filter(|u| caller.can_see(u))
        .filter(|u| wanted.is_none_or(|w| w.contains(&u.user_id)))
        .map(StudioUserView::from)
        .collect();
    Ok(ok(&users))
}

/// Every user, for an admin's unfiltered list, read page by page from the directory.
async fn everyone(ctx: &Ctx) -> Result<Vec<Uuid>, ApiError> {
    let q = shared::store::DirectoryQuery {
        dir: keys::DIR_ALL.to_string(),
        sort: SortField::CreatedAt,
        descending: false,
        status: None,
        role: None,
        search: None,
        ids: None,
    };
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = ctx.store.directory_page(&q, 200, start).await?;
        out.extend(page.user_ids);
        match page.last_key {
            Some(k) => start = Some(k),
            None => return Ok(out),
        }
    }
}
