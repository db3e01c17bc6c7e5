//! Wall-clock times in token responses, turned into monotonic instants.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    let frac = match d.subsec_nanos() {
        0 => String::new(),
        n => format!(".{n:09}").trim_end_matches('0').to_owned(),
    };
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}{frac}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Seconds since the Unix epoch.
pub(crate) fn from_unix_seconds(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(secs as u64))
            .unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH
    }
}

/// Parses RFC 3339 (`2024-03-20T10:30:00.123Z`, `…+01:00`) and the SDKs' space-separated form
/// without an offset (`2024-03-20 10:30:00[.fff]`, read as UTC as the Go SDK does).
pub(crate) fn parse_datetime(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos: u32 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<9}", &frac[..digits.min(9)]);
        nanos = padded.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset_secs: i64 = match rest {
        "" if b[10] == b' ' => 0,
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest.get(4..6)?.parse().ok()?;
            if rest.len() != 6 || &rest[3..4] != ":" {
                return None;
            }
            sign * (hh * 3600 + mm * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(from_unix_seconds(secs) + Duration::from_nanos(u64::from(nanos)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
