//! `GET /api/user/`: Studio's user list, a bare array of visible users, filtered by
//! `ids` (at most 50) or by `channel` (its editors; with `include_viewonly=true` its
//! viewers too). Every invalid input is 400, as in Studio. The caller itself and global
//! admins get the full view (with the storage figures); anyone else the public one,
//! whose channel lists hold only the channels it shares with the caller. An unfiltered
//! list of everyone returns at most `STUDIO_MAX_USERS`, with `X-Result-Truncated: true`
//! when it cut the list.

use std::collections::BTreeSet;

use shared::auth::View;
use shared::http::{ok, with_header, Query};
use shared::model::StudioUserView;
use shared::store::Directory;
use shared::types::parse_uuid;
use shared::{auth, ApiResult, Ctx, Request};
use uuid::Uuid;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["ids", "channel", "include_viewonly"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let ids = query.uuid_list("ids", 50)?;
    let channel = query.parse_opt("channel", parse_uuid, "a channel id (UUID)")?;
    let include_viewonly = query.boolean("include_viewonly")?.unwrap_or(false);
    let mut truncated = false;
    let candidates: Vec<Uuid> = match (&ids, channel) {
        // A channel the caller is not in holds no one it may see: nothing is read.
        (_, Some(channel))
            if !caller.sees_everyone() && !caller.user.memberships.contains_key(&channel) =>
        {
            Vec::new()
        }
        (_, Some(channel)) => ctx
            .store
            .workspace_members(channel)
            .await?
            .into_iter()
            .filter(|m| m.role.can_edit() || include_viewonly)
            .map(|m| m.user_id)
            .collect(),
        (Some(ids), None) => ids.clone(),
        (None, None) if caller.sees_everyone() => {
            let max = ctx.config.studio_max_users;
            let (first, more) = ctx
                .store
                .directory_ids_first(Directory::Everyone, max)
                .await?;
            truncated = more;
            first
        }
        (None, None) if caller.sees_only_itself() => vec![caller.id()],
        (None, None) => {
            let mut set = BTreeSet::from([caller.id()]);
            for w in caller.user.memberships.keys() {
                let members = ctx.store.workspace_members(*w).await?;
                set.extend(members.into_iter().map(|m| m.user_id));
            }
            set.into_iter().collect()
        }
    };
    let users: Vec<StudioUserView> = ctx
        .store
        .get_users(&candidates)
        .await?
        .iter()
        .filter(|u| caller.can_see(u))
        .filter(|u| ids.as_ref().is_none_or(|w| w.contains(&u.user_id)))
        .map(|u| match caller.view_of(u) {
            View::Full => StudioUserView::full(u),
            View::Public => StudioUserView::public(u, |w| caller.user.memberships.contains_key(w)),
        })
        .collect();
    let resp = ok(&users);
    Ok(if truncated {
        with_header(resp, "x-result-truncated", "true")
    } else {
        resp
    })
}
