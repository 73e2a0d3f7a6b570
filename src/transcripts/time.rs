//! Timestamps: RFC 3339 / ISO-8601 text (with a fast path for the
//! `YYYY-MM-DDTHH:MM:SS.fffZ` shape every JSON transcript uses), local
//! wall-clock times read in a given offset (Aider), and milliseconds since
//! the epoch (Amazon Q / Kiro). Everything becomes microseconds since the
//! Unix epoch, UTC.

use chrono::{DateTime, NaiveDateTime, TimeZone};

pub(crate) enum TimeRead {
    Zoned(i64),
    /// No zone in the text; read as UTC.
    Naive(i64),
}

/// Reads an ISO-8601 / RFC 3339 timestamp into microseconds since the epoch.
pub(crate) fn parse_time(s: &str) -> Option<TimeRead> {
    let s = s.trim();
    if let Some(t) = fast_rfc3339(s.as_bytes()) {
        return Some(TimeRead::Zoned(t));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(TimeRead::Zoned(dt.timestamp_micros()));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(ndt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(TimeRead::Naive(ndt.and_utc().timestamp_micros()));
        }
    }
    None
}

/// A local wall-clock time with no zone, read in `offset`.
pub(crate) fn local_time(s: &str, offset: chrono::FixedOffset) -> Option<i64> {
    let ndt = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    offset
        .from_local_datetime(&ndt)
        .single()
        .map(|dt| dt.timestamp_micros())
}

/// Milliseconds since the epoch to microseconds, refusing absurd values.
pub(crate) fn millis_to_micros(ms: u64) -> Option<i64> {
    i64::try_from(ms).ok()?.checked_mul(1000)
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` without allocation; `None` sends
/// the caller to chrono's slower, more general parser.
fn fast_rfc3339(b: &[u8]) -> Option<i64> {
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 6 {
                micros = micros * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        for _ in digits..6 {
            micros *= 10;
        }
    }
    let offset_secs = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset_secs;
    Some(secs * 1_000_000 + micros)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
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

    #[test]
    fn fast_time_matches_chrono() {
        for s in [
            "2025-10-29T00:59:38.317Z",
            "2026-05-01T02:43:50.849123Z",
            "2024-02-29T23:59:59Z",
            "2026-01-09T12:30:09.453-07:00",
            "2026-01-09T12:30:09+05:30",
            "1999-12-31T23:59:59.1Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(s)
                .map(|d| d.timestamp_micros())
                .ok();
            assert_eq!(fast_rfc3339(s.as_bytes()), chrono, "{s}");
        }
        assert_eq!(fast_rfc3339(b"2023-02-29T00:00:00Z"), None);
        assert!(matches!(
            parse_time("2025-06-14 11:00:00"),
            Some(TimeRead::Naive(_))
        ));
        assert!(parse_time("yesterday").is_none());
    }
}
