//! Attribution: who made each CloudTrail event (an AI agent, a person, a
//! service or automation) and the evidence for it.
//!
//! Code map: `input` borrows the columns from the store, `facts` works out
//! what each distinct user agent and principal says, `join` matches events
//! to transcript tool calls, `engine` applies the rules in order and follows
//! CloudFormation back to the stack operation, `markers` is the agent-marker
//! catalog and `config` the user's `trailblame.toml`.
//!
//! The result is the `attribution` table, one row per `event_id`, rebuilt
//! whole at the end of every ingest and whenever the settings change; the
//! manifest records what it was computed from.

pub mod config;
pub mod engine;
pub mod facts;
pub mod input;
pub mod join;
pub mod markers;

use crate::schema::{at, table};
use crate::store::Store;
use crate::store::manifest::DerivedState;
use crate::store::writer::StoreWriter;
use anyhow::Result;
pub use config::Settings;
use engine::Label;
use input::Call;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::time::Instant;

/// Bumped whenever the rules change what they output, so stores attributed
/// by an older trailblame are attributed again.
pub const RULES_REVISION: u32 = 1;

/// Counts from one attribution run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub events: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    pub tool_calls: usize,
    pub tool_calls_matched: usize,
    pub events_from_transcripts: usize,
    pub seconds: f64,
}

impl Stats {
    pub fn line(&self) -> String {
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        format!(
            "{} events ({}); {} of {} AWS tool calls matched {} events; {:.1} s",
            self.events,
            kinds.join(", "),
            self.tool_calls_matched,
            self.tool_calls,
            self.events_from_transcripts,
            self.seconds
        )
    }
}

/// Everything `explain` shows about one event.
pub struct Explained {
    pub label: Label,
    pub call: Option<Call>,
    pub candidates: Vec<(Call, join::Candidate)>,
}

/// Reads the store's tool calls (AWS-touching ones, with their sessions).
pub fn load_calls(store: &Store) -> Result<Vec<Call>> {
    input::calls(
        store.scan(table::TOOL_CALLS)?,
        store.scan(table::AGENT_SESSIONS)?,
    )
}

/// Attributes every event of `store`; returns the `attribution` frame.
pub fn compute(store: &Store, settings: &Settings) -> Result<(DataFrame, Stats)> {
    let started = Instant::now();
    let markers = markers::markers()?;
    let df = input::event_selection(store.scan(table::EVENTS)?)
        .collect()
        .map_err(|e| anyhow::anyhow!("reading events for attribution: {e}"))?;
    let events = input::events(&df)?;
    let calls = load_calls(store)?;
    let out = engine::run(&events, &calls, settings, markers, None);
    let mut stats = Stats {
        events: events.len(),
        tool_calls: calls.len(),
        tool_calls_matched: out.matched_calls,
        ..Default::default()
    };
    for l in &out.labels {
        *stats.by_kind.entry(l.kind.as_str()).or_default() += 1;
        stats.events_from_transcripts += usize::from(l.call.is_some());
    }
    let frame = frame(&events.id, &out.labels, &calls)?;
    stats.seconds = started.elapsed().as_secs_f64();
    Ok((frame, stats))
}

/// The full reasoning for one event, or `None` when no event has that id.
pub fn explain(store: &Store, settings: &Settings, event_id: &str) -> Result<Option<Explained>> {
    let markers = markers::markers()?;
    let df = input::event_selection(store.scan(table::EVENTS)?).collect()?;
    let events = input::events(&df)?;
    let Some(idx) = events.id.iter().position(|i| *i == Some(event_id)) else {
        return Ok(None);
    };
    let calls = load_calls(store)?;
    let out = engine::run(&events, &calls, settings, markers, Some(idx));
    let label = out.labels[idx].clone();
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
        label,
        call,
        candidates,
    }))
}

/// One row per distinct event id (the first occurrence), in store order.
fn frame(ids: &[Option<&str>], labels: &[Label], calls: &[Call]) -> Result<DataFrame> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let keep: Vec<usize> = (0..ids.len())
        .filter(|i| ids[*i].is_some_and(|id| seen.insert(id)))
        .collect();
    let n = keep.len();
    let strs = |name: &str, f: &dyn Fn(usize) -> Option<String>| -> Column {
        let v: Vec<Option<String>> = keep.iter().map(|i| f(*i)).collect();
        Column::new(PlSmallStr::from(name), v)
    };
    let mut evidence =
        ListStringChunkedBuilder::new(PlSmallStr::from_static(at::EVIDENCE), n, n * 3);
    for i in &keep {
        evidence.append_values_iter(labels[*i].evidence.iter().map(String::as_str));
    }
    let call_of = |i: usize| labels[i].call.map(|c| &calls[c as usize]);
    let columns = vec![
        strs(at::EVENT_ID, &|i| ids[i].map(str::to_owned)),
        strs(at::ACTOR_KIND, &|i| {
            Some(labels[i].kind.as_str().to_owned())
        }),
        strs(at::ACTOR, &|i| labels[i].actor.clone()),
        strs(at::OPERATOR, &|i| labels[i].operator.clone()),
        strs(at::AGENT_SESSION_ID, &|i| {
            call_of(i).map(|c| c.session_id.clone())
        }),
        strs(at::TOOL_CALL_ID, &|i| call_of(i).map(|c| c.call_id.clone())),
        Column::new(
            PlSmallStr::from_static(at::CONFIDENCE),
            keep.iter()
                .map(|i| (labels[*i].confidence * 100.0).round() / 100.0)
                .collect::<Vec<f64>>(),
        ),
        evidence.finish().into_series().into_column(),
        strs(at::REASON, &|i| Some(labels[i].reason.clone())),
    ];
    Ok(DataFrame::new(n, columns)?)
}

/// True when the stored attribution was computed from this store state and
/// these settings.
pub fn is_current(store: &Store, settings: &Settings) -> bool {
    store.manifest.attribution.as_ref().is_some_and(|a| {
        a.after_run == store.manifest.last_run() && a.settings_hash == settings.hash
    })
}

/// Rebuilds the attribution table inside a write run, from the store as it
/// will be once the run commits.
pub fn rebuild(writer: &mut StoreWriter, settings: &Settings, run: u64) -> Result<Stats> {
    let pending = writer.pending();
    let (mut df, stats) = compute(&pending, settings)?;
    writer.replace_table(table::ATTRIBUTION);
    writer.write_part(table::ATTRIBUTION, None, &mut df)?;
    writer.manifest.attribution = Some(DerivedState {
        after_run: run,
        settings_hash: settings.hash.clone(),
        settings_source: settings.source.clone(),
    });
    Ok(stats)
}

/// The attribution for reading: the stored table when current, else a fresh
/// computation (saved back when no other writer holds the store).
pub fn current(store: &Store, settings: &Settings) -> Result<(LazyFrame, Option<Stats>)> {
    if is_current(store, settings) {
        return Ok((store.scan(table::ATTRIBUTION)?, None));
    }
    if let Ok(mut writer) = StoreWriter::open(&store.root) {
        let run = writer.manifest.last_run();
        let stats = rebuild(&mut writer, settings, run)?;
        writer.commit(None)?;
        let reopened = Store::open(&store.root)?;
        return Ok((reopened.scan(table::ATTRIBUTION)?, Some(stats)));
    }
    let (df, stats) = compute(store, settings)?;
    Ok((df.lazy(), Some(stats)))
}

#[cfg(test)]
mod tests;
