//! Brute-force protection for logins: failed attempts are counted per login name and
//! per source address in DynamoDB items that expire with their window (TTL).

use chrono::Utc;

use crate::error::ApiError;
use crate::http::{source_ip, Request};
use crate::keys;
use crate::store::TxError;
use crate::Ctx;

/// The counters one login attempt is judged by.
pub struct LoginLimiter<'a> {
    ctx: &'a Ctx,
    /// (key, allowed failures per window)
    buckets: Vec<(String, i64)>,
}

impl<'a> LoginLimiter<'a> {
    pub fn new(ctx: &'a Ctx, login: &str, req: &Request) -> LoginLimiter<'a> {
        let mut buckets = vec![(
            keys::login_limit("login", &login.trim().to_lowercase()),
            ctx.config.login_max_failures,
        )];
        if let Some(ip) = source_ip(req) {
            buckets.push((keys::login_limit("ip", &ip), ctx.config.ip_max_failures));
        }
        LoginLimiter { ctx, buckets }
    }

    /// 429 with `Retry-After` while any bucket is full.
    pub async fn check(&self) -> Result<(), ApiError> {
        let now = Utc::now().timestamp();
        for (key, max) in &self.buckets {
            if let Some((count, expires)) = self.ctx.store.rate_counter(key).await? {
                if count >= *max && expires > now {
                    return Err(ApiError::rate_limited((expires - now) as u64));
                }
            }
        }
        Ok(())
    }

    /// Counts one failure in every bucket; a window starts at its first failure.
    pub async fn record_failure(&self) -> Result<(), ApiError> {
        let now = Utc::now().timestamp();
        let window = self.ctx.config.login_window_seconds;
        for (key, _) in &self.buckets {
            match self
                .ctx
                .store
                .bump_rate_counter(key, now, now + window)
                .await
            {
                Ok(()) => {}
                Err(TxError::Api(e)) => return Err(e),
                Err(TxError::Failed(_)) => {}
            }
        }
        Ok(())
    }
}
