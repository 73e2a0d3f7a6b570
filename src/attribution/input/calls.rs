//! What attribution reads from the transcript tables: the tool calls that
//! may reach AWS, with their session's agent and operator, and when people
//! wrote in each session. A call recorded by more than one file (a
//! transcript and a hook log) is read once, with the stronger approval.

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
    /// Why the call's record is outside its file's record chain, as the
    /// reader found it (`tool_calls.chain_break`, `<kind>: <where>`).
    pub chain_break: Option<String>,
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
            col(transcripts::SOURCE_FILE),
            col(transcripts::CHAIN_BREAK),
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
                transcripts::SOURCE_FILE,
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
    let chain_break = strs(&df, transcripts::CHAIN_BREAK)?;
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
    let mut out: Vec<Call> = Vec::with_capacity(df.height());
    // (session, call) → index in `out`: one call recorded by several files
    // (a transcript and a hook log or telemetry) is one call.
    let mut seen: PlHashMap<(&str, &str), usize> = PlHashMap::default();
    for (i, (exp, cli)) in expected.into_iter().zip(cli).enumerate() {
        // A call with no time cannot be placed against CloudTrail.
        let Some(started_at) = started[i] else {
            continue;
        };
        let own = |v: Option<&str>| v.map(str::to_owned);
        let key = (sid[i].unwrap_or_default(), cid[i].unwrap_or_default());
        if let Some(&at) = seen.get(&key) {
            let other = Call {
                approval: own(approval[i]),
                approval_evidence: own(approval_evidence[i]),
                command: own(command[i]),
                ended_at: ended[i],
                outcome: own(outcome[i]),
                region: own(region[i]),
                chain_break: own(chain_break[i]),
                ..Call::default()
            };
            merge_into(&mut out[at], other);
            continue;
        }
        seen.insert(key, out.len());
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
            chain_break: own(chain_break[i]),
        });
    }
    Ok(out)
}

/// How strongly an approval value is recorded: a person's or a rule's
/// answer on record beats a mode that let the call through, which beats
/// nothing.
fn approval_strength(a: Option<&str>) -> u8 {
    match a {
        Some("explicit" | "rejected") => 2,
        Some("auto") => 1,
        _ => 0,
    }
}

/// A second record of the same call: its approval replaces the first when
/// stronger (ties keep the first, in (start, file) order), and it fills
/// what the first lacks.
fn merge_into(call: &mut Call, other: Call) {
    if approval_strength(other.approval.as_deref()) > approval_strength(call.approval.as_deref()) {
        call.approval = other.approval;
        call.approval_evidence = other.approval_evidence;
        if other.outcome.is_some() {
            call.outcome.clone_from(&other.outcome);
        }
    }
    call.command = call.command.take().or(other.command);
    call.ended_at = call.ended_at.or(other.ended_at);
    call.outcome = call.outcome.take().or(other.outcome);
    call.region = call.region.take().or(other.region);
    // A break in any file that records the call stands.
    call.chain_break = call.chain_break.take().or(other.chain_break);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn call(approval: &str, evidence: &str, command: Option<&str>) -> Call {
        Call {
            approval: Some(approval.into()),
            approval_evidence: Some(evidence.into()),
            command: command.map(str::to_owned),
            ..Call::default()
        }
    }

    #[test]
    fn issue_19_a_second_record_of_a_call_brings_a_stronger_approval_only() {
        let mut c = call(
            "unknown",
            "permissionMode=acceptEdits",
            Some("aws s3 rb s3://x"),
        );
        merge_into(
            &mut c,
            call("explicit", "PermissionRequest (hook log)", None),
        );
        assert_eq!(c.approval.as_deref(), Some("explicit"));
        assert_eq!(
            c.approval_evidence.as_deref(),
            Some("PermissionRequest (hook log)")
        );
        assert_eq!(c.command.as_deref(), Some("aws s3 rb s3://x"));
        merge_into(
            &mut c,
            call("auto", "permissionMode=bypassPermissions", None),
        );
        assert_eq!(c.approval.as_deref(), Some("explicit"));
        let mut first = call("auto", "a", None);
        merge_into(&mut first, call("auto", "b", Some("aws s3 ls")));
        assert_eq!(
            (first.approval_evidence.as_deref(), first.command.as_deref()),
            (Some("a"), Some("aws s3 ls"))
        );
    }
}
