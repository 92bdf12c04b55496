//! Login-attempt counters: one item per counter and window, expiring with the window
//! (TTL). See `ratelimit.rs` for what they count.

use super::write::{Check, Op, Rejection, Tx};
use super::{key, n, Store};
use crate::error::ApiError;
use crate::keys;

fn counter(name: &str) -> super::Item {
    key(keys::login_limit_counter(name), keys::RATE)
}

impl Store {
    /// Takes one slot in each of `buckets` (counter, limit), all or none, in one
    /// transaction of conditional updates (no read first): `false` when one is full.
    /// A counter made by the first attempt of a window expires at `window_end`.
    pub async fn reserve_login_attempt(
        &self,
        buckets: &[(String, i64)],
        window_end: i64,
    ) -> Result<bool, ApiError> {
        let mut tx = Tx::new();
        for (name, max) in buckets {
            tx.push(
                Op::update(counter(name), "ADD #c :one SET expires_at = :end")
                    .when("attribute_not_exists(#c) OR #c < :max", Check::RateLimit)
                    .name("#c", "count")
                    .val(":one", n(1))
                    .val(":end", n(window_end))
                    .val(":max", n(*max)),
            );
        }
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(r) if r.failed(Check::RateLimit) => Ok(false),
            Err(r) => Err(r.into()),
        }
    }

    /// Gives back one slot in each of the counters `buckets` name; a counter left at
    /// zero is deleted, so a successful login leaves nothing behind.
    pub async fn release_login_attempt(&self, buckets: &[(String, i64)]) -> Result<(), ApiError> {
        for (name, _) in buckets {
            let last = Op::delete(counter(name))
                .when("#c = :one", Check::RateLimit)
                .name("#c", "count")
                .val(":one", n(1));
            let give_back = Op::update(counter(name), "ADD #c :minus")
                .when("#c > :one", Check::RateLimit)
                .name("#c", "count")
                .val(":minus", n(-1))
                .val(":one", n(1));
            for op in [last, give_back] {
                match self.write(op).await {
                    Ok(()) => break,
                    Err(Rejection::Failed(_)) => {}
                    Err(Rejection::Error(e)) => return Err(e),
                }
            }
        }
        Ok(())
    }
}
