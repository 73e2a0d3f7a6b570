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

/// Columns the summary queries read.
const COLUMNS: &[&str] = &[
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
    let attribution = match attribution {
        Some(a) => a,
        None => store.scan(table::ATTRIBUTION)?,
    };
    let events =
        crate::sql::with_attribution(window.apply(store.scan(table::EVENTS)?), attribution)
            .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
            .collect()?;
    clock.lap("summary: events with their attribution");
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
