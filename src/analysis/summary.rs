//! The summary: a first overview of the events, by day, account, region,
//! identity, principal, event name, error, read vs write and client.
//!
//! Each section is one SQL file under `queries/`, run over the columns it
//! needs, read once into memory.

use crate::schema::{attribution, events, table};
use anyhow::Result;
use polars::prelude::*;
use polars::sql::SQLContext;

/// (key, title, SQL, ranked: cut to --top)
pub const SECTIONS: &[(&str, &str, &str, bool)] = &[
    (
        "overview",
        "Overview",
        include_str!("../../queries/summary_overview.sql"),
        false,
    ),
    (
        "by_actor_kind",
        "Who acted: AI, human, service, automation",
        include_str!("../../queries/summary_by_actor_kind.sql"),
        false,
    ),
    (
        "by_agent",
        "AI agents",
        include_str!("../../queries/summary_by_agent.sql"),
        true,
    ),
    (
        "by_operator",
        "People: their own actions and their agents'",
        include_str!("../../queries/summary_by_operator.sql"),
        true,
    ),
    (
        "by_day",
        "Events by day",
        include_str!("../../queries/summary_by_day.sql"),
        false,
    ),
    (
        "by_account",
        "By account",
        include_str!("../../queries/summary_by_account.sql"),
        true,
    ),
    (
        "by_region",
        "By region",
        include_str!("../../queries/summary_by_region.sql"),
        true,
    ),
    (
        "by_identity_type",
        "By identity type",
        include_str!("../../queries/summary_by_identity_type.sql"),
        true,
    ),
    (
        "top_principals",
        "Top principals",
        include_str!("../../queries/summary_top_principals.sql"),
        true,
    ),
    (
        "top_event_names",
        "Top event names",
        include_str!("../../queries/summary_top_event_names.sql"),
        true,
    ),
    (
        "error_codes",
        "Error codes",
        include_str!("../../queries/summary_error_codes.sql"),
        true,
    ),
    (
        "read_write",
        "Read vs write",
        include_str!("../../queries/summary_read_write.sql"),
        false,
    ),
    (
        "by_client",
        "By client (user agent)",
        include_str!("../../queries/summary_by_client.sql"),
        true,
    ),
];

/// The sections' keys, in order (`summary --show`).
pub const SECTION_KEYS: &[&str] = &[
    "overview",
    "by_actor_kind",
    "by_agent",
    "by_operator",
    "by_day",
    "by_account",
    "by_region",
    "by_identity_type",
    "top_principals",
    "top_event_names",
    "error_codes",
    "read_write",
    "by_client",
];

/// Events columns the summary queries read.
const EVENT_COLUMNS: &[&str] = &[
    events::EVENT_TIME,
    events::EVENT_DATE,
    events::ACCOUNT_ID,
    events::AWS_REGION,
    events::PRINCIPAL_ARN,
    events::INVOKED_BY,
    events::IDENTITY_TYPE,
    events::READ_ONLY,
    events::ERROR_CODE,
    events::EVENT_SOURCE,
    events::EVENT_NAME,
    events::CLIENT,
];

/// Attribution columns the summary queries read.
const ATTRIBUTION_COLUMNS: &[&str] = &[
    attribution::ACTOR_KIND,
    attribution::ACTOR,
    attribution::OPERATOR,
    attribution::AGENT_SESSION_ID,
    attribution::TOOL_CALL_ID,
    attribution::ACTION_ID,
    attribution::DESTRUCTIVE,
    attribution::WRITE,
];

pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub frame: DataFrame,
    pub total_rows: usize,
}

/// Runs every section; `attribution` stands in for the stored table when
/// given (see `Workspace::sql`).
pub fn compute(
    store: &crate::store::Store,
    window: crate::sql::TimeWindow,
    top: usize,
    attribution: Option<LazyFrame>,
) -> Result<Vec<Section>> {
    let mut clock = crate::progress::Clock::new();
    let (events, beside) = events_with_attribution(store, window, attribution)?;
    clock.lap(if beside {
        "summary: events with their attribution (set beside)"
    } else {
        "summary: events with their attribution (joined)"
    });
    let mut cx = SQLContext::new();
    cx.register(table::EVENTS, events.lazy());
    let mut out = Vec::new();
    for (key, title, sql, ranked) in SECTIONS {
        let frame = crate::sql::run(&mut cx, sql)?;
        let total_rows = frame.height();
        let frame = if *ranked {
            frame.head(Some(top))
        } else {
            frame
        };
        out.push(Section {
            key,
            title,
            frame,
            total_rows,
        });
    }
    clock.lap("summary: sections");
    Ok(out)
}

/// The summary's columns of every event in `window`, with its attribution.
///
/// The stored attribution table is written day by day in the events'
/// store order, so over a whole store its rows usually line up with the
/// events' one for one: then its columns are set beside the events'
/// (checked key by key), which costs a comparison where the join hashed
/// a million keys. Otherwise a left join on `event_key`, as every other
/// query: of the two frames already read when the tables are out of step,
/// of the scans when a time window applies. `action_id` becomes a dense
/// number: the sections only count distinct actions, and counting numbers
/// is several times cheaper than counting 32-character keys. `true` when
/// the columns were set beside.
fn events_with_attribution(
    store: &crate::store::Store,
    window: crate::sql::TimeWindow,
    attribution: Option<LazyFrame>,
) -> Result<(DataFrame, bool)> {
    // The stored table's parts day by day, when it is the one read.
    let attribution_by_day = match (&attribution, &store.manifest.attribution) {
        (None, Some(a)) if a.by_day && !a.days.is_empty() => {
            let paths: Vec<_> = a
                .days
                .values()
                .flatten()
                .map(|p| store.root.join(p))
                .collect();
            Some(store.scan_parts(table::ATTRIBUTION, &paths)?)
        }
        _ => None,
    };
    let attribution = crate::sql::attribution_table(store, attribution)?;
    let cols = |names: &[&str]| names.iter().map(|c| col(*c)).collect::<Vec<_>>();
    let mut all_columns = EVENT_COLUMNS.to_vec();
    all_columns.extend(ATTRIBUTION_COLUMNS);
    let mut events = None;
    let mut beside = false;
    if let (None, None, Some(by_day), Some(stored)) = (
        window.since,
        window.until,
        crate::attribution::links::event_parts_by_day(store),
        attribution_by_day,
    ) {
        // Both tables day by day, in store order within a day: the order
        // the attribution table is written in.
        let paths: Vec<_> = by_day.into_values().flatten().collect();
        let events_lf = store.scan_parts(table::EVENTS, &paths)?;
        let attribution = stored;
        let (ev, at) = rayon::join(
            || {
                let mut names = vec![events::EVENT_KEY];
                names.extend(EVENT_COLUMNS);
                events_lf.select(cols(&names)).collect()
            },
            || {
                let mut names = vec![attribution::EVENT_KEY];
                names.extend(ATTRIBUTION_COLUMNS);
                attribution.select(cols(&names)).collect()
            },
        );
        let (ev, at) = (ev?, at?);
        let (keys, attributed) = (
            ev.column(events::EVENT_KEY)?.as_materialized_series(),
            at.column(attribution::EVENT_KEY)?.as_materialized_series(),
        );
        let aligned =
            ev.height() == at.height() && keys.null_count() == 0 && keys.equal(attributed)?.all();
        events = Some(if aligned {
            let mut both = ev.drop(events::EVENT_KEY)?;
            for name in ATTRIBUTION_COLUMNS {
                both.with_column(at.column(name)?.clone())?;
            }
            both
        } else {
            // Out of step: the join, of the frames already read.
            crate::sql::with_attribution(ev.lazy(), at.lazy())
                .select(cols(&all_columns))
                .collect()?
        });
        beside = aligned;
    }
    let mut events = match events {
        Some(df) => df,
        None => crate::sql::with_attribution(window.apply(store.scan(table::EVENTS)?), attribution)
            .select(cols(&all_columns))
            .collect()?,
    };
    let dense = dense_ids(events.column(attribution::ACTION_ID)?.str()?);
    events.with_column(dense.into_column())?;
    Ok((events, beside))
}

/// Equal texts get equal numbers (first seen, first numbered); null stays
/// null.
fn dense_ids(ca: &StringChunked) -> UInt32Chunked {
    let mut ids: PlHashMap<&str, u32> = PlHashMap::default();
    ca.iter()
        .map(|v| {
            let next = ids.len() as u32;
            Some(*ids.entry(v?).or_insert(next))
        })
        .collect::<UInt32Chunked>()
        .with_name(ca.name().clone())
}

#[cfg(test)]
mod section_keys {
    #[test]
    fn keys_are_the_sections() {
        let keys: Vec<&str> = super::SECTIONS.iter().map(|s| s.0).collect();
        assert_eq!(keys, super::SECTION_KEYS);
    }
}
