//! A full attribution of a large store, a few days at a time, so that its
//! memory follows the days in a window rather than the store (issue 24).
//!
//! A first pass reads each day on its own for its links (`links`) and its
//! people. Then days are taken in order in windows of about half of
//! `budget()` events. Each window is attributed with what its rows can
//! depend on: the days its links reach (a CLI session's votes, an event id,
//! the chain of days whose STS calls issued the keys used), and one day
//! either side of each (the transcript join, CloudFormation's window and
//! every other bounded link reach less than a day: `incremental::reach`).
//! Only the window's own days' rows are kept. An action (a run of calls
//! within a minute of each other) that might have begun before the first
//! day read is followed back a day at a time. So every row comes out as one
//! pass over the whole store gives it (`tests/ingest_scale.rs` compares
//! them with a small budget), while at most a window and its context are
//! held. A store of at most `budget()` events is attributed in one pass.

use super::links::{self, DayLinks};
use super::{Computed, Settings, Tally, input};
use crate::schema::table;
use crate::store::Store;
use anyhow::Result;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Events attributed in one pass at most, from
/// `TRAILBLAME_ATTRIBUTION_WINDOW_EVENTS`; unset, every store is attributed
/// in one pass. Off by default: on the 3M-event benchmark store, CLI
/// sessions cross midnight, so every window also read the days either side
/// of its neighbours; the run took 38 s instead of about 12 and peaked
/// higher (1.7 GiB) than one pass.
pub fn budget() -> Option<usize> {
    std::env::var("TRAILBLAME_ATTRIBUTION_WINDOW_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
}

/// Each day's events parts (in manifest order) and row count.
type Days = BTreeMap<i32, (Vec<PathBuf>, usize)>;

/// The store's `Days`, or `None` when a part is not under an `event_date`
/// folder.
fn days_of(store: &Store) -> Result<Option<Days>> {
    let Some(parts) = links::event_parts_by_day(store) else {
        return Ok(None);
    };
    let mut out: Days = BTreeMap::new();
    for (d, paths) in parts {
        let mut rows = 0;
        for path in &paths {
            rows += crate::store::row_count(crate::store::scan_files(std::slice::from_ref(path))?)?;
        }
        out.insert(d, (paths, rows));
    }
    Ok(Some(out))
}

/// Days whose links reach `from`'s: shared CLI sessions, event ids or
/// keys; then, transitively, the days whose STS calls issued keys the days
/// found use (an origin is carried along the whole chain).
fn linked(from: &BTreeSet<i32>, all: &BTreeMap<i32, DayLinks>) -> BTreeSet<i32> {
    let mut found: BTreeSet<i32> = BTreeSet::new();
    for (d, l) in all {
        if !from.contains(d)
            && from
                .iter()
                .any(|f| all.get(f).is_some_and(|fl| fl.reach(l)))
        {
            found.insert(*d);
        }
    }
    let mut frontier: Vec<i32> = found.iter().chain(from).copied().collect();
    while let Some(d) = frontier.pop() {
        let Some(used) = all.get(&d).map(|l| &l.used) else {
            continue;
        };
        for (e, l) in all {
            if !from.contains(e) && !found.contains(e) && links::meet(used, &l.issued) {
                found.insert(*e);
                frontier.push(*e);
            }
        }
    }
    found
}

/// Attributes `store` a few days at a time when it holds more than
/// `budget()` events, handing each day's rows to `sink`; `None` when one
/// pass should do it.
pub(super) fn compute(
    store: &Store,
    settings: &Settings,
    sink: &mut dyn FnMut(Vec<(i32, DataFrame)>) -> Result<()>,
) -> Result<Option<Computed>> {
    let Some(budget) = budget() else {
        return Ok(None);
    };
    let Some(days) = days_of(store)? else {
        return Ok(None);
    };
    let total: usize = days.values().map(|(_, n)| n).sum();
    if total <= budget || days.len() < 4 {
        return Ok(None);
    }
    let mut clock = crate::progress::Clock::new();
    let markers = super::markers::markers()?;
    // Each day's links and people, a day at a time.
    let mut all_links: BTreeMap<i32, DayLinks> = BTreeMap::new();
    let mut people: BTreeSet<String> = BTreeSet::new();
    for (parts, _) in days.values() {
        let loaded = input::StoredEvents::from_parts(parts)?;
        let day_of: Vec<i32> = loaded
            .events
            .time
            .iter()
            .map(|&t| links::day_of(t))
            .collect();
        all_links.extend(links::of_events(&loaded.events, &loaded.id_hashes, &day_of));
        people.extend(super::facts::facts(&loaded.events, settings, markers).people);
    }
    clock.lap("  attribution: windows planned");
    // Windows of consecutive days.
    let mut windows: Vec<BTreeSet<i32>> = vec![BTreeSet::new()];
    let mut in_window = 0;
    for (&d, (_, n)) in &days {
        if in_window > 0 && in_window + n > budget / 2 {
            windows.push(BTreeSet::new());
            in_window = 0;
        }
        windows.last_mut().map(|w| w.insert(d));
        in_window += n;
    }
    let mut tally = Tally::default();
    let mut names = BTreeSet::new();
    for window in &windows {
        let mut read: BTreeSet<i32> = window
            .iter()
            .chain(&linked(window, &all_links))
            .flat_map(|&d| [d - 1, d, d + 1])
            .filter(|d| days.contains_key(d))
            .collect();
        let a = loop {
            let paths: Vec<PathBuf> = store
                .part_paths(table::EVENTS)
                .into_iter()
                .filter(|p| {
                    links::day_of_path(&p.to_string_lossy()).is_some_and(|d| read.contains(&d))
                })
                .collect();
            let loaded = input::StoredEvents::from_parts(&paths)?;
            let a = super::attribute(store, loaded, settings, Some(&people))?;
            // An action of the window's rows that begins within a minute
            // of a day not read may have begun on it: read that day too.
            let before: BTreeSet<i32> = (0..a.keys.len())
                .filter(|&i| window.contains(&a.days[i]))
                .filter_map(|i| {
                    let first = a.actions.first[i] as usize;
                    let d = a.days[first];
                    let t = a.times[first];
                    let unread = |x: i32| !read.contains(&x) && days.contains_key(&x);
                    (unread(d - 1) && t < links::day_start(d) + super::actions::COMMAND_GAP_US)
                        .then_some(d - 1)
                })
                .collect();
            if before.is_empty() {
                break a;
            }
            read.extend(before);
        };
        a.tally(|d| window.contains(&d), &mut tally);
        names.extend(a.names.iter().cloned());
        a.emit(|d| window.contains(&d), &mut *sink)?;
        clock.lap("  attribution: window written");
    }
    let mut stats = tally.finish();
    stats.passes = windows.len();
    Ok(Some(Computed {
        stats,
        links: all_links,
        people,
        names,
    }))
}
