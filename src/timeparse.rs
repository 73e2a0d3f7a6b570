//! Reads the times users type on the command line: RFC 3339
//! (`2025-12-08T09:00:00Z`), a date (`2025-12-08`, midnight UTC), or a date
//! and time without zone (`2025-12-08T09:00`, `2025-12-08 09:00:00`, UTC).

use anyhow::{Result, bail};
use chrono::{NaiveDate, NaiveDateTime};

pub fn parse_user_time(s: &str) -> Result<i64> {
    let t = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(d.timestamp_micros());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(d.and_utc().timestamp_micros());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(dt) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(dt.and_utc().timestamp_micros());
    }
    bail!(
        "cannot read time {t:?}: use 2025-12-08, 2025-12-08T09:00 (UTC) or RFC 3339 like 2025-12-08T09:00:00Z"
    )
}

/// `us` (µs since the epoch) as UTC in a chrono format; empty when out of
/// range.
pub fn format_micros(us: i64, fmt: &str) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.format(fmt).to_string())
        .unwrap_or_default()
}

/// The ISO week of a day: `2025-W50`.
pub fn iso_week(day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let day = parse_user_time("2025-12-08").unwrap();
        assert_eq!(parse_user_time("2025-12-08T00:00:00Z").unwrap(), day);
        assert_eq!(
            parse_user_time("2025-12-08 01:00").unwrap(),
            day + 3_600_000_000
        );
        assert_eq!(
            parse_user_time("2025-12-08T02:00:00+01:00").unwrap(),
            day + 3_600_000_000
        );
        assert!(parse_user_time("last tuesday").is_err());
    }
}
