//! Login-attempt counters: one item per counter and window, expiring with the window
//! (TTL). See `ratelimit.rs` for what they count. And the leases that cap a user's
//! concurrent activity streams.

use uuid::Uuid;

use super::write::{Check, Op, Rejection, Tx};
use super::{key, n, s, Store};
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

/// A held stream slot: released when the stream ends, or expired by its TTL.
#[derive(Debug, Clone)]
pub struct StreamLease {
    user: Uuid,
    slot: u32,
    lease: Uuid,
}

impl Store {
    /// Takes one of `user`'s `max` stream slots for `seconds` (plus a margin): a slot
    /// that is free or whose lease has run out. `None` when every slot is held.
    pub async fn acquire_stream(
        &self,
        user: Uuid,
        max: u32,
        seconds: u64,
    ) -> Result<Option<StreamLease>, ApiError> {
        let now = self.clock.now().timestamp();
        let lease = Uuid::new_v4();
        for slot in 0..max {
            let mut item = key(keys::user(user), keys::stream_slot(slot));
            item.insert("lease".into(), s(lease.to_string()));
            item.insert("expires_at".into(), n(now + seconds as i64 + 30));
            let take = Op::put(item)
                .when(
                    "attribute_not_exists(PK) OR expires_at < :now",
                    Check::RateLimit,
                )
                .val(":now", n(now));
            match self.write(take).await {
                Ok(()) => return Ok(Some(StreamLease { user, slot, lease })),
                Err(r) if r.failed(Check::RateLimit) => continue,
                Err(r) => return Err(r.into()),
            }
        }
        Ok(None)
    }

    /// Gives a stream slot back (unless its lease ran out and another took it).
    pub async fn release_stream(&self, held: &StreamLease) -> Result<(), ApiError> {
        let op = Op::delete(key(keys::user(held.user), keys::stream_slot(held.slot)))
            .when("lease = :l", Check::RateLimit)
            .val(":l", s(held.lease.to_string()));
        match self.write(op).await {
            Ok(()) | Err(Rejection::Failed(_)) => Ok(()),
            Err(r) => Err(r.into()),
        }
    }
}
