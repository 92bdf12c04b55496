//! Time in the one format SPEC allows: RFC 3339, UTC, milliseconds, `Z`.

use chrono::{DateTime, SecondsFormat, Utc};

/// The wire and storage format; fixed width, so stored strings sort by time.
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Now, formatted.
pub fn now_rfc3339() -> String {
    format(Utc::now())
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
}
