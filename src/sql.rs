//! Runs SQL (polars SQL) over the store's tables.
//!
//! Every table of the store is registered under its own name; `events` is
//! narrowed to the `--since`/`--until` window first, so shipped queries and
//! users' own see the same rows.

use crate::schema::{at, ev, table};
use crate::store::Store;
use anyhow::{Context, Result};
use polars::prelude::*;
use polars::sql::SQLContext;

/// A half-open time window `[since, until)` in microseconds since the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeWindow {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl TimeWindow {
    pub fn apply(&self, lf: LazyFrame) -> LazyFrame {
        let t = || col(ev::EVENT_TIME).dt().timestamp(TimeUnit::Microseconds);
        let mut lf = lf;
        if let Some(s) = self.since {
            lf = lf.filter(t().gt_eq(lit(s)));
        }
        if let Some(u) = self.until {
            lf = lf.filter(t().lt(lit(u)));
        }
        lf
    }
}

pub fn context(store: &Store, window: TimeWindow) -> Result<SQLContext> {
    context_with(store, window, None)
}

/// Like `context`, with `attribution` standing in for the stored table.
/// `events` carries the attribution columns (a left join on `event_id`).
pub fn context_with(
    store: &Store,
    window: TimeWindow,
    attribution: Option<LazyFrame>,
) -> Result<SQLContext> {
    let cx = SQLContext::new();
    let attribution = match attribution {
        Some(lf) => lf,
        None => store.scan(table::ATTRIBUTION)?,
    };
    for name in store.table_names() {
        let mut lf = match name {
            table::ATTRIBUTION => attribution.clone(),
            _ => store.scan(name)?,
        };
        if name == table::EVENTS {
            lf = with_attribution(window.apply(lf), attribution.clone());
        }
        cx.register(name, lf);
    }
    Ok(cx)
}

/// `events` with the attribution columns (a left join on `event_id`; the
/// attribution has one row per id, so no event row is repeated).
pub fn with_attribution(events: LazyFrame, attribution: LazyFrame) -> LazyFrame {
    events.join(
        attribution,
        [col(ev::EVENT_ID)],
        [col(at::EVENT_ID)],
        JoinArgs::new(JoinType::Left).with_coalesce(JoinCoalesce::CoalesceColumns),
    )
}

/// Runs one statement and collects the result.
pub fn run(cx: &mut SQLContext, sql: &str) -> Result<DataFrame> {
    let lf = cx
        .execute(sql)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("in SQL:\n{}", sql.trim()))?;
    lf.collect()
        .map_err(anyhow::Error::from)
        .with_context(|| format!("running SQL:\n{}", sql.trim()))
}

/// A list-of-strings column (`resources`, `expected_operations`, …) as one
/// owned list per row; null rows and null elements are left out.
pub fn string_lists(df: &DataFrame, name: &str) -> Result<Vec<Vec<String>>> {
    let ca = df.column(name)?.list()?;
    let mut out = Vec::with_capacity(ca.len());
    for s in ca.amortized_iter() {
        out.push(match s {
            Some(s) => s
                .as_ref()
                .str()?
                .iter()
                .flatten()
                .map(str::to_owned)
                .collect(),
            None => Vec::new(),
        });
    }
    Ok(out)
}
