//! Attribution: who made each CloudTrail event (an AI agent, a person, a
//! service or automation) and the evidence for it.
//!
//! Code map: `input` borrows the columns from the store, `facts` works out
//! what each distinct user agent and principal says (and what AWS wrote
//! about the agent, carried by session keys), `join` matches events to
//! transcript tool calls, `checks` weakens evidence that stronger evidence
//! contradicts, `engine` applies the rules in order and follows
//! CloudFormation back to the stack operation, `markers` is the agent-marker
//! catalog and `settings` its sections of the user's `trailblame.toml`.
//!
//! The result is the `attribution` table, one row per stored event (keyed by
//! `event_key`, the de-duplication key, never by `event_id`), kept by day:
//! an ingest recomputes the days its new rows can change (`incremental`,
//! with `links`, the per-day summaries that find them), and every day when
//! it cannot bound the change or the settings changed; the manifest records
//! what it was computed from and which parts hold each day.

pub mod actions;
pub mod checks;
pub mod dense;
pub mod engine;
pub mod facts;
pub mod incremental;
pub mod input;
pub mod join;
pub mod links;
pub mod markers;
pub mod risk;
pub mod settings;
pub mod windows;

use crate::schema::{attribution, table};
use crate::store::Store;
use crate::store::manifest::DerivedState;
use crate::store::writer::StoreWriter;
use anyhow::Result;
use engine::Label;
use input::Call;
use polars::prelude::*;
use rayon::prelude::*;
pub use settings::Settings;
use std::collections::BTreeMap;
use std::time::Instant;

/// Bumped whenever the rules change what they output, so stores attributed
/// by an older trailblame are attributed again.
pub const RULES_REVISION: u32 = 15;

/// The one definition of a *write*: a call CloudTrail marks `readOnly:
/// false` that succeeded (no error code). A failed call changed nothing, and
/// the incident rate's exposure is successful writes. Stored as the
/// attribution's `write` column, which every query (`summary`, `compare`,
/// `report`) reads; failed attempts stay visible through `error_code`. The
/// anomaly detectors do not use it yet: their `Ctx::not_read_only` also
/// counts failed calls and guesses from the verb when CloudTrail is silent.
pub fn is_write(read_only: Option<bool>, error_code: Option<&str>) -> bool {
    read_only == Some(false) && error_code.is_none()
}

/// Counts from one attribution run.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Stats {
    pub events: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    pub tool_calls: usize,
    pub tool_calls_matched: usize,
    pub events_from_transcripts: usize,
    /// Distinct actions (`actions`): decisions, not API calls.
    pub actions: usize,
    /// Events that share their `eventID` with a differing record (possible
    /// tampering; `conflict:event_id:` in their evidence).
    pub event_id_conflicts: usize,
    pub seconds: f64,
    /// Set when the run recomputed only some days (`incremental`); the
    /// counts above are then those days'.
    pub incremental: Option<incremental::Incremental>,
    /// Why a write run recomputed every day rather than some.
    pub recomputed_all_because: Option<&'static str>,
    /// Passes over the events: 1, or the number of windows of days a
    /// large store was attributed in (`windows`).
    pub passes: usize,
}

impl Stats {
    pub fn line(&self) -> String {
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let conflicts = if self.event_id_conflicts > 0 {
            format!("; {} eventID conflicts", self.event_id_conflicts)
        } else {
            String::new()
        };
        let scope = match &self.incremental {
            Some(i) if i.days_recomputed == 0 => {
                return format!(
                    "nothing to recompute: no new row reaches an attributed event ({} days kept); {:.1} s",
                    i.days_in_store, self.seconds
                );
            }
            Some(i) => format!(
                "recomputed {} of {} days incrementally ({} days read, {} of them in part, {} compared, {} events; {} round{}): ",
                i.days_recomputed,
                i.days_in_store,
                i.days_read,
                i.days_read_in_part,
                i.days_compared,
                i.events_read,
                i.rounds,
                if i.rounds == 1 { "" } else { "s" }
            ),
            None => match self.recomputed_all_because {
                Some(why) => format!("recomputed every day ({why}): "),
                None => String::new(),
            },
        };
        format!(
            "{scope}{} events ({}) in {} actions; {} of {} AWS tool calls matched {} events{conflicts}; {:.1} s",
            self.events,
            kinds.join(", "),
            self.actions,
            self.tool_calls_matched,
            self.tool_calls,
            self.events_from_transcripts,
            self.seconds
        )
    }

    /// The warning for events that share their `eventID` with a differing
    /// record, if there are any.
    pub fn conflicts_warning(&self) -> Option<String> {
        (self.event_id_conflicts > 0).then(|| {
            format!(
                "{} stored events share their eventID with a differing record: possible tampering (CloudTrail gives every event its own id); each keeps its own label, with `conflict:event_id:<records>` in its evidence and its confidence halved",
                self.event_id_conflicts
            )
        })
    }
}

/// Everything `explain` shows about one event.
pub struct Explained {
    /// The explained event's `event_key`.
    pub event_key: String,
    /// Keys of the other events with the same `event_id`, if any.
    pub same_id: Vec<String>,
    pub label: Label,
    pub call: Option<Call>,
    pub candidates: Vec<(Call, join::Candidate)>,
}

/// Reads the store's tool calls (AWS-touching ones, with their sessions),
/// each with any break in its transcript's record order: those that may
/// match an event in `reach`.
pub fn load_calls(store: &Store, reach: input::Reach) -> Result<input::LoadedCalls> {
    let mut loaded = input::calls(
        store.scan(table::TOOL_CALLS)?,
        store.scan(table::AGENT_SESSIONS)?,
        reach,
    )?;
    if !loaded.calls.is_empty() {
        let breaks =
            input::chain_breaks(store.scan(table::TOOL_CALLS)?, store.scan(table::MESSAGES)?)?;
        if !breaks.is_empty() {
            for c in &mut loaded.calls {
                c.chain = breaks
                    .get(&(c.session_id.clone(), c.call_id.clone()))
                    .cloned();
            }
        }
    }
    Ok(loaded)
}

/// The calls that may match one of `events` under `settings`' join
/// windows; `None` when there are no events.
fn reach_of(events: &input::Events, settings: &Settings) -> Option<input::Reach> {
    let first = events.time.iter().copied().min()?;
    let last = events.time.iter().copied().max()?;
    let us = |secs: u32| i64::from(secs) * 1_000_000;
    Some(input::Reach {
        first,
        last,
        skew_before_us: us(settings.join.skew_before_secs),
        skew_after_us: us(settings.join.skew_after_secs),
        max_call_us: us(settings.join.max_call_secs),
    })
}

/// The store's tool calls that may match `events`, their sessions, and
/// the engine's labels for `events` (`trace`: the event `explain`
/// follows).
fn run_engine(
    store: &Store,
    events: &input::Events,
    settings: &Settings,
    markers: &markers::Markers,
    trace: Option<usize>,
    known_people: Option<&std::collections::BTreeSet<String>>,
) -> Result<(input::LoadedCalls, engine::Outcome)> {
    // Without events there is nothing to match: the calls are only counted.
    let reach = reach_of(events, settings).unwrap_or(input::Reach::NONE);
    let loaded = load_calls(store, reach)?;
    let sessions = input::session_spans(store.scan(table::AGENT_SESSIONS)?)?;
    let out = engine::run(
        events,
        &loaded.calls,
        &sessions,
        settings,
        markers,
        trace,
        known_people,
    );
    Ok((loaded, out))
}

/// Rows per frame handed to the sink (and per stored part). A frame is
/// built whole before it is written, and an incremental run's check reads
/// a stored part whole beside its recomputed rows: with 128K rows, a 3M-event
/// attribution peaked at 1,073 MiB and a 1,000-event incremental run's check
/// held 50 MiB more than with 32K (1,009 MiB).
const CHUNK_ROWS: usize = 32 * 1024;

/// What attribution holds per event at its peak (about 370 bytes measured
/// at 1M and 3M events): what a run needs free to reuse memory instead of
/// returning it.
pub const BYTES_PER_EVENT: u64 = 400;

/// One attribution pass over some events: everything the table's rows
/// are made from, by event index (in the order the events were read).
pub(crate) struct Attributed {
    pub keys: Vec<u128>,
    /// Each event's time (microseconds) and UTC day (`links::day_of`):
    /// its `event_date` partition.
    pub times: Vec<i64>,
    pub days: Vec<i32>,
    pub labels: engine::Labels,
    pub calls: Vec<Call>,
    pub risk: risk::Risk,
    pub writes: Vec<bool>,
    pub actions: actions::Actions,
    /// The people names were resolved against, and the bare names resolved.
    pub people: std::collections::BTreeSet<String>,
    pub names: std::collections::BTreeSet<String>,
    /// What ties each day's events to other days (`links`).
    pub links: BTreeMap<i32, links::DayLinks>,
    /// Events that share their `eventID` with another (sorted indexes).
    pub shared: Vec<u32>,
    pub stats: Stats,
}

/// Counts over rows taken a few days at a time: actions and matched calls
/// counted once however many passes see them.
#[derive(Default)]
pub(crate) struct Tally {
    stats: Stats,
    actions: polars::prelude::PlHashSet<u128>,
    /// Matched calls by (session, call): passes read different calls, so
    /// their indexes differ.
    calls: polars::prelude::PlHashSet<u128>,
}

impl Tally {
    pub fn finish(mut self) -> Stats {
        self.stats.actions = self.actions.len();
        self.stats.tool_calls_matched = self.calls.len();
        self.stats
    }
}

impl Attributed {
    /// Event indexes grouped by day (days in order, store order within a
    /// day), as `(day, rows)`.
    pub fn rows_by_day(&self) -> Vec<(i32, Vec<u32>)> {
        // Bucketed, not sorted: a store spans few days, and indexes go in
        // in order.
        let mut by_day: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
        let mut start = 0;
        for run in self.days.chunk_by(|a, b| a == b) {
            let end = start + run.len() as u32;
            by_day.entry(run[0]).or_default().extend(start..end);
            start = end;
        }
        by_day.into_iter().collect()
    }

    /// Adds the rows of the days `wanted` accepts to `t`.
    pub fn tally(&self, wanted: impl Fn(i32) -> bool, t: &mut Tally) {
        t.stats.tool_calls = self.stats.tool_calls;
        for i in (0..self.keys.len()).filter(|&i| wanted(self.days[i])) {
            let l = self.labels.get(i);
            t.stats.events += 1;
            *t.stats.by_kind.entry(l.kind.as_str()).or_default() += 1;
            t.stats.events_from_transcripts += usize::from(l.call.is_some());
            if let Some(c) = l.call {
                let c = &self.calls[c as usize];
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                h.update(c.session_id.as_bytes());
                h.update(&[0]);
                h.update(c.call_id.as_bytes());
                t.calls.insert(h.digest128());
            }
            t.actions.insert(self.keys[self.actions.first[i] as usize]);
            t.stats.event_id_conflicts +=
                usize::from(self.shared.binary_search(&(i as u32)).is_ok());
        }
    }

    /// Hands the rows of the days `wanted` accepts to `sink`, a day at a
    /// time in frames of at most `CHUNK_ROWS` rows (a few frames per call,
    /// built side by side), each with its day.
    pub fn emit(
        &self,
        wanted: impl Fn(i32) -> bool,
        mut sink: impl FnMut(Vec<(i32, DataFrame)>) -> Result<()>,
    ) -> Result<()> {
        let mut chunks: Vec<(i32, Vec<u32>)> = Vec::new();
        for (day, rows) in self.rows_by_day() {
            if wanted(day) {
                chunks.extend(rows.chunks(CHUNK_ROWS).map(|c| (day, c.to_vec())));
            }
        }
        for batch in chunks.chunks(rayon::current_num_threads().max(1)) {
            let frames = batch
                .par_iter()
                .map(|(day, rows)| Ok((*day, frame(self, rows)?)))
                .collect::<Result<Vec<(i32, DataFrame)>>>()?;
            sink(frames)?;
        }
        Ok(())
    }
}

/// Hands freed memory back between two stages of attributing `events`
/// events, when their temporaries are large enough to matter: a release
/// also purges what the ingest before freed (a transcript-only ingest of
/// 300 MB spent 0.07 s purging for an attribution of no events).
fn release_between_stages(events: usize) {
    if events >= RELEASE_FROM_EVENTS {
        crate::alloc::release();
    }
}

/// `release_between_stages`' threshold: a stage's temporaries for this
/// many events are some tens of MiB.
const RELEASE_FROM_EVENTS: usize = 100_000;

/// Attributes `loaded` (the events of `store`, or of some of its days),
/// with every tool call and session of the store. `known_people` adds the
/// people of events not loaded.
pub(crate) fn attribute(
    store: &Store,
    loaded: input::StoredEvents,
    settings: &Settings,
    known_people: Option<&std::collections::BTreeSet<String>>,
) -> Result<Attributed> {
    let started = Instant::now();
    let mut clock = crate::progress::Clock::new();
    // The parts read to get here are freed; the engine reuses that memory
    // if it fits, or it goes back first.
    crate::alloc::release_unless_it_fits(
        (loaded.events.len() as u64).saturating_mul(BYTES_PER_EVENT),
    );
    clock.lap("  attribution: events loaded");
    let markers = markers::markers()?;
    let input::StoredEvents {
        mut events,
        keys,
        shared_ids,
        id_hashes,
    } = loaded;
    let days: Vec<i32> = events.time.iter().map(|&t| links::day_of(t)).collect();
    let day_links = links::of_events(&events, &id_hashes, &days);
    drop(id_hashes);
    clock.lap("  attribution: day links");
    let (loaded, mut out) = run_engine(store, &events, settings, markers, None, known_people)?;
    let input::LoadedCalls {
        calls,
        total: tool_calls,
    } = loaded;
    checks::doubt_shared_ids(&mut out.labels, &shared_ids);
    clock.lap("  attribution: engine");
    // Each stage's temporaries go back before the next
    // (`input::load::RELEASE_EVERY`).
    release_between_stages(events.len());
    let user_messages = input::user_message_times(store.scan(table::MESSAGES)?)?;
    let risk = risk::assess(&events, &out.labels, &calls, settings, &user_messages);
    clock.lap("  attribution: risk");
    let actions = actions::derive(&events, &out.labels, &out.cascade_of);
    clock.lap("  attribution: actions");
    release_between_stages(events.len());
    let writes = std::mem::take(&mut events.write);
    let times = std::mem::take(&mut events.time);
    drop(events);
    let mut stats = Stats {
        events: out.labels.of.len(),
        tool_calls,
        tool_calls_matched: out.matched_calls,
        actions: actions.count,
        event_id_conflicts: shared_ids.len(),
        ..Default::default()
    };
    for &l in &out.labels.of {
        let l = &out.labels.table[l as usize];
        *stats.by_kind.entry(l.kind.as_str()).or_default() += 1;
        stats.events_from_transcripts += usize::from(l.call.is_some());
    }
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(Attributed {
        keys,
        times,
        days,
        labels: out.labels,
        calls,
        risk,
        writes,
        actions,
        people: out.people,
        names: out.names,
        links: day_links,
        shared: shared_ids.iter().map(|s| s.event).collect(),
        stats,
    })
}

/// A full computation: its counts, and what the manifest keeps.
pub(crate) struct Computed {
    pub stats: Stats,
    pub links: BTreeMap<i32, links::DayLinks>,
    pub people: std::collections::BTreeSet<String>,
    pub names: std::collections::BTreeSet<String>,
}

/// Attributes every event of `store`, handing the `attribution` table to
/// `sink` a day at a time (days in order, store order within a day), in
/// frames of at most `CHUNK_ROWS` rows, each with its day. With a window
/// budget set (`windows::budget()`), a store of more events is attributed
/// a few days at a time (`windows`).
///
/// `tapped`, the events an ingest took in as it wrote them, stands in for
/// reading the store when it holds exactly the store's events parts.
pub(crate) fn compute_all(
    store: &Store,
    settings: &Settings,
    tapped: Option<input::Tapped>,
    mut sink: impl FnMut(Vec<(i32, DataFrame)>) -> Result<()>,
) -> Result<Computed> {
    let started = Instant::now();
    if let Some(mut c) = windows::compute(store, settings, &mut sink)? {
        c.stats.seconds = started.elapsed().as_secs_f64();
        return Ok(c);
    }
    let mut clock = crate::progress::Clock::new();
    let loaded = match tapped {
        Some(t) if t.parts == store.part_paths(table::EVENTS) => {
            clock.lap("  attribution: events tapped");
            t.events
        }
        _ => {
            let loaded = input::StoredEvents::from_store(store)?;
            clock.lap("  attribution: events read");
            loaded
        }
    };
    let a = attribute(store, loaded, settings, None)?;
    clock.lap("  attribution: computed");
    a.emit(|_| true, sink)?;
    clock.lap("  attribution: table written");
    let mut stats = a.stats;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.passes = 1;
    Ok(Computed {
        stats,
        links: a.links,
        people: a.people,
        names: a.names,
    })
}

/// Attributes every event of `store`, handing the `attribution` table to
/// `sink` in frames (see `compute_all`).
pub fn compute(
    store: &Store,
    settings: &Settings,
    mut sink: impl FnMut(Vec<DataFrame>) -> Result<()>,
) -> Result<Stats> {
    let a = compute_all(store, settings, None, |frames| {
        sink(frames.into_iter().map(|(_, df)| df).collect())
    })?;
    Ok(a.stats)
}

/// The full reasoning for one event, or `None` when no event has that id
/// or key. `wanted` is an `event_key` or an `event_id`; when several events
/// share that id, the first in store order is explained. The keys of the
/// other events with the explained event's id are listed in `same_id`
/// (however it was named), and its label is doubted as `compute` doubts it.
pub fn explain(store: &Store, settings: &Settings, wanted: &str) -> Result<Option<Explained>> {
    let markers = markers::markers()?;
    let mut idx = None;
    let mut offset = 0;
    // Every event's key and id hash: the events sharing the explained
    // event's id are found once its id is known.
    let mut keys: Vec<Option<u128>> = Vec::new();
    let mut id_hashes: Vec<u128> = Vec::new();
    let events = input::load_events(store, |part| {
        let part_keys = part.column(crate::schema::events::EVENT_KEY)?.str()?;
        let ids = part.column(crate::schema::events::EVENT_ID)?.str()?;
        for (k, (id, event_key)) in ids.iter().zip(part_keys.iter()).enumerate() {
            if idx.is_none() && (id == Some(wanted) || event_key == Some(wanted)) {
                idx = Some(offset + k);
            }
            keys.push(event_key.and_then(crate::schema::event_key::parse));
            id_hashes.push(input::id_hash(id));
        }
        offset += part.height();
        Ok(())
    })?;
    let Some(idx) = idx else {
        return Ok(None);
    };
    let key = keys[idx]
        .map(crate::schema::event_key::format)
        .unwrap_or_default();
    let same_id: Vec<String> = (0..id_hashes.len())
        .filter(|&j| j != idx && id_hashes[idx] != 0 && id_hashes[j] == id_hashes[idx])
        .map(|j| {
            keys[j]
                .map(crate::schema::event_key::format)
                .unwrap_or_default()
        })
        .collect();
    drop((keys, id_hashes));
    let (loaded, mut out) = run_engine(store, &events, settings, markers, Some(idx), None)?;
    let calls = loaded.calls;
    if !same_id.is_empty() {
        let records = u32::try_from(same_id.len() + 1).unwrap_or(u32::MAX);
        let shared = [input::SharedId {
            event: idx as u32,
            records,
        }];
        checks::doubt_shared_ids(&mut out.labels, &shared);
    }
    let label = out.labels.get(idx).clone();
    let call = label.call.map(|c| calls[c as usize].clone());
    let mut candidates: Vec<(Call, join::Candidate)> = out
        .candidates
        .into_iter()
        .map(|c| (calls[c.call as usize].clone(), c))
        .collect();
    candidates.sort_by(|a, b| {
        b.1.score
            .total_cmp(&a.1.score)
            .then(a.1.call.cmp(&b.1.call))
    });
    Ok(Some(Explained {
        event_key: key,
        same_id,
        label,
        call,
        candidates,
    }))
}

/// The attribution rows of events `rows` (one row per stored event).
fn frame<'a>(a: &'a Attributed, rows: &[u32]) -> Result<DataFrame> {
    let Attributed {
        keys,
        labels,
        calls,
        risk,
        writes,
        actions,
        ..
    } = a;
    let n = rows.len();
    let row = |k: usize| rows[k] as usize;
    let label = |k: usize| labels.get(row(k));
    let strs = |name: &str, f: &dyn Fn(&'a Label) -> Option<&'a str>| -> Column {
        let v: Vec<Option<&str>> = (0..n).map(|k| f(label(k))).collect();
        Column::new(PlSmallStr::from(name), v)
    };
    let mut evidence =
        ListStringChunkedBuilder::new(PlSmallStr::from_static(attribution::EVIDENCE), n, n * 3);
    for k in 0..n {
        evidence.append_values_iter(label(k).evidence.iter().map(String::as_str));
    }
    let call_of = |l: &'a Label| l.call.map(|c| &calls[c as usize]);
    let columns = vec![
        {
            let mut b =
                StringChunkedBuilder::new(PlSmallStr::from_static(attribution::EVENT_KEY), n);
            let mut text = String::with_capacity(32);
            for &r in rows {
                let key = keys[r as usize];
                text.clear();
                crate::schema::event_key::write(key, &mut text);
                b.append_value(&text);
            }
            b.finish().into_column()
        },
        {
            let mut b =
                StringChunkedBuilder::new(PlSmallStr::from_static(attribution::ACTION_ID), n);
            let mut text = String::with_capacity(32);
            for &k in rows {
                let k = k as usize;
                text.clear();
                crate::schema::event_key::write(keys[actions.first[k] as usize], &mut text);
                b.append_value(&text);
            }
            b.finish().into_column()
        },
        Column::new(
            PlSmallStr::from_static(attribution::VIA),
            rows.iter()
                .map(|&k| actions.via[k as usize].as_str())
                .collect::<Vec<&str>>(),
        ),
        strs(attribution::ACTOR_KIND, &|l| Some(l.kind.as_str())),
        strs(attribution::ACTOR, &|l| l.actor.as_deref()),
        strs(attribution::OPERATOR, &|l| l.operator.as_deref()),
        strs(attribution::AGENT_SESSION_ID, &|l| {
            call_of(l).map(|c| c.session_id.as_str())
        }),
        strs(attribution::TOOL_CALL_ID, &|l| {
            call_of(l).map(|c| c.call_id.as_str())
        }),
        Column::new(
            PlSmallStr::from_static(attribution::CONFIDENCE),
            (0..n)
                .map(|k| (label(k).confidence * 100.0).round() / 100.0)
                .collect::<Vec<f64>>(),
        ),
        evidence.finish().into_series().into_column(),
        strs(attribution::REASON, &|l| Some(l.reason.as_str())),
        Column::new(
            PlSmallStr::from_static(attribution::WRITE),
            (0..n).map(|k| writes[row(k)]).collect::<Vec<bool>>(),
        ),
    ];
    // One lookup per row and map (the maps hold the few risky events).
    let hits: Vec<Option<&crate::destructive::Classification>> =
        (0..n).map(|k| risk.destructive.get(&row(k))).collect();
    let approvals: Vec<Option<&risk::Approval>> =
        (0..n).map(|k| risk.approval.get(&row(k))).collect();
    let by_row = |name: &str, f: &dyn Fn(usize) -> Option<&'a str>| -> Column {
        let v: Vec<Option<&str>> = (0..n).map(f).collect();
        Column::new(PlSmallStr::from(name), v)
    };
    let mut columns = columns;
    columns.extend([
        Column::new(
            PlSmallStr::from_static(attribution::DESTRUCTIVE),
            (0..n)
                .map(|k| hits[k].is_some_and(|c| !c.failed))
                .collect::<Vec<bool>>(),
        ),
        by_row(attribution::DESTRUCTIVE_CATEGORY, &|k| {
            hits[k].map(|c| c.category.as_str())
        }),
        by_row(attribution::SEVERITY, &|k| {
            hits[k].map(|c| c.severity.as_str())
        }),
        by_row(attribution::CATALOG_RULE, &|k| {
            hits[k].map(|c| c.rule.as_str())
        }),
        by_row(attribution::APPROVAL, &|k| {
            approvals[k].map(|a| a.state.as_str())
        }),
        by_row(attribution::APPROVAL_RULE, &|k| {
            approvals[k].and_then(|a| a.rule.as_deref())
        }),
        Column::new(
            PlSmallStr::from_static(attribution::HUMAN_LAST_SPOKE_SECS),
            (0..n)
                .map(|k| approvals[k].and_then(|a| a.human_last_spoke_secs))
                .collect::<Vec<Option<i64>>>(),
        ),
    ]);
    Ok(DataFrame::new(n, columns)?)
}

/// True when the stored attribution was computed from this store state and
/// these settings.
pub fn is_current(store: &Store, settings: &Settings) -> bool {
    store.manifest.attribution.as_ref().is_some_and(|a| {
        a.after_run == store.manifest.last_run() && a.settings_hash == settings.stamp()
    })
}

/// Rebuilds the attribution table inside a write run, from the store as it
/// will be once the run commits: only the days this run's rows can change
/// when the stored table allows it (`incremental`), else every day.
/// `source` names the settings file, for the manifest; `tapped` is the
/// events the run took in as it wrote them (`compute_all`).
pub fn rebuild(
    writer: &mut StoreWriter,
    settings: &Settings,
    source: &str,
    run: u64,
    tapped: Option<input::Tapped>,
) -> Result<Stats> {
    match incremental::try_run(writer, settings, source, run)? {
        Ok(stats) => Ok(stats),
        Err(why) => {
            let mut stats = rebuild_all(writer, settings, source, run, tapped)?;
            stats.recomputed_all_because = (why != incremental::FIRST).then_some(why);
            Ok(stats)
        }
    }
}

/// `rebuild`, always of every day.
pub fn rebuild_all(
    writer: &mut StoreWriter,
    settings: &Settings,
    source: &str,
    run: u64,
    tapped: Option<input::Tapped>,
) -> Result<Stats> {
    let pending = writer.pending();
    writer.replace_table(table::ATTRIBUTION);
    writer.replace_table(links::TABLE);
    let mut days: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let a = compute_all(&pending, settings, tapped, |frames| {
        let (ds, dfs): (Vec<i32>, Vec<DataFrame>) = frames.into_iter().unzip();
        let rels = writer.write_parts(table::ATTRIBUTION, dfs)?;
        for (d, rel) in ds.into_iter().zip(rels) {
            days.entry(links::day_name(d)).or_default().push(rel);
        }
        Ok(())
    })?;
    links::write(writer, &a.links)?;
    writer.manifest.set_attribution(DerivedState {
        after_run: run,
        settings_hash: settings.stamp(),
        settings_source: source.to_string(),
        days,
        people: a.people,
        names: a.names,
        by_day: true,
    });
    Ok(a.stats)
}

/// The attribution for reading: the stored table when current, else a fresh
/// computation (saved back when no other writer holds the store).
pub fn current(
    store: &Store,
    settings: &Settings,
    source: &str,
) -> Result<(LazyFrame, Option<Stats>)> {
    if is_current(store, settings) {
        return Ok((store.scan(table::ATTRIBUTION)?, None));
    }
    if let Ok(mut writer) = StoreWriter::open(&store.root) {
        let run = writer.manifest.last_run();
        let stats = rebuild(&mut writer, settings, source, run, None)?;
        writer.commit(None)?;
        let reopened = Store::open(&store.root)?;
        return Ok((reopened.scan(table::ATTRIBUTION)?, Some(stats)));
    }
    let mut frames = Vec::new();
    let stats = compute(store, settings, |dfs| {
        frames.extend(dfs.into_iter().map(DataFrame::lazy));
        Ok(())
    })?;
    Ok((concat(frames, UnionArgs::default())?, Some(stats)))
}

#[cfg(test)]
mod tests;
