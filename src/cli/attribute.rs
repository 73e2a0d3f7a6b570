//! `trailblame attribute PATH...|--store DIR`: every event with its actor,
//! operator, agent session, tool call, confidence, evidence and reason.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::output::Format;
use crate::schema::{attribution, events};
use crate::settings::DEFAULT_TOML;
use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only events of this actor kind
    #[arg(long, value_parser = ["ai", "human", "service", "automation", "unknown"])]
    pub kind: Option<String>,
    /// Print the built-in settings (a commented trailblame.toml) and exit
    #[arg(long)]
    pub print_config: bool,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The columns `attribute` prints, in order.
pub const COLUMNS: &[&str] = &[
    events::EVENT_ID,
    events::EVENT_TIME,
    events::ACCOUNT_ID,
    events::AWS_REGION,
    events::EVENT_SOURCE,
    events::EVENT_NAME,
    events::PRINCIPAL_ARN,
    attribution::ACTOR_KIND,
    attribution::ACTOR,
    attribution::OPERATOR,
    attribution::AGENT_SESSION_ID,
    attribution::TOOL_CALL_ID,
    attribution::CONFIDENCE,
    attribution::EVIDENCE,
    attribution::REASON,
    // Last: what tells apart records that share an eventID.
    events::EVENT_KEY,
];

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    if a.print_config {
        print!("{DEFAULT_TOML}");
        return Ok(ExitCode::SUCCESS);
    }
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let mut cx = data.sql(window)?;
    let filter = match &a.kind {
        Some(k) => format!("WHERE {} = '{k}'", attribution::ACTOR_KIND),
        None => String::new(),
    };
    let ocsf = matches!(a.out.format, Format::Ocsf | Format::OcsfParquet);
    let columns = if ocsf {
        crate::ocsf::write::COLUMNS
    } else {
        COLUMNS
    };
    let sql = format!(
        "SELECT {} FROM events {filter} ORDER BY {}, {}, {}",
        columns.join(", "),
        events::EVENT_TIME,
        events::EVENT_ID,
        events::EVENT_KEY
    );
    let mut df = match a.out.limit.filter(|_| !ocsf) {
        Some(n) => {
            let (df, total) = first_rows(&data, window, a.kind.as_deref(), &sql, n)?;
            a.out.note_left_out(df.height(), total, a.run.quiet);
            df
        }
        None => crate::sql::run(&mut cx, &sql)?,
    };
    if ocsf {
        let Some(out) = a.out.output.as_deref() else {
            bail!("--format ocsf and ocsf-parquet need --output FILE");
        };
        crate::ocsf::write::write(&df, out, a.out.format == Format::OcsfParquet)?;
        return Ok(exit_code(&data));
    }
    a.out.write(&mut df, ui, a.run.quiet)?;
    Ok(exit_code(&data))
}

/// Up to this many rows are found by a filter in each table's scan, more
/// by a join.
const FEW_KEYS: usize = 4_096;

/// The first `n` rows of the listing `sql` makes (its order: time, event
/// id, key), and how many rows it has in all, without the whole listing in
/// memory: first the keys of those rows, from the three columns the order
/// reads (and the actor kind when `kind` filters), then those rows alone,
/// read from both tables by key. The whole listing of a 3M-event store
/// took 3.7 GB to show one row.
fn first_rows(
    data: &crate::workspace::Workspace,
    window: crate::sql::TimeWindow,
    kind: Option<&str>,
    sql: &str,
    n: usize,
) -> Result<(polars::prelude::DataFrame, usize)> {
    use polars::prelude::*;
    use polars::sql::SQLContext;
    let store = &data.store;
    let events = window.apply(store.scan_events_between(window.since, window.until)?);
    let attribution = crate::sql::attribution_table(store, data.attribution.clone())?;
    let order = [events::EVENT_TIME, events::EVENT_ID, events::EVENT_KEY];
    // Rows by key (an inner join: keys are unique in both tables).
    let by_key = |lf: LazyFrame, keys: LazyFrame| {
        lf.join(
            keys,
            [col(events::EVENT_KEY)],
            [col(events::EVENT_KEY)],
            JoinArgs::new(JoinType::Inner),
        )
    };
    // Without a kind, the order's columns of the events alone; with one,
    // those of the events of that kind (joined to the attribution by key).
    let listed = match kind {
        None => events.clone().select(order.map(col)),
        Some(k) => by_key(
            events.clone().select(order.map(col)),
            attribution
                .clone()
                .filter(col(attribution::ACTOR_KIND).eq(lit(k)))
                .select([col(attribution::EVENT_KEY)]),
        ),
    };
    let total = crate::store::row_count(listed.clone())?;
    let mut cx = SQLContext::new();
    cx.register(crate::schema::table::EVENTS, listed);
    let first = crate::sql::run(
        &mut cx,
        &format!(
            "SELECT {} FROM events ORDER BY {} LIMIT {n}",
            events::EVENT_KEY,
            order.join(", ")
        ),
    )?;
    // Few keys are looked for in each table's scan; many, joined.
    let rows = if first.height() <= FEW_KEYS {
        let keys = lit(first
            .column(events::EVENT_KEY)?
            .as_materialized_series()
            .clone())
        .implode(false);
        crate::sql::with_attribution(
            events.filter(col(events::EVENT_KEY).is_in(keys.clone(), false)),
            attribution.filter(col(attribution::EVENT_KEY).is_in(keys, false)),
        )
    } else {
        let keys = first.lazy();
        crate::sql::with_attribution(by_key(events, keys.clone()), by_key(attribution, keys))
    };
    let mut cx = SQLContext::new();
    cx.register(crate::schema::table::EVENTS, rows);
    Ok((crate::sql::run(&mut cx, sql)?, total))
}
