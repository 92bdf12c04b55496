//! Brute-force protection for logins (SPEC, "Login limits"). Failures are counted per
//! (account, source address), where the account is the resolved user or, when no user
//! matches, the normalised login name, so known and unknown logins answer alike; and
//! per source address across all accounts. Only those are ever blocked: never an
//! account as such, which a stranger could lock from anywhere.
//!
//! Counters live in fixed windows of `LOGIN_WINDOW_SECONDS` (the window is in the
//! key; items expire with it). An attempt is reserved *before* its password is
//! checked: one conditional write takes a slot in each counter at once, or takes none
//! and answers 429, so parallel guesses cannot slip past the limit. An attempt that
//! succeeds gives its slots back; a failed one keeps them: that is the count.

use crate::error::ApiError;
use crate::http::{client_address, Request};
use crate::Ctx;

/// The counters one login attempt is judged by.
pub struct LoginLimiter<'a> {
    ctx: &'a Ctx,
    /// (counter, allowed failures per window)
    buckets: Vec<(String, i64)>,
    /// The window's end (epoch seconds).
    window_end: i64,
}

impl<'a> LoginLimiter<'a> {
    /// The counters of an attempt on `account` (a user id, or a normalised login name
    /// that matches no user) from the request's source address.
    pub fn new(ctx: &'a Ctx, account: &str, req: &Request) -> LoginLimiter<'a> {
        let window = ctx.config.login_window_seconds.max(1);
        let now = ctx.clock.now().timestamp();
        let bucket = now / window;
        let ip = client_address(req, ctx.config.edge_secret.as_deref());
        let from = ip.as_deref().unwrap_or("unknown");
        let mut buckets = vec![(
            format!("pair#{account}#{from}#{bucket}"),
            ctx.config.login_max_failures,
        )];
        buckets.extend(ip.map(|ip| (format!("ip#{ip}#{bucket}"), ctx.config.ip_max_failures)));
        LoginLimiter {
            ctx,
            buckets,
            window_end: (bucket + 1) * window,
        }
    }

    /// Reserves this attempt in every counter, or answers 429 with `Retry-After`
    /// (until the window ends) when one of them is full.
    pub async fn reserve(&self) -> Result<(), ApiError> {
        let reserved = self
            .ctx
            .store
            .reserve_login_attempt(&self.buckets, self.window_end)
            .await?;
        if reserved {
            Ok(())
        } else {
            let now = self.ctx.clock.now().timestamp();
            Err(ApiError::rate_limited((self.window_end - now).max(1) as u64))
        }
    }

    /// Gives the slots of a successful attempt back.
    pub async fn release(&self) -> Result<(), ApiError> {
        self.ctx.store.release_login_attempt(&self.buckets).await
    }
}
