//! Time: the one wire and storage format (RFC 3339, UTC, milliseconds, `Z`) and the
//! [`Clock`] every change is stamped with.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::timestamp::context::ContextV7;
use uuid::{Timestamp, Uuid};

/// The wire and storage format; fixed width, so stored strings sort by time.
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an ISO 8601 / RFC 3339 timestamp with an offset (or a bare UTC date-time) into UTC.
/// Years outside 1970..=9999 are refused so stored strings stay comparable.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })?;
    let year = chrono::Datelike::year(&t);
    (1970..=9999).contains(&year).then_some(t)
}

/// Keeps the v7 ids made in this process in creation order, also within a millisecond.
static V7_CONTEXT: Mutex<ContextV7> = Mutex::new(ContextV7::new());

/// The time as the service sees it: the system's, moved forward by what tests ask
/// ([`Clock::advance`]), so a test of token expiry or of the stream's settle window
/// does not have to sleep. Clones share one offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Now, in the wire format.
    pub fn now_rfc3339(&self) -> String {
        format(self.now())
    }

    /// A new time-ordered id (UUID v7) of this moment: ids made later sort later.
    pub fn new_id(&self) -> Uuid {
        let t = self.now();
        let secs = u64::try_from(t.timestamp()).unwrap_or(0);
        Uuid::new_v7(Timestamp::from_unix(
            &V7_CONTEXT,
            secs,
            t.timestamp_subsec_nanos(),
        ))
    }

    /// Moves this clock (and its clones) forward by `by`: for tests.
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        let t = parse("2026-03-15T10:30:00+02:00").unwrap();
        assert_eq!(format(t), "2026-03-15T08:30:00.000Z");
    }

    #[test]
    fn refuses_garbage_and_far_years() {
        assert!(parse("yesterday").is_none());
        assert!(parse("").is_none());
        assert!(parse("1960-01-01T00:00:00Z").is_none());
        assert!(parse("2024-03-15T10:30:00").is_some());
    }

    #[test]
    fn an_advanced_clock_stamps_later_times_and_ids() {
        let clock = Clock::system();
        let (t0, id0) = (clock.now(), clock.new_id());
        clock.clone().advance(std::time::Duration::from_secs(3600));
        let (t1, id1) = (clock.now(), clock.new_id());
        assert!(t1 - t0 >= chrono::Duration::seconds(3600));
        assert!(id1 > id0);
        let ids: Vec<Uuid> = (0..100).map(|_| clock.new_id()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
