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
//! `event_key`, the de-duplication key, never by `event_id`), rebuilt
//! whole at the end of every ingest and whenever the settings change; the
//! manifest records what it was computed from.

pub mod actions;
pub mod checks;
pub mod dense;
pub mod engine;
pub mod facts;
pub mod input;
pub mod join;
pub mod markers;
pub mod risk;
pub mod settings;

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
pub const RULES_REVISION: u32 = 14;

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
#[derive(Debug, Default, Clone)]
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
        format!(
            "{} events ({}) in {} actions; {} of {} AWS tool calls matched {} events{conflicts}; {:.1} s",
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
/// each with any break in its transcript's record order.
pub fn load_calls(store: &Store) -> Result<Vec<Call>> {
    // The calls and the records' order are read side by side.
    let (calls, breaks) = rayon::join(
        || {
            input::calls(
                store.scan(table::TOOL_CALLS)?,
                store.scan(table::AGENT_SESSIONS)?,
            )
        },
        || input::chain_breaks(store.scan(table::TOOL_CALLS)?, store.scan(table::MESSAGES)?),
    );
    let mut calls = calls?;
    if !calls.is_empty() {
        let breaks = breaks?;
        if !breaks.is_empty() {
            for c in &mut calls {
                c.chain = breaks
                    .get(&(c.session_id.clone(), c.call_id.clone()))
                    .cloned();
            }
        }
    }
    Ok(calls)
}

/// Rows per frame handed to the sink (and per stored part).
const CHUNK_ROWS: usize = 128 * 1024;

/// What attribution holds per event at its peak (about 370 bytes measured
/// at 1M and 3M events): what a run needs free to reuse memory instead of
/// returning it.
pub const BYTES_PER_EVENT: u64 = 400;

/// Attributes every event of `store`, handing the `attribution` table to
/// `sink` in frames of at most `CHUNK_ROWS` rows, in store order (a few
/// frames per call, so they can be written side by side).
pub fn compute(
    store: &Store,
    settings: &Settings,
    mut sink: impl FnMut(Vec<DataFrame>) -> Result<()>,
) -> Result<Stats> {
    let started = Instant::now();
    let mut clock = crate::progress::Clock::new();
    let loaded = input::StoredEvents::from_store(store)?;
    clock.lap("  attribution: events read");
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
    } = loaded;
    let calls = load_calls(store)?;
    let sessions = input::session_spans(store.scan(table::AGENT_SESSIONS)?)?;
    clock.lap("  attribution: calls loaded");
    let mut out = engine::run(&events, &calls, &sessions, settings, markers, None);
    checks::doubt_shared_ids(&mut out.labels, &shared_ids);
    clock.lap("  attribution: engine");
    let user_messages = input::user_message_times(store.scan(table::MESSAGES)?)?;
    let risk = risk::assess(&events, &out.labels, &calls, settings, &user_messages);
    clock.lap("  attribution: risk");
    let actions = actions::derive(&events, &out.labels, &out.cascade_of);
    clock.lap("  attribution: actions");
    let writes = std::mem::take(&mut events.write);
    drop(events);
    let mut stats = Stats {
        events: out.labels.of.len(),
        tool_calls: calls.len(),
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
    // Frames built, and handed over, a few at a time side by side.
    let ranges: Vec<std::ops::Range<usize>> = (0..keys.len().max(1))
        .step_by(CHUNK_ROWS)
        .map(|start| start..(start + CHUNK_ROWS).min(keys.len()))
        .collect();
    for batch in ranges.chunks(rayon::current_num_threads().max(1)) {
        let frames = batch
            .par_iter()
            .map(|r| {
                frame(
                    &keys,
                    r.clone(),
                    &out.labels,
                    &calls,
                    &risk,
                    &writes,
                    &actions,
                )
            })
            .collect::<Result<Vec<DataFrame>>>()?;
        sink(frames)?;
    }
    clock.lap("  attribution: table written");
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
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
    let calls = load_calls(store)?;
    let sessions = input::session_spans(store.scan(table::AGENT_SESSIONS)?)?;
    let mut out = engine::run(&events, &calls, &sessions, settings, markers, Some(idx));
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

/// The attribution rows of events `range` (one row per stored event).
fn frame<'a>(
    keys: &[u128],
    range: std::ops::Range<usize>,
    labels: &'a engine::Labels,
    calls: &'a [Call],
    risk: &'a risk::Risk,
    writes: &[bool],
    actions: &actions::Actions,
) -> Result<DataFrame> {
    let n = range.len();
    let row = |k: usize| range.start + k;
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
            for &key in &keys[range.clone()] {
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
            for k in range.clone() {
                text.clear();
                crate::schema::event_key::write(keys[actions.first[k] as usize], &mut text);
                b.append_value(&text);
            }
            b.finish().into_column()
        },
        Column::new(
            PlSmallStr::from_static(attribution::VIA),
            range
                .clone()
                .map(|k| actions.via[k].as_str())
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
/// will be once the run commits. `source` names the settings file, for the
/// manifest.
pub fn rebuild(
    writer: &mut StoreWriter,
    settings: &Settings,
    source: &str,
    run: u64,
) -> Result<Stats> {
    let pending = writer.pending();
    writer.replace_table(table::ATTRIBUTION);
    let stats = compute(&pending, settings, |frames| {
        writer.write_parts(table::ATTRIBUTION, frames)
    })?;
    writer.manifest.attribution = Some(DerivedState {
        after_run: run,
        settings_hash: settings.stamp(),
        settings_source: source.to_string(),
    });
    Ok(stats)
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
        let stats = rebuild(&mut writer, settings, source, run)?;
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
