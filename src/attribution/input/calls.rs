//! What attribution reads from the transcript tables: the tool calls that
//! may reach AWS, with their session's agent and operator, and when people
//! wrote in each session.

use crate::schema::transcripts;
use anyhow::Result;
use polars::prelude::*;

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
    /// auto, explicit, rejected, unknown (`tool_calls.approval`).
    pub approval: Option<String>,
    /// What the approval rests on (`tool_calls.approval_evidence`): for an
    /// auto-approved call, the mode or rule that let it through.
    pub approval_evidence: Option<String>,
    pub tool_name: Option<String>,
    /// Why the call's record is out of order in its transcript, if it is
    /// (`provenance::chain_breaks`): such a call does not count fully.
    pub chain: Option<String>,
}

fn strs<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    Ok(df
        .column(name)
        .map_err(|e| anyhow::anyhow!("column {name}: {e}"))?
        .str()?
        .iter()
        .collect())
}

/// Tool calls that reach AWS, joined with their session's agent and
/// operator, ordered by (start, session, call) so the result does not depend
/// on part order.
pub fn calls(tool_calls: LazyFrame, sessions: LazyFrame) -> Result<Vec<Call>> {
    let ts = |c: &str| col(c).dt().timestamp(TimeUnit::Microseconds).alias(c);
    let sessions = sessions
        .select([
            col(transcripts::SESSION_ID),
            col(transcripts::AGENT),
            col(transcripts::OPERATOR),
        ])
        .unique(
            Some(cols([transcripts::SESSION_ID])),
            UniqueKeepStrategy::First,
        );
    let df = tool_calls
        .filter(col(transcripts::TOUCHES_AWS).fill_null(lit(false)))
        .select([
            col(transcripts::SESSION_ID),
            col(transcripts::CALL_ID),
            ts(transcripts::STARTED_AT),
            ts(transcripts::ENDED_AT),
            col(transcripts::EXPECTED_OPERATIONS),
            col(transcripts::CLI_COMMANDS),
            col(transcripts::UNKNOWN_AWS_OPERATIONS).fill_null(lit(false)),
            col(transcripts::AWS_REGION),
            col(transcripts::COMMAND),
            col(transcripts::OUTCOME),
            col(transcripts::APPROVAL),
            col(transcripts::APPROVAL_EVIDENCE),
            col(transcripts::TOOL_NAME),
        ])
        .join(
            sessions,
            [col(transcripts::SESSION_ID)],
            [col(transcripts::SESSION_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .sort(
            [
                transcripts::STARTED_AT,
                transcripts::SESSION_ID,
                transcripts::CALL_ID,
            ],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()
        .map_err(|e| anyhow::anyhow!("reading tool calls: {e}"))?;
    let sid = strs(&df, transcripts::SESSION_ID)?;
    let cid = strs(&df, transcripts::CALL_ID)?;
    let agent = strs(&df, transcripts::AGENT)?;
    let operator = strs(&df, transcripts::OPERATOR)?;
    let region = strs(&df, transcripts::AWS_REGION)?;
    let command = strs(&df, transcripts::COMMAND)?;
    let outcome = strs(&df, transcripts::OUTCOME)?;
    let approval = strs(&df, transcripts::APPROVAL)?;
    let approval_evidence = strs(&df, transcripts::APPROVAL_EVIDENCE)?;
    let tool_name = strs(&df, transcripts::TOOL_NAME)?;
    let started: Vec<Option<i64>> = df.column(transcripts::STARTED_AT)?.i64()?.iter().collect();
    let ended: Vec<Option<i64>> = df.column(transcripts::ENDED_AT)?.i64()?.iter().collect();
    let unknown: Vec<bool> = df
        .column(transcripts::UNKNOWN_AWS_OPERATIONS)?
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let expected = crate::sql::string_lists(&df, transcripts::EXPECTED_OPERATIONS)?;
    let cli = crate::sql::string_lists(&df, transcripts::CLI_COMMANDS)?;
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
            approval: own(approval[i]),
            approval_evidence: own(approval_evidence[i]),
            tool_name: own(tool_name[i]),
            chain: None,
        });
    }
    Ok(out)
}

/// When people wrote in each session (user messages), sorted, in
/// microseconds: how long before an action a human last spoke.
pub fn user_message_times(messages: LazyFrame) -> Result<PlHashMap<String, Vec<i64>>> {
    let df = messages
        .filter(col(transcripts::ROLE).eq(lit("user")))
        .select([
            col(transcripts::SESSION_ID),
            col(transcripts::TIME)
                .dt()
                .timestamp(TimeUnit::Microseconds)
                .alias(transcripts::TIME),
        ])
        .collect()
        .map_err(|e| anyhow::anyhow!("reading messages: {e}"))?;
    let sid = strs(&df, transcripts::SESSION_ID)?;
    let mut out: PlHashMap<String, Vec<i64>> = PlHashMap::default();
    for (s, t) in sid
        .into_iter()
        .zip(df.column(transcripts::TIME)?.i64()?.iter())
    {
        if let (Some(s), Some(t)) = (s, t) {
            out.entry(s.to_string()).or_default().push(t);
        }
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    Ok(out)
}
