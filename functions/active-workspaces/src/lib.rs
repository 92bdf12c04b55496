//! `GET /v1/users/{id}/workspaces/active?days=30`: the workspaces named by the user's
//! activities in the last `days` days (UTC dates, today included), most active first,
//! ties broken by the latest activity; each under its current name (a deleted one
//! under the last name its activities recorded).

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::json;
use shared::http::{ok, Query};
use shared::users::private_user;
use shared::{auth, ApiResult, Ctx, Request};
use uuid::Uuid;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let days = Query::parse(&req, &["days"])?.int("days", 1, 365, 30)?;
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req, "activities:read").await?;
    let from = (ctx.clock.now() - Duration::days(days - 1))
        .format("%Y-%m-%d")
        .to_string();
    let mut per: BTreeMap<Uuid, (String, i64, String)> = BTreeMap::new();
    for day in ctx.store.workspace_days(user.user_id, &from).await? {
        let e = per.entry(day.workspace_id).or_default();
        e.0 = day.name;
        e.1 += day.count;
        e.2 = e.2.clone().max(day.last_active_at);
    }
    // The name is the workspace's own, as it is now; the counters keep the one of the
    // day's last activity, which stands only for a workspace that is gone.
    let ids: Vec<Uuid> = per.keys().copied().collect();
    for ws in ctx.store.get_workspaces(&ids).await? {
        if let Some(e) = per.get_mut(&ws.workspace_id) {
            e.0 = ws.name;
        }
    }
    let mut list: Vec<_> = per.into_iter().collect();
    list.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(b.1 .2.cmp(&a.1 .2)));
    let body: Vec<_> = list
        .into_iter()
        .map(|(w, (name, count, last))| {
            json!({ "workspace_id": w, "name": name, "activity_count": count, "last_active_at": last })
        })
        .collect();
    Ok(ok(&body))
}
