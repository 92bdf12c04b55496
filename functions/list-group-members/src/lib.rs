//! `GET /v1/groups/{gid}/members?limit=&cursor=`: a group's members, in id order, each
//! as the caller may see it (its members and global admins; members the caller may
//! not see are left out).

use shared::groups::visible_group;
use shared::http::{ok, Query};
use shared::paging::{Cursors, Page};
use shared::users::UserBody;
use shared::{auth, ApiResult, Ctx, Request};

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let group = visible_group(ctx, &caller, &req).await?;
    let cursors = Cursors::new(&ctx.config.cursor_secret, "group-members", group.group_id);
    let page = cursors.request(&query, 50, 200)?;
    let found = ctx.store.group_members_page(group.group_id, &page).await?;
    let users = ctx.store.get_users(&found.items).await?;
    let seen: Vec<UserBody> = users
        .iter()
        .filter(|u| caller.can_see(u))
        .map(|u| UserBody::of(&caller, u))
        .collect();
    Ok(ok(&cursors.body(
        "users",
        Page {
            items: seen,
            next: found.next,
        },
    )))
}
