//! `GET /v1/users/{id}/activities/count?from=&to=`: activity counts per day (UTC),
//! from the per-day counters written with each activity. `from`/`to` are dates
//! (`2026-03-15`) or date-times, whose date is used; both ends inclusive.

use serde_json::json;
use shared::http::{ok, Query};
use shared::users::private_user;
use shared::{auth, time, ApiError, ApiResult, Ctx, Request};

fn date(v: &str) -> Option<String> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    time::parse(v).map(|t| t.format("%Y-%m-%d").to_string())
}

pub async fn handler(ctx: &Ctx, req: Request) -> ApiResult {
    let query = Query::parse(&req, &["from", "to"])?;
    let caller = auth::authenticate(ctx, &req).await?;
    let user = private_user(ctx, &caller, &req, "activities:read").await?;
    let expected = "a date (YYYY-MM-DD) or RFC 3339 date-time";
    let from = query.parse_opt("from", date, expected)?;
    let to = query.parse_opt("to", date, expected)?;
    if let (Some(f), Some(t)) = (&from, &to) {
        if f > t {
            return Err(ApiError::bad_query("from", "'from' is after 'to'"));
        }
    }
    let days = ctx
        .store
        .activity_days(user.user_id, from.as_deref(), to.as_deref())
        .await?;
    let total: i64 = days.iter().map(|d| d.count).sum();
    let lifetime = ctx.store.activity_lifetime(user.user_id).await?;
    let by_day: Vec<_> = days
        .iter()
        .filter(|d| d.count > 0)
        .map(|d| json!({ "date": d.date, "count": d.count }))
        .collect();
    Ok(ok(
        &json!({ "user_id": user.user_id, "total": total, "by_day": by_day, "lifetime": lifetime }),
    ))
}
