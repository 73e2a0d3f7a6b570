//! What attribution reads: the events' identity and user-agent columns, and
//! the transcripts' tool calls with their sessions. Columns borrow from the
//! frames they were read from (no copies of 1M strings).

use crate::schema::{ev, tr};
use anyhow::Result;
use polars::prelude::*;

/// The event columns attribution uses, one entry per event, in store order.
#[derive(Default)]
pub struct Events<'a> {
    pub id: Vec<Option<&'a str>>,
    /// eventTime in microseconds since the epoch.
    pub time: Vec<i64>,
    pub source: Vec<Option<&'a str>>,
    pub name: Vec<Option<&'a str>>,
    pub region: Vec<Option<&'a str>>,
    pub account: Vec<Option<&'a str>>,
    pub identity_type: Vec<Option<&'a str>>,
    pub principal_arn: Vec<Option<&'a str>>,
    pub user_name: Vec<Option<&'a str>>,
    pub role_name: Vec<Option<&'a str>>,
    pub session_name: Vec<Option<&'a str>>,
    pub source_identity: Vec<Option<&'a str>>,
    pub invoked_by: Vec<Option<&'a str>>,
    pub on_behalf_of: Vec<Option<&'a str>>,
    pub source_ip: Vec<Option<&'a str>>,
    pub user_agent: Vec<Option<&'a str>>,
    pub event_type: Vec<Option<&'a str>>,
    pub console: Vec<bool>,
}

impl<'a> Events<'a> {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}

/// One tool call that may reach AWS, with its session's agent and operator.
#[derive(Clone, Debug, Default)]
pub struct Call {
    pub session_id: String,
    pub call_id: String,
    pub agent: String,
    pub operator: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// `event_source:EventName`.
    pub expected: Vec<String>,
    pub cli_commands: Vec<String>,
    pub unknown_operations: bool,
    pub region: Option<String>,
    pub command: Option<String>,
    pub outcome: Option<String>,
}

/// The columns `Events` borrows, as a lazy selection with `event_time` in
/// microseconds.
pub fn event_selection(lf: LazyFrame) -> LazyFrame {
    let strs = [
        ev::EVENT_ID,
        ev::EVENT_SOURCE,
        ev::EVENT_NAME,
        ev::AWS_REGION,
        ev::ACCOUNT_ID,
        ev::IDENTITY_TYPE,
        ev::PRINCIPAL_ARN,
        ev::USER_NAME,
        ev::ROLE_NAME,
        ev::SESSION_NAME,
        ev::SOURCE_IDENTITY,
        ev::INVOKED_BY,
        ev::ON_BEHALF_OF,
        ev::SOURCE_IP,
        ev::USER_AGENT,
        ev::EVENT_TYPE,
    ];
    let mut cols: Vec<Expr> = strs.iter().map(|c| col(*c)).collect();
    cols.push(
        col(ev::EVENT_TIME)
            .dt()
            .timestamp(TimeUnit::Microseconds)
            .alias(ev::EVENT_TIME),
    );
    cols.push(col(ev::CONSOLE_SESSION).fill_null(lit(false)));
    lf.select(cols)
}

fn strs<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    Ok(df
        .column(name)
        .map_err(|e| anyhow::anyhow!("column {name}: {e}"))?
        .str()?
        .iter()
        .collect())
}

/// Borrows the columns of a frame made by `event_selection`.
pub fn events(df: &DataFrame) -> Result<Events<'_>> {
    Ok(Events {
        id: strs(df, ev::EVENT_ID)?,
        time: df
            .column(ev::EVENT_TIME)?
            .i64()?
            .iter()
            .map(|t| t.unwrap_or(i64::MIN))
            .collect(),
        source: strs(df, ev::EVENT_SOURCE)?,
        name: strs(df, ev::EVENT_NAME)?,
        region: strs(df, ev::AWS_REGION)?,
        account: strs(df, ev::ACCOUNT_ID)?,
        identity_type: strs(df, ev::IDENTITY_TYPE)?,
        principal_arn: strs(df, ev::PRINCIPAL_ARN)?,
        user_name: strs(df, ev::USER_NAME)?,
        role_name: strs(df, ev::ROLE_NAME)?,
        session_name: strs(df, ev::SESSION_NAME)?,
        source_identity: strs(df, ev::SOURCE_IDENTITY)?,
        invoked_by: strs(df, ev::INVOKED_BY)?,
        on_behalf_of: strs(df, ev::ON_BEHALF_OF)?,
        source_ip: strs(df, ev::SOURCE_IP)?,
        user_agent: strs(df, ev::USER_AGENT)?,
        event_type: strs(df, ev::EVENT_TYPE)?,
        console: df
            .column(ev::CONSOLE_SESSION)?
            .bool()?
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect(),
    })
}

fn string_lists(df: &DataFrame, name: &str) -> Result<Vec<Vec<String>>> {
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

/// Tool calls that reach AWS, joined with their session's agent and
/// operator, ordered by (start, session, call) so the result does not depend
/// on part order.
pub fn calls(tool_calls: LazyFrame, sessions: LazyFrame) -> Result<Vec<Call>> {
    let ts = |c: &str| col(c).dt().timestamp(TimeUnit::Microseconds).alias(c);
    let sessions = sessions
        .select([col(tr::SESSION_ID), col(tr::AGENT), col(tr::OPERATOR)])
        .unique(Some(cols([tr::SESSION_ID])), UniqueKeepStrategy::First);
    let df = tool_calls
        .filter(col(tr::TOUCHES_AWS).fill_null(lit(false)))
        .select([
            col(tr::SESSION_ID),
            col(tr::CALL_ID),
            ts(tr::STARTED_AT),
            ts(tr::ENDED_AT),
            col(tr::EXPECTED_OPERATIONS),
            col(tr::CLI_COMMANDS),
            col(tr::UNKNOWN_AWS_OPERATIONS).fill_null(lit(false)),
            col(tr::AWS_REGION),
            col(tr::COMMAND),
            col(tr::OUTCOME),
        ])
        .join(
            sessions,
            [col(tr::SESSION_ID)],
            [col(tr::SESSION_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .sort(
            [tr::STARTED_AT, tr::SESSION_ID, tr::CALL_ID],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()
        .map_err(|e| anyhow::anyhow!("reading tool calls: {e}"))?;
    let sid = strs(&df, tr::SESSION_ID)?;
    let cid = strs(&df, tr::CALL_ID)?;
    let agent = strs(&df, tr::AGENT)?;
    let operator = strs(&df, tr::OPERATOR)?;
    let region = strs(&df, tr::AWS_REGION)?;
    let command = strs(&df, tr::COMMAND)?;
    let outcome = strs(&df, tr::OUTCOME)?;
    let started: Vec<Option<i64>> = df.column(tr::STARTED_AT)?.i64()?.iter().collect();
    let ended: Vec<Option<i64>> = df.column(tr::ENDED_AT)?.i64()?.iter().collect();
    let unknown: Vec<bool> = df
        .column(tr::UNKNOWN_AWS_OPERATIONS)?
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let expected = string_lists(&df, tr::EXPECTED_OPERATIONS)?;
    let cli = string_lists(&df, tr::CLI_COMMANDS)?;
    let mut out = Vec::with_capacity(df.height());
    for (i, (exp, cli)) in expected.into_iter().zip(cli).enumerate() {
        // A call with no time cannot be placed against CloudTrail.
        let Some(started_at) = started[i] else {
            continue;
        };
        let own = |v: Option<&str>| v.map(str::to_owned);
        out.push(Call {
            session_id: sid[i].unwrap_or_default().to_owned(),
            call_id: cid[i].unwrap_or_default().to_owned(),
            agent: agent[i].unwrap_or("agent").to_owned(),
            operator: own(operator[i]),
            started_at,
            ended_at: ended[i],
            expected: exp,
            cli_commands: cli,
            unknown_operations: unknown[i],
            region: own(region[i]),
            command: own(command[i]),
            outcome: own(outcome[i]),
        });
    }
    Ok(out)
}
