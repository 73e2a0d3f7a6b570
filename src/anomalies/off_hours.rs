//! **off_hours**: an AI agent acting while its operator shows no sign of
//! being there: at an hour of the week (UTC weekday × hour) in which the
//! operator was never active, and with no operator activity within
//! `margin_minutes` of the call.
//!
//! *Why*: agents left running overnight or over a weekend act without
//! anyone to stop them; scheduled or hijacked agents show up the same way.
//!
//! *How*: an operator's activity marks (`operator_marks`: their own events
//! and their prompts in transcripts) from the baseline start to the end of
//! the analysed window give a 168-bin hour-of-week profile; operators with
//! fewer than `min_marks` marks are skipped. An analysed call of an `ai`
//! actor is off-hours when its operator's profile is empty at the call's
//! hour of week and no mark is within ± `margin_minutes`. Per agent session
//! per UTC day, off-hours calls are one finding. **Score** = calls + 2 ×
//! writes + 5 × destructive calls among them. **Severity**: info for reads
//! only, low with writes, medium with destructive calls. People's own
//! calls are never findings here.
//!
//! *False positives*: operators whose marks are incomplete (activity in
//! tools trailblame does not read), time zones that move the working day
//! across UTC midnight with too little history, and agents legitimately
//! scheduled to run at night.

use super::ctx::{Actor, Ctx, Kind, fmt_day, fmt_time, plural};
use super::finding::{Finding, Severity};
use super::{US_PER_DAY, US_PER_HOUR, US_PER_MIN};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

pub const NAME: &str = "off_hours";

/// Monday 00:00 UTC = 0 … Sunday 23:00 = 167.
pub(crate) fn hour_of_week(us: i64) -> usize {
    let day = us.div_euclid(US_PER_DAY);
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    let weekday = (day + 3).rem_euclid(7);
    let hour = us.rem_euclid(US_PER_DAY) / US_PER_HOUR;
    (weekday * 24 + hour) as usize
}

struct Profile {
    marks: Vec<i64>,
    active: [bool; 168],
}

pub fn run(cx: &Ctx) -> Vec<Finding> {
    let t = &cx.t.off_hours;
    let since = cx.scope.baseline.since_us.min(cx.scope.analysed.since_us);
    let until = cx.scope.analysed.until_us;
    let mut by_op: HashMap<&str, Vec<i64>> = HashMap::new();
    for (who, at) in &cx.a.operator_marks {
        if (since..until).contains(at) {
            by_op.entry(who).or_default().push(*at);
        }
    }
    let profiles: HashMap<&str, Profile> = by_op
        .into_iter()
        .filter(|(_, m)| m.len() >= t.min_marks.max(1) as usize)
        .map(|(who, mut marks)| {
            marks.sort_unstable();
            let mut active = [false; 168];
            for m in &marks {
                active[hour_of_week(*m)] = true;
            }
            (who, Profile { marks, active })
        })
        .collect();
    if profiles.is_empty() {
        return Vec::new();
    }
    cx.actors
        .par_iter()
        .filter(|x| x.kind == Kind::Ai)
        .flat_map_iter(|x| {
            let p = cx.operator_str(x).and_then(|op| profiles.get(op));
            p.map(|p| actor(cx, x, p)).unwrap_or_default()
        })
        .collect()
}

fn actor(cx: &Ctx, x: &Actor, p: &Profile) -> Vec<Finding> {
    let margin = i64::from(cx.t.off_hours.margin_minutes) * US_PER_MIN;
    // (session, day) → calls.
    let mut groups: BTreeMap<(Option<u32>, i64), Vec<u32>> = BTreeMap::new();
    for &i in cx.analysed(x) {
        let t = cx.time(i);
        if p.active[hour_of_week(t)] {
            continue;
        }
        let k = p.marks.partition_point(|m| *m < t - margin);
        if p.marks.get(k).is_some_and(|m| *m <= t + margin) {
            continue;
        }
        let session = cx.a.agent_session_id.id(i as usize);
        groups
            .entry((session, t.div_euclid(US_PER_DAY)))
            .or_default()
            .push(i);
    }
    groups
        .into_values()
        .map(|rows| finding(cx, x, p, rows))
        .collect()
}

fn finding(cx: &Ctx, x: &Actor, p: &Profile, rows: Vec<u32>) -> Finding {
    let t = &cx.t.off_hours;
    let writes = rows.iter().filter(|&&i| cx.not_read_only(i)).count();
    let destructive = rows.iter().filter(|&&i| cx.destructive(i)).count();
    let severity = if destructive > 0 {
        Severity::Medium
    } else if writes > 0 {
        Severity::Low
    } else {
        Severity::Info
    };
    let first = cx.time(rows[0]);
    let last = cx.time(rows[rows.len() - 1]);
    let hours: usize = p.active.iter().filter(|a| **a).count();
    let explanation = format!(
        "{} made {} ({} writes, {} destructive) on {} between {} and {} with its operator absent: no activity by {} in that hour of the week in {} marks ({} of 168 week-hours active) and none within {} min",
        cx.who_in(x, &rows),
        plural(rows.len(), "call"),
        writes,
        destructive,
        fmt_day(first),
        fmt_time(first),
        fmt_time(last),
        cx.operator_str(x).unwrap_or("?"),
        p.marks.len(),
        hours,
        t.margin_minutes,
    );
    let score = (rows.len() + 2 * writes + 5 * destructive) as f64;
    cx.finding(NAME, severity, x, rows, score, explanation)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    #[test]
    fn hours_of_the_week() {
        assert_eq!(hour_of_week(at(0, 0, 0)), 0); // Monday
        assert_eq!(hour_of_week(at(6, 23, 59)), 167);
        assert_eq!(hour_of_week(at(7, 9, 0)), 9);
    }

    /// hank works 9–17 on weekdays (marks every 30 min) on days 0–20.
    fn kit() -> Kit {
        let mut k = Kit::default();
        for d in 0..21 {
            if d % 7 >= 5 {
                continue;
            }
            for h in 9..17 {
                k.mark("hank", at(d, h, 0)).mark("hank", at(d, h, 30));
            }
        }
        k
    }

    #[test]
    fn an_agent_at_3am_while_its_operator_sleeps_is_off_hours() {
        let mut k = kit();
        for m in 0..4 {
            k.add(ev(at(16, 3, m), "ec2:DescribeInstances").ai("aider", "hank", "night"));
        }
        k.add(
            ev(at(16, 3, 5), "s3:DeleteBucket")
                .ai("aider", "hank", "night")
                .destroys("high"),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].event_count, 5);
        assert_eq!(f[0].score, 5.0 + 2.0 + 5.0);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].explanation.starts_with(
                "hank's aider session night made 5 calls (1 writes, 1 destructive) on 2026-03-18"
            ),
            "{}",
            f[0].explanation
        );
        assert!(
            f[0].explanation
                .contains("in 240 marks (40 of 168 week-hours active)"),
            "{}",
            f[0].explanation
        );
    }

    #[test]
    fn people_working_hours_near_marks_and_thin_profiles_are_not() {
        let mut k = kit();
        // The person themselves at 3am: not an agent.
        k.add(
            ev(at(16, 3, 0), "s3:DeleteBucket")
                .human("hank")
                .destroys("high"),
        );
        // The agent in working hours, and at 17:20, outside them but 50 min
        // after the day's last mark (16:30).
        k.add(ev(at(16, 10, 0), "s3:DeleteBucket").ai("aider", "hank", "day"));
        k.add(ev(at(16, 17, 20), "s3:DeleteBucket").ai("aider", "hank", "day"));
        // An operator with 19 marks only.
        for j in 0..19 {
            k.mark("ivy", at(1, 9, j));
        }
        k.add(ev(at(16, 3, 0), "s3:DeleteBucket").ai("aider", "ivy", "x"));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
