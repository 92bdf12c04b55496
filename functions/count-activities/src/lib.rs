//! `GET /v1/users/{id}/activities/count?from=&to=`: activity counts per day (UTC),
//! from the per-day counters written with each activity. `from`/`to` are dates
//! (`2026-03-15`) or date-times, whose date is used; both ends inclusive.

use serde_json::json;
use shared::http::{ok, Query};
use shared::users::private_user;
use shared::{auth, keys, time, ApiError, ApiResult, Ctx, Request};

fn date(v: &str) -> Option<String> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    time::parse(v).map(|t| t.format("%Y-%m-%d").to_string())
}

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req).await?;
    let query = Query::parse(&req)?;
    let from = query.parse_opt("from", date, "a date (YYYY-MM-DD) or RFC 3339 date-time")?;
    let to = query.parse_opt("to", date, "a date (YYYY-MM-DD) or RFC 3339 date-time")?;
    if let (Some(f), Some(t)) = (&from, &to) {
        if f > t {
            return Err(ApiError::bad_query("from", "'from' is after 'to'"));
        }
    }
    let lo = keys::activity_day(from.as_deref().unwrap_or(""));
    let hi = keys::activity_day(&format!("{}~", to.as_deref().unwrap_or("9999-12-31")));
    let rows = ctx.store.counters_between(user.user_id, &lo, &hi).await?;
    let by_day: Vec<_> = rows
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| json!({ "date": &r.sk[keys::ACTIVITY_DAY_PREFIX.len()..], "count": r.count }))
        .collect();
    let total: i64 = rows.iter().map(|r| r.count).sum();
    Ok(ok(
        &json!({ "user_id": user.user_id, "total": total, "by_day": by_day }),
    ))
}
