//! `run-jobs`, the background worker: runs queued jobs (large grants and revokes,
//! group deletes, profile copies) until shortly before the invocation must end.

use std::time::Duration;

use shared::{ApiError, Ctx};

/// What is kept back from the invocation's time for the last step and the answer.
const MARGIN: Duration = Duration::from_secs(5);

pub async fn handler(ctx: &Ctx, left: Duration) -> Result<serde_json::Value, ApiError> {
    let budget = left.saturating_sub(MARGIN).max(Duration::from_secs(1));
    let finished = ctx.store.run_pending_jobs(budget).await?;
    Ok(serde_json::json!({ "finished": finished }))
}
