//! Failed-login counters: one item per (kind, key), expiring with its window (TTL).

use super::write::{Check, Op, Rejection};
use super::{key, n, Store};
use crate::error::ApiError;
use crate::keys;

impl Store {
    /// The failures counted for `kind`/`name` in the open window and when that window
    /// ends (epoch seconds), if there is a counter.
    pub async fn login_failures(
        &self,
        kind: &str,
        name: &str,
    ) -> Result<Option<(i64, i64)>, ApiError> {
        let item = self
            .get_item(key(keys::login_limit(kind, name), keys::RATE))
            .await?;
        Ok(item.map(|i| {
            let num = |field: &str| {
                i.get(field)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0)
            };
            (num("count"), num("expires_at"))
        }))
    }

    /// Counts a failure for `kind`/`name`: in the open window, or in a new one from
    /// `now` to `until` when none is open.
    pub async fn count_login_failure(
        &self,
        kind: &str,
        name: &str,
        now: i64,
        until: i64,
    ) -> Result<(), ApiError> {
        let pk = keys::login_limit(kind, name);
        let in_window = Op::update(key(pk.clone(), keys::RATE), "ADD #c :one")
            .when("expires_at > :now", Check::None)
            .name("#c", "count")
            .val(":one", n(1))
            .val(":now", n(now));
        match self.write(in_window).await {
            Err(Rejection::Failed(_)) => {
                let mut item = key(pk, keys::RATE);
                item.insert("count".into(), n(1));
                item.insert("expires_at".into(), n(until));
                Ok(self.write(Op::put(item)).await?)
            }
            Err(Rejection::Error(e)) => Err(e),
            Ok(()) => Ok(()),
        }
    }
}
