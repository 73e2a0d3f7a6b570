//! Runs SQL (polars SQL) over the store's tables.
//!
//! Every table of the store is registered under its own name; `events` is
//! narrowed to the `--since`/`--until` window first, so shipped queries and
//! users' own see the same rows.

use crate::schema::{attribution, events, table};
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
        let t = || {
            col(events::EVENT_TIME)
                .dt()
                .timestamp(TimeUnit::Microseconds)
        };
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
    let attribution = attribution_table(store, attribution)?;
    for name in store.table_names() {
        let mut lf = match name {
            table::ATTRIBUTION => attribution.clone(),
            table::EVENTS => store.scan_events_between(window.since, window.until)?,
            _ => store.scan(name)?,
        };
        if name == table::EVENTS {
            lf = with_attribution(window.apply(lf), attribution.clone());
        }
        cx.register(name, lf);
    }
    Ok(cx)
}

/// `attribution` when given (computed in memory, see `Workspace`), else
/// the stored table.
pub fn attribution_table(store: &Store, attribution: Option<LazyFrame>) -> Result<LazyFrame> {
    match attribution {
        Some(lf) => Ok(lf),
        None => store.scan(table::ATTRIBUTION),
    }
}

/// Like `context_with`, with `events` (already joined with the attribution)
/// given in memory; the window still applies.
pub fn context_over(
    store: &Store,
    window: TimeWindow,
    attribution: Option<LazyFrame>,
    events: LazyFrame,
) -> Result<SQLContext> {
    let cx = SQLContext::new();
    for name in store.table_names() {
        let lf = match (name, &attribution) {
            (table::EVENTS, _) => window.apply(events.clone()),
            (table::ATTRIBUTION, Some(a)) => a.clone(),
            _ => store.scan(name)?,
        };
        cx.register(name, lf);
    }
    Ok(cx)
}

/// `events` with the attribution columns (a left join on `event_key`; the
/// attribution has one row per stored event, so no event row is repeated
/// and events that share an `event_id` keep their own labels).
pub fn with_attribution(events: LazyFrame, attribution: LazyFrame) -> LazyFrame {
    events.join(
        attribution,
        [col(events::EVENT_KEY)],
        [col(attribution::EVENT_KEY)],
        JoinArgs::new(JoinType::Left).with_coalesce(JoinCoalesce::CoalesceColumns),
    )
}

/// Refuses SQL that would read anything but the registered tables: a
/// table function (`read_csv('/etc/shadow')`, `read_parquet('https://…')`,
/// any `FROM name(args)`), which polars SQL would run with the user's file
/// and network access. For statements from users (`trailblame query`);
/// the shipped queries name tables only. Text that does not parse is left
/// to polars, which reports it.
pub fn check_sandboxed(sql: &str) -> Result<()> {
    use sqlparser::ast::{TableFactor, Visit, Visitor};
    use sqlparser::dialect::GenericDialect;
    use sqlparser::parser::{Parser, ParserOptions};
    use std::ops::ControlFlow;

    struct Outside;
    impl Visitor for Outside {
        type Break = String;
        fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<String> {
            match t {
                TableFactor::Table {
                    name,
                    args: Some(_),
                    ..
                } => ControlFlow::Break(format!("{name}(…)")),
                TableFactor::TableFunction { expr, .. } => {
                    ControlFlow::Break(format!("TABLE({expr})"))
                }
                TableFactor::Function { name, .. } => ControlFlow::Break(format!("{name}(…)")),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    let parsed = Parser::new(&GenericDialect)
        .with_options(ParserOptions {
            trailing_commas: true,
            ..Default::default()
        })
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements());
    let Ok(statements) = parsed else {
        return Ok(());
    };
    if let ControlFlow::Break(what) = statements.visit(&mut Outside) {
        anyhow::bail!(
            "{}: a table function reads files or the network, which `trailblame query` does not allow; \
             it sees only the store's tables (`trailblame schema` lists them)",
            crate::output::escape_controls(&what)
        );
    }
    Ok(())
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

/// Replaces `:name` placeholders with `params`' values as SQL string
/// literals (quotes doubled), outside string literals, quoted identifiers
/// and comments; `::` is left alone. The same rule as
/// `scripts/duckdb_check.py`, so a query file runs the same on DuckDB.
/// A placeholder without a value is an error naming it.
pub fn substitute(sql: &str, params: &[(String, String)]) -> Result<String> {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b'\'' | b'"' => {
                // A literal or quoted identifier; a doubled quote escapes it.
                i += 1;
                while i < b.len() {
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |e| i + e);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |e| i + 2 + e + 2);
            }
            b':' if b.get(i + 1) == Some(&b':') => i += 2,
            b':' if b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') =>
            {
                let mut j = i + 1;
                while j < b.len() && ident(b[j]) {
                    j += 1;
                }
                let name = &sql[i + 1..j];
                let Some((_, value)) = params.iter().find(|(k, _)| k == name) else {
                    anyhow::bail!(
                        "the SQL uses :{name} but no value was given (add --param {name}=VALUE)"
                    );
                };
                out.push('\'');
                out.push_str(&value.replace('\'', "''"));
                out.push('\'');
                i = j;
                continue;
            }
            _ => {
                // One character (whole, for non-ASCII text).
                i += sql[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        out.push_str(&sql[start..i]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::substitute;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders_become_quoted_literals_outside_strings_and_comments() {
        let sql = "SELECT ':acct', \"a:b\", x::INT -- :acct\n/* :acct */ FROM e WHERE a = :acct AND w = :week_1";
        let got = substitute(sql, &p(&[("acct", "O'Brien"), ("week_1", "2025-W50")])).unwrap();
        assert_eq!(
            got,
            "SELECT ':acct', \"a:b\", x::INT -- :acct\n/* :acct */ FROM e WHERE a = 'O''Brien' AND w = '2025-W50'"
        );
        assert_eq!(
            substitute("SELECT 'é:x' || :y", &p(&[("y", "ü")])).unwrap(),
            "SELECT 'é:x' || 'ü'"
        );
    }

    #[test]
    fn a_placeholder_without_a_value_is_named() {
        let e = substitute("SELECT * FROM events WHERE actor = :actor", &[]).unwrap_err();
        assert!(e.to_string().contains(":actor"), "{e}");
        assert!(e.to_string().contains("--param actor="), "{e}");
        // An unterminated literal or comment is left to the SQL parser.
        assert_eq!(substitute("SELECT ':x", &[]).unwrap(), "SELECT ':x");
    }
}
