//! `ingest --since/--until`: the time window of a run, at two levels.
//!
//! A file whose key names its day (CloudTrail's `…/YYYY/MM/DD/` folders and
//! `_YYYYMMDDTHHMMZ_` file names, Security Lake's `eventDay=YYYYMMDD`) is
//! not read when that day cannot hold an event in the window. CloudTrail
//! files are dated by delivery, a few minutes after their events, so a file
//! dated the day after `until` is still read (one day of margin for late
//! delivery), and a file dated before the day of `since` is not. Then the
//! events of the files read are kept only inside `[since, until)`; the
//! others are counted (`Accounting::out_of_window`), never silently dropped.
//! The same rules serve local paths and S3 keys, and the S3 listing asks
//! only for the day prefixes `days` returns.

use super::read_phase::ChunkOutcome;
use crate::schema::events;
use chrono::{DateTime, Datelike, NaiveDate};
use polars::prelude::*;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// `[since, until)` in microseconds since the epoch (UTC); either end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IngestWindow {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl IngestWindow {
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    fn contains(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }

    /// The first and last key day that may hold events in the window (the
    /// last is the day after `until`'s, for late delivery).
    fn day_bounds(&self) -> (Option<i64>, Option<i64>) {
        let first = self.since.map(|s| s.div_euclid(MICROS_PER_DAY));
        let last = self.until.map(|u| (u - 1).div_euclid(MICROS_PER_DAY) + 1);
        (first, last)
    }

    /// Whether a file or object with this key may hold events in the
    /// window. Keys that name no day are always read.
    pub fn may_hold(&self, key: &str) -> bool {
        let Some(day) = key_day(key) else {
            return true;
        };
        let (first, last) = self.day_bounds();
        first.is_none_or(|f| day >= f) && last.is_none_or(|l| day <= l)
    }

    /// Every key day of a closed window, oldest first (`None` when an end
    /// is open: the listing then walks the years and filters by key).
    pub fn days(&self) -> Option<Vec<NaiveDate>> {
        let (Some(first), Some(last)) = self.day_bounds() else {
            return None;
        };
        (first..=last).map(day_to_date).collect()
    }

    /// Keeps the chunk's events inside the window; each file counts the
    /// others in `out_of_window`.
    pub(super) fn apply(&self, chunk: &mut ChunkOutcome) {
        if self.is_open() {
            return;
        }
        let Some(df) = chunk.frame.take() else {
            return;
        };
        let times: Vec<Option<i64>> = match df
            .column(events::EVENT_TIME)
            .and_then(|c| c.datetime().map(|d| d.physical().iter().collect()))
        {
            Ok(t) => t,
            Err(e) => {
                chunk.fail(&format!("internal error reading event times: {e}"));
                return;
            }
        };
        let keep: Vec<bool> = times
            .iter()
            .map(|t| t.is_some_and(|t| self.contains(t)))
            .collect();
        let kept = keep.iter().filter(|k| **k).count();
        if kept == keep.len() {
            chunk.frame = Some(df);
            return;
        }
        // Rows follow the files' order: each file's run of flags.
        let mut at = 0;
        for o in &mut chunk.files {
            let run = keep.get(at..at + o.rows).unwrap_or_default();
            at += o.rows;
            let inside = run.iter().filter(|k| **k).count();
            o.out_of_window = (o.rows - inside) as u64;
            o.rows = inside;
        }
        let mut it = keep.iter();
        chunk.days.retain(|_| *it.next().unwrap_or(&false));
        let mut it = keep.iter();
        chunk.id_hashes.retain(|_| *it.next().unwrap_or(&false));
        if kept == 0 {
            return;
        }
        match df.filter(&BooleanChunked::from_slice(PlSmallStr::EMPTY, &keep)) {
            Ok(df) => chunk.frame = Some(df),
            Err(e) => chunk.fail(&format!("internal error filtering by time: {e}")),
        }
    }
}

fn day_to_date(day: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp(day * 86_400, 0).map(|t| t.date_naive())
}

fn date_to_day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce() - 719_163)
}

/// The day a key names, as days since the epoch: the file name's
/// `_YYYYMMDDTHHMMZ_`, else `eventDay=YYYYMMDD`, else the last
/// `YYYY/MM/DD` run of folders.
pub fn key_day(key: &str) -> Option<i64> {
    let name = key.rsplit('/').next().unwrap_or(key);
    if let Some(d) = name
        .split('_')
        .find_map(|part| part.strip_suffix('Z').and_then(compact_stamp))
    {
        return Some(date_to_day(d));
    }
    let segments: Vec<&str> = key.split('/').collect();
    if let Some(d) = segments
        .iter()
        .rev()
        .find_map(|s| s.strip_prefix("eventDay=").and_then(compact_date))
    {
        return Some(date_to_day(d));
    }
    segments.windows(3).rev().find_map(|w| {
        let ok = w[0].len() == 4 && w[1].len() == 2 && w[2].len() == 2;
        let num = |s: &str| -> Option<u32> {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        if !ok {
            return None;
        }
        let (y, m, d) = (num(w[0])?, num(w[1])?, num(w[2])?);
        NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(date_to_day)
    })
}

/// `YYYYMMDDTHHMM` (CloudTrail's file-name stamp, `Z` removed).
fn compact_stamp(s: &str) -> Option<NaiveDate> {
    let (date, time) = s.split_once('T')?;
    (time.len() == 4 && time.bytes().all(|b| b.is_ascii_digit()))
        .then(|| compact_date(date))
        .flatten()
}

/// `YYYYMMDD`.
fn compact_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        s[..4].parse().ok()?,
        s[4..6].parse().ok()?,
        s[6..].parse().ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        date_to_day(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    fn micros(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_micros()
    }

    #[test]
    fn key_days_from_each_layout() {
        assert_eq!(
            key_day(
                "AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2025/12/08/111122223333_CloudTrail_us-east-1_20251209T0005Z_x.json.gz"
            ),
            Some(day("2025-12-09"))
        );
        assert_eq!(
            key_day("trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2025/01/31/f.json"),
            Some(day("2025-01-31"))
        );
        assert_eq!(
            key_day(
                "aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=1/eventDay=20251208/a.parquet"
            ),
            Some(day("2025-12-08"))
        );
        assert_eq!(key_day("sample-data/cloudtrail/events.json"), None);
        assert_eq!(key_day("x/2025/13/01/f.json"), None);
    }

    #[test]
    fn a_day_of_margin_after_until_none_before_since() {
        let w = IngestWindow {
            since: Some(micros("2025-12-08T00:00:00Z")),
            until: Some(micros("2025-12-10T00:00:00Z")),
        };
        let key = |d: &str| format!("AWSLogs/1/CloudTrail/r/{d}/f.json");
        assert!(!w.may_hold(&key("2025/12/07")));
        assert!(w.may_hold(&key("2025/12/08")));
        assert!(w.may_hold(&key("2025/12/09")));
        assert!(w.may_hold(&key("2025/12/10")));
        assert!(!w.may_hold(&key("2025/12/11")));
        assert!(w.may_hold("no/date/here.json"));
        let days = w.days().unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].to_string(), "2025-12-08");
        assert_eq!(days[2].to_string(), "2025-12-10");
        assert_eq!(IngestWindow::default().days(), None);
    }
}
