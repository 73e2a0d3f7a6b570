//! Incremental attribution (issue 24): a run that adds events or
//! transcripts to an attributed store recomputes the days they can change
//! and keeps every other day's stored rows.
//!
//! The `attribution` table is kept by day (`DerivedState::days`, the parts
//! holding each `event_date`'s rows) with a summary of each day's links
//! (`links`). A run:
//!
//! 1. starts from the days its new rows touch: each new event's day, and
//!    the days within `MARGIN` of each new tool call, session or message;
//! 2. reads those days, the days their links reach (a CLI session, an event
//!    id, keys issued on one day and used on another), and one day either
//!    side of each, and attributes what it read (with every tool call and
//!    session of the store, and the people of the days not read). A day
//!    beside a linked day only is its context: of it, only the rows the
//!    linked day's rows can depend on are kept (`context_rows`);
//! 3. checks the days the recomputed days can change directly (linked to
//!    them, or beside them) against their stored rows. A day whose rows
//!    came out different is one the new rows do change (or one whose
//!    context was short): it joins the recomputed days and the run goes
//!    round again. Rows within `MARGIN` of a day that was not read are not
//!    compared: their context was cut short, and the recomputed days' reach
//!    (`reach`) cannot get there. A day read only beside a linked day is
//!    context and is not compared: every chain of effects from the new rows
//!    to it (a link, or a window shorter than a day) passes through a row
//!    of a compared day, and changes that row first;
//! 4. writes the recomputed days' rows and summaries in place of theirs.
//!
//! It gives up, and the caller recomputes everything, when the stored
//! table is not current, was not kept by day, a settings change or a new
//! person whose local part a stored event names bare (it may now resolve
//! to them) can change any day, the
//! settings' windows reach further than `MARGIN`, rounds run out, or more
//! than half of the store's days would be read. `tests/ingest_scale.rs`
//! checks that a run's table equals the one a full recomputation gives.

use super::links::{self, DayLinks};
use super::{Attributed, Settings, Stats, input};
use crate::schema::{attribution as cols, table, transcripts};
use crate::store::manifest::DerivedState;
use crate::store::writer::StoreWriter;
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How far the settings' windows may reach, and how close to a day that
/// was not read a row may be and still be compared: 6 hours.
const MARGIN_US: i64 = 6 * 3_600_000_000;
/// Why a store's first attribution is of every day (not worth saying).
pub(super) const FIRST: &str = "the store had no attribution";
/// Rounds of growing the recomputed days before giving up.
const MAX_ROUNDS: usize = 4;

/// What an incremental run did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Incremental {
    /// Days whose rows were recomputed and replaced.
    pub days_recomputed: usize,
    /// Days read (recomputed, linked, or beside them).
    pub days_read: usize,
    /// Of those, days read in part: beside a linked day only, as its
    /// context (`context_rows`).
    pub days_read_in_part: usize,
    /// Days read and compared with their stored rows (in the last round).
    pub days_compared: usize,
    /// Days with events in the store.
    pub days_in_store: usize,
    pub events_read: usize,
    pub events_recomputed: usize,
    pub rounds: usize,
}

/// How far one row's attribution can reach in time through the settings'
/// windows: a CloudFormation call to its stack operation, then that
/// operation to its tool call.
fn reach(s: &Settings) -> i64 {
    let cfn = i64::from(s.cloudformation.window_minutes) * 60;
    let call = i64::from(s.join.max_call_secs)
        + i64::from(s.join.skew_before_secs)
        + i64::from(s.join.skew_after_secs);
    (cfn + call) * 1_000_000
}

/// Days `[t - MARGIN, t + MARGIN]` covers.
fn days_around(t: i64, out: &mut BTreeSet<i32>) {
    out.extend(links::day_of(t - MARGIN_US)..=links::day_of(t + MARGIN_US));
}

/// The days the rows this run staged in the transcript tables can change.
fn transcript_days(writer: &StoreWriter) -> Result<BTreeSet<i32>> {
    let mut days = BTreeSet::new();
    for (t, columns) in [
        (
            table::TOOL_CALLS,
            &[transcripts::STARTED_AT, transcripts::ENDED_AT][..],
        ),
        (
            table::AGENT_SESSIONS,
            &[transcripts::STARTED_AT, transcripts::ENDED_AT][..],
        ),
        (table::MESSAGES, &[transcripts::TIME][..]),
    ] {
        let parts = writer.staged_parts(t);
        if parts.is_empty() {
            continue;
        }
        let exprs: Vec<Expr> = columns
            .iter()
            .map(|c| col(*c).dt().timestamp(TimeUnit::Microseconds).alias(*c))
            .collect();
        let df = crate::store::scan_files(&parts)?.select(exprs).collect()?;
        for c in df.columns() {
            for t in c.i64()?.iter().flatten() {
                days_around(t, &mut days);
            }
        }
    }
    Ok(days)
}

/// Attributes incrementally when it can: `Ok(Err(why))` means the caller
/// must recompute everything, and says why.
pub(super) fn try_run(
    writer: &mut StoreWriter,
    settings: &Settings,
    source: &str,
    run: u64,
) -> Result<Result<Stats, &'static str>> {
    let started = std::time::Instant::now();
    let Some(prev) = writer.manifest.attribution.clone() else {
        return Ok(Err(FIRST));
    };
    let changed_elsewhere = [
        table::EVENTS,
        table::TOOL_CALLS,
        table::AGENT_SESSIONS,
        table::MESSAGES,
    ]
    .iter()
    .any(|t| writer.replaces(t));
    if !prev.by_day {
        return Ok(Err("the stored attribution was not kept by day"));
    }
    if prev.settings_hash != settings.stamp() {
        return Ok(Err("the attribution settings or rules changed"));
    }
    if prev.after_run != writer.manifest.last_run() {
        return Ok(Err("the stored attribution was not current"));
    }
    if changed_elsewhere {
        return Ok(Err("this run replaced stored events or transcripts"));
    }
    if reach(settings) > MARGIN_US {
        return Ok(Err("the settings' windows reach further than 6 hours"));
    }
    let mut clock = crate::progress::Clock::new();
    // The days with new rows.
    let new_events = writer.staged_parts(table::EVENTS);
    let mut new_days: BTreeSet<i32> = BTreeSet::new();
    for p in &new_events {
        match links::day_of_path(&p.to_string_lossy()) {
            Some(d) => {
                new_days.insert(d);
            }
            None => return Ok(Err("an events part is not under an event_date folder")),
        }
    }
    let mut start = new_days.clone();
    start.extend(transcript_days(writer)?);
    // What the store holds, by day.
    let pending = writer.pending();
    let Some(event_parts) = links::event_parts_by_day(&pending) else {
        return Ok(Err("an events part is not under an event_date folder"));
    };
    let mut stored_rows: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for (name, parts) in &prev.days {
        let Some(d) = links::parse_day(name) else {
            return Ok(Err("the manifest names a day it cannot read"));
        };
        stored_rows.insert(d, parts.clone());
    }
    let mut stored_links: BTreeMap<i32, String> = BTreeMap::new();
    for rel in writer
        .manifest
        .parts
        .get(links::TABLE)
        .into_iter()
        .flatten()
    {
        let Some(d) = links::day_of_path(rel) else {
            return Ok(Err("a link summary is not under an event_date folder"));
        };
        stored_links.insert(d, rel.clone());
    }
    // Every day that held events before this run has its rows and links.
    let consistent = event_parts.keys().all(|d| {
        new_days.contains(d) || (stored_rows.contains_key(d) && stored_links.contains_key(d))
    });
    if !consistent {
        return Ok(Err("a stored day has no attribution rows or links"));
    }
    // Only days that hold events have rows to recompute.
    let mut recompute: BTreeSet<i32> = start
        .into_iter()
        .filter(|d| event_parts.contains_key(d))
        .collect();
    let days_in_store = event_parts.len();
    if recompute.is_empty() {
        // Nothing any event's attribution depends on changed.
        if let Some(a) = writer.manifest.attribution.as_mut() {
            a.after_run = run;
        }
        return Ok(Ok(Stats {
            incremental: Some(Incremental {
                days_in_store,
                ..Default::default()
            }),
            seconds: started.elapsed().as_secs_f64(),
            ..Default::default()
        }));
    }
    // The links of the new events.
    let fresh = {
        let loaded = input::StoredEvents::from_parts(&new_events)?;
        let days: Vec<i32> = loaded
            .events
            .time
            .iter()
            .map(|&t| links::day_of(t))
            .collect();
        links::of_events(&loaded.events, &loaded.id_hashes, &days)
    };
    // The links of some days' events, stored and new.
    let links_of = |days: &BTreeSet<i32>| -> Result<DayLinks> {
        let mut all = DayLinks::default();
        for d in days {
            if let Some(rel) = stored_links.get(d) {
                all = all.union(&DayLinks::read(&writer.root().join(rel))?);
            }
            if let Some(l) = fresh.get(d) {
                all = all.union(l);
            }
        }
        Ok(all)
    };
    // The days the recomputed days' links reach. Each stored summary is
    // read in turn and only the answer kept: a store's summaries hold every
    // event id's hash.
    let linked_to = |recompute: &BTreeSet<i32>| -> Result<BTreeSet<i32>> {
        let reached = links_of(recompute)?;
        let mut out = BTreeSet::new();
        for (&d, rel) in &stored_links {
            if !recompute.contains(&d) && reached.reach(&DayLinks::read(&writer.root().join(rel))?)
            {
                out.insert(d);
            }
        }
        Ok(out)
    };
    clock.lap("  attribution: incremental plan");
    let mut rounds = 0;
    let (a, read, in_part, compared) = loop {
        rounds += 1;
        if rounds > MAX_ROUNDS {
            return Ok(Err("the days the new rows change kept growing"));
        }
        // Read whole: the recomputed days, the days beside them, and the
        // days their links reach. Read in part, as context: the days beside
        // a linked day (below).
        let linked = linked_to(&recompute)?;
        let whole: BTreeSet<i32> = recompute
            .iter()
            .flat_map(|&d| [d - 1, d, d + 1])
            .chain(linked.iter().copied())
            .filter(|d| event_parts.contains_key(d))
            .collect();
        let context: BTreeSet<i32> = linked
            .iter()
            .flat_map(|&d| [d - 1, d + 1])
            .filter(|d| event_parts.contains_key(d) && !whole.contains(d))
            .collect();
        let read: BTreeSet<i32> = whole.union(&context).copied().collect();
        if read.len() * 2 > days_in_store {
            return Ok(Err("the new rows reach more than half of the days"));
        }
        let paths: Vec<PathBuf> = pending
            .part_paths(table::EVENTS)
            .into_iter()
            .filter(|p| links::day_of_path(&p.to_string_lossy()).is_some_and(|d| read.contains(&d)))
            .collect();
        let rows = context_rows(
            context.clone(),
            whole.clone(),
            links_of(&whole)?,
            2 * reach(settings),
        );
        let loaded = input::StoredEvents::from_parts_keeping(&paths, Some(&rows))?;
        clock.lap("  attribution: incremental read");
        // What reading freed goes back now: the attribution of a few days
        // reuses little of it (it was freed on the reading threads), and
        // kept, it adds to the peak (3M-event store, 1,000 new events:
        // 318 to 285 MiB, no slower).
        crate::alloc::release();
        let a = super::attribute(&pending, loaded, settings, Some(&prev.people))?;
        clock.lap("  attribution: incremental compute");
        // A bare name resolves only to a person whose name has an `@` and
        // that local part (`facts::resolve_person`): a new person changes
        // a stored row only if a stored event names their local part.
        let resolves_a_stored_name = |p: &String| {
            p.split_once('@')
                .is_some_and(|(local, _)| prev.names.contains(&local.to_lowercase()))
        };
        if a.people
            .difference(&prev.people)
            .any(resolves_a_stored_name)
        {
            return Ok(Err(
                "a person never seen before whose name a stored event names",
            ));
        }
        // The days whose rows this round's recomputed days can change
        // directly: linked to them, or beside them. A day read only as the
        // context of a linked day changes only through rows of that linked
        // day, which are compared.
        let watched: BTreeSet<i32> = recompute
            .iter()
            .flat_map(|&d| [d - 1, d + 1])
            .chain(linked.iter().copied())
            .filter(|d| read.contains(d) && !recompute.contains(d))
            .collect();
        let mut differ = BTreeSet::new();
        for &d in &watched {
            let before = !read.contains(&(d - 1)) && event_parts.contains_key(&(d - 1));
            let after = !read.contains(&(d + 1)) && event_parts.contains_key(&(d + 1));
            let day_start = links::day_start(d);
            let near_unread = |t: i64| {
                (before && t < day_start + MARGIN_US)
                    || (after && t >= day_start + links::DAY_US - MARGIN_US)
            };
            let same = match stored_rows.get(&d) {
                Some(parts) => agrees(writer, &a, d, parts, &near_unread)?,
                None => false,
            };
            if !same {
                differ.insert(d);
            }
        }
        clock.lap("  attribution: incremental check");
        if differ.is_empty() {
            break (a, read, context.len(), watched.len());
        }
        recompute.extend(differ);
    };
    // Replace the recomputed days' rows and summaries.
    let mut days = prev.days.clone();
    let mut rows_by_day: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    a.emit(
        |d| recompute.contains(&d),
        |frames| {
            let (ds, dfs): (Vec<i32>, Vec<DataFrame>) = frames.into_iter().unzip();
            let rels = writer.write_parts(table::ATTRIBUTION, dfs)?;
            for (d, rel) in ds.into_iter().zip(rels) {
                rows_by_day.entry(d).or_default().push(rel);
            }
            Ok(())
        },
    )?;
    let mut old_rows = Vec::new();
    let mut old_links = Vec::new();
    for d in &recompute {
        let name = links::day_name(*d);
        old_rows.extend(days.remove(&name).unwrap_or_default());
        if let Some(rel) = stored_links.get(d) {
            old_links.push(rel.clone());
        }
        if let Some(rels) = rows_by_day.remove(d) {
            days.insert(name, rels);
        }
    }
    writer.drop_parts(table::ATTRIBUTION, &old_rows);
    writer.drop_parts(links::TABLE, &old_links);
    let new_links: BTreeMap<i32, DayLinks> = a
        .links
        .iter()
        .filter(|(d, _)| recompute.contains(d))
        .map(|(d, l)| (*d, l.clone()))
        .collect();
    links::write(writer, &new_links)?;
    writer.manifest.set_attribution(DerivedState {
        after_run: run,
        settings_hash: settings.stamp(),
        settings_source: source.to_string(),
        days,
        people: a.people.clone(),
        names: prev.names.union(&a.names).cloned().collect(),
        by_day: true,
    });
    clock.lap("  attribution: incremental write");
    let mut stats = stats_of(&a, &recompute);
    stats.passes = rounds;
    stats.incremental = Some(Incremental {
        days_recomputed: recompute.len(),
        days_read: read.len(),
        days_read_in_part: in_part,
        days_compared: compared,
        days_in_store,
        events_read: a.keys.len(),
        events_recomputed: stats.events,
        rounds,
    });
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(Ok(stats))
}

/// Which rows of a linked day's context days (`context`) to read: the rows
/// the linked day's rows can depend on. Those are the rows within `window`
/// (twice the settings' reach: a row, and the rows its own label rests on)
/// of a day read whole (`whole`), and anywhere in the day, the rows
/// carrying a link to the days read whole (`links`: a CLI session, whose
/// votes span its days; an event id; a key issued there) and the STS calls
/// (a chain of issued keys may start with any of them). What this leaves
/// out can only make a linked day's rows come out different from their
/// stored rows, never the same when they should not: the new rows reach a
/// context day's other rows through no link, so those rows are as stored.
fn context_rows(
    context: BTreeSet<i32>,
    whole: BTreeSet<i32>,
    links: DayLinks,
    window: i64,
) -> input::Rows {
    use crate::schema::events;
    let keep = move |df: &DataFrame| -> PolarsResult<BooleanChunked> {
        let time = df.column(events::EVENT_TIME)?.i64()?;
        let source = df.column(events::EVENT_SOURCE)?.str()?;
        let error = df.column(events::ERROR_CODE)?.str()?;
        let id = df.column(events::EVENT_ID)?.str()?;
        let key = df.column(events::ACCESS_KEY_ID)?.str()?;
        let ua = df.column(events::USER_AGENT)?.str()?;
        let mut sid_of: PlHashMap<&str, bool> = Default::default();
        let mut keep = Vec::with_capacity(df.height());
        for i in 0..df.height() {
            let Some(t) = time.get(i) else {
                keep.push(true);
                continue;
            };
            let d = links::day_of(t);
            let near = (whole.contains(&(d + 1)) && t >= links::day_start(d + 1) - window)
                || (whole.contains(&(d - 1)) && t < links::day_start(d) + window);
            let mut linked = || {
                (source.get(i) == Some(input::STS) && error.get(i).is_none())
                    || links.carries_id(input::id_hash(id.get(i)))
                    || key.get(i).is_some_and(|k| links.issued_key(k))
                    || ua.get(i).is_some_and(|u| {
                        *sid_of.entry(u).or_insert_with(|| {
                            crate::cloudtrail::user_agent::parse(u)
                                .cli_session
                                .is_some_and(|s| links.carries_sid(s))
                        })
                    })
            };
            keep.push(whole.contains(&d) || near || linked());
        }
        Ok(BooleanChunked::from_slice(PlSmallStr::EMPTY, &keep))
    };
    input::Rows {
        applies: Box::new(move |p| {
            links::day_of_path(&p.to_string_lossy()).is_some_and(|d| context.contains(&d))
        }),
        keep: std::sync::Arc::new(keep),
    }
}

/// The counts of the rows of `days`.
fn stats_of(a: &Attributed, days: &BTreeSet<i32>) -> Stats {
    let mut t = super::Tally::default();
    a.tally(|d| days.contains(&d), &mut t);
    t.finish()
}

/// True when the recomputed rows of day `d` equal its stored rows
/// (`parts`), leaving out rows whose time `skip` accepts.
fn agrees(
    writer: &StoreWriter,
    a: &Attributed,
    d: i32,
    parts: &[String],
    skip: &dyn Fn(i64) -> bool,
) -> Result<bool> {
    let mut all = 0usize;
    let mut kept: Vec<u32> = Vec::new();
    for i in (0..a.keys.len()).filter(|&i| a.days[i] == d) {
        all += 1;
        if !skip(a.times[i]) {
            kept.push(i as u32);
        }
    }
    // The recomputed rows are laid out in each stored part's order, so that
    // neither side is sorted; parts (32K rows) are compared side by side.
    let wanted: polars::prelude::PlHashMap<u128, u32> =
        kept.iter().map(|&i| (a.keys[i as usize], i)).collect();
    let compare = |part: &String| -> Result<Option<(usize, Vec<u32>)>> {
        let stored = crate::store::scan_files(&[writer.root().join(part)])?.collect()?;
        let mut order: Vec<u32> = Vec::with_capacity(stored.height());
        let mask: BooleanChunked = stored
            .column(cols::EVENT_KEY)?
            .str()?
            .iter()
            .map(|k| {
                match k
                    .and_then(crate::schema::event_key::parse)
                    .and_then(|k| wanted.get(&k))
                {
                    Some(&i) => {
                        order.push(i);
                        true
                    }
                    None => false,
                }
            })
            .collect();
        let rows = stored.height();
        let stored = stored.filter(&mask)?;
        Ok(super::frame(a, &order)?
            .equals_missing(&stored)
            .then_some((rows, order)))
    };
    let outcomes = parts
        .par_iter()
        .map(compare)
        .collect::<Result<Vec<Option<(usize, Vec<u32>)>>>>()?;
    let mut stored_rows = 0usize;
    let mut compared: polars::prelude::PlHashSet<u32> = Default::default();
    for outcome in outcomes {
        let Some((rows, order)) = outcome else {
            return Ok(false);
        };
        stored_rows += rows;
        compared.extend(order);
    }
    // Every kept row was found: a stored key seen twice cannot stand in
    // for one that is missing.
    Ok(stored_rows == all && compared.len() == kept.len())
}
