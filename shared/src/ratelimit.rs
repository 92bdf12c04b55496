//! Brute-force protection for logins: failed attempts are counted per login name and
//! per source address in items that expire with their window (TTL).

use crate::error::ApiError;
use crate::http::{source_ip, Request};
use crate::Ctx;

/// The counters one login attempt is judged by.
pub struct LoginLimiter<'a> {
    ctx: &'a Ctx,
    /// (kind, name, allowed failures per window)
    buckets: Vec<(&'static str, String, i64)>,
}

impl<'a> LoginLimiter<'a> {
    pub fn new(ctx: &'a Ctx, login: &str, req: &Request) -> LoginLimiter<'a> {
        let mut buckets = vec![(
            "login",
            crate::types::normal_login(login),
            ctx.config.login_max_failures,
        )];
        if let Some(ip) = source_ip(req) {
            buckets.push(("ip", ip, ctx.config.ip_max_failures));
        }
        LoginLimiter { ctx, buckets }
    }

    /// 429 with `Retry-After` while any bucket is full.
    pub async fn check(&self) -> Result<(), ApiError> {
        let now = self.ctx.clock.now().timestamp();
        for (kind, name, max) in &self.buckets {
            if let Some((count, expires)) = self.ctx.store.login_failures(kind, name).await? {
                if count >= *max && expires > now {
                    return Err(ApiError::rate_limited((expires - now) as u64));
                }
            }
        }
        Ok(())
    }

    /// Counts one failure in every bucket; a window starts at its first failure.
    pub async fn record_failure(&self) -> Result<(), ApiError> {
        let now = self.ctx.clock.now().timestamp();
        let window = self.ctx.config.login_window_seconds;
        for (kind, name, _) in &self.buckets {
            self.ctx
                .store
                .count_login_failure(kind, name, now, now + window)
                .await?;
        }
        Ok(())
    }
}
