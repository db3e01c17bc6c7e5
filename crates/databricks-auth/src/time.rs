//! Wall-clock times in token responses (read and written with chrono), turned into monotonic
//! instants.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

use tokio::time::Instant;

/// The monotonic instant of a wall-clock time (in the past if it has passed).
pub(crate) fn instant_of(t: SystemTime) -> Instant {
    let now_wall = SystemTime::now();
    let now = Instant::now();
    match t.duration_since(now_wall) {
        // A time absurdly far ahead (an `expires_on` near i64::MAX) is "far in the future".
        Ok(ahead) => now
            .checked_add(ahead.min(crate::http::MAX_TTL))
            .unwrap_or(now),
        Err(e) => now.checked_sub(e.duration()).unwrap_or(now),
    }
}

/// The wall-clock time of a monotonic instant.
pub(crate) fn system_time_of(t: Instant) -> SystemTime {
    let now = Instant::now();
    let now_wall = SystemTime::now();
    if t >= now {
        now_wall.checked_add(t - now).unwrap_or(now_wall)
    } else {
        now_wall.checked_sub(now - t).unwrap_or(UNIX_EPOCH)
    }
}

/// RFC 3339 in UTC with nanoseconds when there are any: `2024-03-20T10:30:00.5Z`.
pub(crate) fn format_rfc3339(t: SystemTime) -> String {
    let t = DateTime::<Utc>::from(t.max(UNIX_EPOCH));
    // chrono writes fractions in groups of three digits; the SDKs write the shortest.
    let text = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    match text.split_once('.') {
        Some((whole, frac)) => {
            let frac = frac.trim_end_matches('Z').trim_end_matches('0');
            if frac.is_empty() {
                format!("{whole}Z")
            } else {
                format!("{whole}.{frac}Z")
            }
        }
        None => text,
    }
}

/// Seconds since the Unix epoch (the epoch for a time before it).
pub(crate) fn from_unix_seconds(secs: i64) -> SystemTime {
    DateTime::from_timestamp(secs.max(0), 0).map_or(UNIX_EPOCH, SystemTime::from)
}

/// Parses RFC 3339 (`2024-03-20T10:30:00.123Z`, `…+01:00`) and the SDKs' space-separated form
/// without an offset (`2024-03-20 10:30:00[.fff]`, read as UTC as the Go SDK does).
pub(crate) fn parse_datetime(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let t = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .ok()?
            .and_utc(),
    };
    Some(SystemTime::from(t).max(UNIX_EPOCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(s: &str) -> u64 {
        parse_datetime(s)
            .unwrap()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn rfc3339_round_trip() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2024-03-20T10:30:00.5Z",
            "2999-12-31T00:00:00.123456789Z",
        ] {
            assert_eq!(format_rfc3339(parse_datetime(text).unwrap()), text);
        }
    }

    #[test]
    fn formats() {
        assert_eq!(unix("1970-01-01T00:00:00Z"), 0);
        assert_eq!(unix("2024-03-20T10:30:00Z"), 1_710_930_600);
        assert_eq!(unix("2024-03-20T10:30:00.123456789Z"), 1_710_930_600);
        assert_eq!(unix("2024-03-20T11:30:00+01:00"), 1_710_930_600);
        assert_eq!(unix("2024-03-20T05:30:00-05:00"), 1_710_930_600);
        assert_eq!(unix("2024-03-20 10:30:00"), 1_710_930_600);
        assert_eq!(unix("2024-03-20 10:30:00.5"), 1_710_930_600);
        assert_eq!(unix("2000-02-29T00:00:00Z"), 951_782_400);
        for bad in [
            "",
            "2024-03-20",
            "2024-13-01T00:00:00Z",
            "2024-03-20T10:30:00",
            "2024-03-20T10:30:00+0100",
            "2024-03-20T10:30:00.Z",
            "x024-03-20T10:30:00Z",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad}");
        }
    }
}
