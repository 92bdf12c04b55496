//! `GET /v1/users/{id}/workspaces/active?days=30`: the workspaces named by the user's
//! activities in the last `days` days (UTC dates, today included), most active first.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use serde_json::json;
use shared::http::{ok, Query};
use shared::users::private_user;
use shared::{auth, keys, ApiResult, Ctx, Request};
use uuid::Uuid;

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req).await?;
    let query = Query::parse(&req)?;
    let days = query.int("days", 1, 365, 30)?;
    let from = (Utc::now() - Duration::days(days - 1))
        .format("%Y-%m-%d")
        .to_string();
    let lo = format!("{}{from}", keys::ACTIVITY_DAY_WORKSPACE_PREFIX);
    let hi = format!("{}~", keys::ACTIVITY_DAY_WORKSPACE_PREFIX);
    let rows = ctx.store.counters_between(user.user_id, &lo, &hi).await?;
    let mut per: BTreeMap<Uuid, (String, i64, String)> = BTreeMap::new();
    for r in rows {
        let Some(w) = r.workspace_id else { continue };
        let e = per.entry(w).or_insert((String::new(), 0, String::new()));
        e.0 = r.name.unwrap_or_default();
        e.1 += r.count;
        let last = r.last_active_at.unwrap_or_default();
        if last > e.2 {
            e.2 = last;
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
