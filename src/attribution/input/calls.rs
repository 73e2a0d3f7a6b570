//! What attribution reads from the transcript tables: the tool calls that
//! may reach AWS, with their session's agent and operator, and when people
//! wrote in each session. A call recorded by more than one file (a
//! transcript and a hook log) is read once, with the stronger approval.

use crate::schema::transcripts;
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;

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

/// The time a call must overlap to match an event between `first` and
/// `last` (microseconds): the join's window (start to end, or start plus
/// the longest call when the end is missing or before the start) widened
/// by the clock-skew allowances. A call outside it cannot match any of
/// those events, so it is not read.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    pub first: i64,
    pub last: i64,
    pub skew_before_us: i64,
    pub skew_after_us: i64,
    pub max_call_us: i64,
}

impl Reach {
    /// No time at all: no call is read, only counted.
    pub const NONE: Reach = Reach {
        first: i64::MAX,
        last: i64::MIN,
        skew_before_us: 0,
        skew_after_us: 0,
        max_call_us: 0,
    };

    /// The rows of `tool_calls` (with `started_at` and `ended_at` in
    /// microseconds) whose window may reach `first..=last`: a superset of
    /// the join's test, which reads the end only when it is not before the
    /// start.
    fn keeps(&self) -> Expr {
        let lo = self.first.saturating_sub(self.skew_after_us);
        let hi = self.last.saturating_add(self.skew_before_us);
        let started = col(transcripts::STARTED_AT);
        started.clone().lt_eq(lit(hi)).and(
            col(transcripts::ENDED_AT)
                .gt_eq(lit(lo))
                .fill_null(lit(false))
                .or(started.gt_eq(lit(lo.saturating_sub(self.max_call_us)))),
        )
    }
}

/// The calls attribution reads, and how many AWS tool calls the store
/// holds in all (the denominator of "calls matched", whatever `Reach`
/// left out).
pub struct Loaded {
    pub calls: Vec<Call>,
    pub total: usize,
}

/// Tool calls that reach AWS and may match an event in `reach`, joined
/// with their session's agent and operator, ordered by (start, session,
/// call, file) so the result does not depend on part order.
pub fn calls(tool_calls: LazyFrame, sessions: LazyFrame, reach: Reach) -> Result<Loaded> {
    let ts = |c: &str| col(c).dt().timestamp(TimeUnit::Microseconds).alias(c);
    let aws = tool_calls.filter(col(transcripts::TOUCHES_AWS).fill_null(lit(false)));
    let counted = aws.clone();
    let mut selected = aws.select([
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
    ]);
    // A call with no time cannot be placed against CloudTrail.
    selected = selected.filter(
        col(transcripts::STARTED_AT)
            .is_not_null()
            .and(reach.keeps()),
    );
    let read = || -> Result<(DataFrame, DataFrame)> {
        let df = selected
            .collect()
            .map_err(|e| anyhow::anyhow!("reading tool calls: {e}"))?;
        let sessions = sessions
            .select([
                col(transcripts::SESSION_ID),
                col(transcripts::AGENT),
                col(transcripts::OPERATOR),
            ])
            .collect()
            .map_err(|e| anyhow::anyhow!("reading agent sessions: {e}"))?;
        Ok((df, sessions))
    };
    let count = || -> Result<usize> {
        let distinct = counted
            .filter(col(transcripts::STARTED_AT).is_not_null())
            .select([col(transcripts::SESSION_ID), col(transcripts::CALL_ID)])
            .unique(None, UniqueKeepStrategy::Any)
            .collect()
            .map_err(|e| anyhow::anyhow!("counting tool calls: {e}"))?;
        Ok(distinct.height())
    };
    // No time at all (no events): no call can match, none is read.
    if reach.first > reach.last {
        return Ok(Loaded {
            calls: Vec::new(),
            total: count()?,
        });
    }
    let (read, count) = rayon::join(read, count);
    let (df, sessions) = read?;
    let calls = assemble(&df, &sessions)?;
    let total = count?;
    Ok(Loaded { calls, total })
}

/// The calls of `df` (`calls`' selection, unordered) with their sessions'
/// agent and operator: ordered, and one per (session, call).
fn assemble(df: &DataFrame, sessions: &DataFrame) -> Result<Vec<Call>> {
    // Session id → (agent, operator): the first row of a session id.
    let mut of_session: PlHashMap<&str, (Option<&str>, Option<&str>)> = PlHashMap::default();
    for ((s, a), o) in strs(sessions, transcripts::SESSION_ID)?
        .into_iter()
        .zip(strs(sessions, transcripts::AGENT)?)
        .zip(strs(sessions, transcripts::OPERATOR)?)
    {
        if let Some(s) = s {
            of_session.entry(s).or_insert((a, o));
        }
    }
    let sid = strs(df, transcripts::SESSION_ID)?;
    let cid = strs(df, transcripts::CALL_ID)?;
    let file = strs(df, transcripts::SOURCE_FILE)?;
    let region = strs(df, transcripts::AWS_REGION)?;
    let command = strs(df, transcripts::COMMAND)?;
    let outcome = strs(df, transcripts::OUTCOME)?;
    let approval = strs(df, transcripts::APPROVAL)?;
    let approval_evidence = strs(df, transcripts::APPROVAL_EVIDENCE)?;
    let tool_name = strs(df, transcripts::TOOL_NAME)?;
    let chain_break = strs(df, transcripts::CHAIN_BREAK)?;
    let started: Vec<i64> = df
        .column(transcripts::STARTED_AT)?
        .i64()?
        .iter()
        .map(|t| t.unwrap_or_default())
        .collect();
    let ended: Vec<Option<i64>> = df.column(transcripts::ENDED_AT)?.i64()?.iter().collect();
    let unknown: Vec<bool> = df
        .column(transcripts::UNKNOWN_AWS_OPERATIONS)?
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let expected = df.column(transcripts::EXPECTED_OPERATIONS)?.list()?;
    let cli = df.column(transcripts::CLI_COMMANDS)?.list()?;
    // (start, session, call, file), then the row: the order does not depend
    // on how the rows were split into parts or threads.
    let mut order: Vec<u32> = (0..df.height() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        (started[a], sid[a], cid[a], file[a], a).cmp(&(started[b], sid[b], cid[b], file[b], b))
    });
    // (session, call) → its first row: one call recorded by several files
    // (a transcript and a hook log or telemetry) is one call.
    let mut seen: PlHashMap<(&str, &str), usize> = PlHashMap::default();
    let mut firsts: Vec<usize> = Vec::new();
    let mut again: Vec<(usize, usize)> = Vec::new();
    for &i in &order {
        let i = i as usize;
        let key = (sid[i].unwrap_or_default(), cid[i].unwrap_or_default());
        match seen.get(&key) {
            Some(&at) => again.push((at, i)),
            None => {
                seen.insert(key, firsts.len());
                firsts.push(i);
            }
        }
    }
    let own = |v: Option<&str>| v.map(str::to_owned);
    let list = |ca: &ListChunked, i: usize| -> Vec<String> {
        ca.get_as_series(i)
            .and_then(|s| {
                s.str()
                    .ok()
                    .map(|s| s.iter().flatten().map(str::to_owned).collect())
            })
            .unwrap_or_default()
    };
    let mut out: Vec<Call> = firsts
        .par_iter()
        .map(|&i| {
            let s = sid[i].unwrap_or_default();
            let (agent, operator) = of_session.get(s).copied().unwrap_or((None, None));
            Call {
                session_id: s.to_owned(),
                call_id: cid[i].unwrap_or_default().to_owned(),
                agent: agent.unwrap_or("agent").to_owned(),
                operator: own(operator),
                started_at: started[i],
                ended_at: ended[i],
                expected: list(expected, i),
                cli_commands: list(cli, i),
                unknown_operations: unknown[i],
                region: own(region[i]),
                command: own(command[i]),
                outcome: own(outcome[i]),
                approval: own(approval[i]),
                approval_evidence: own(approval_evidence[i]),
                tool_name: own(tool_name[i]),
                chain: None,
                chain_break: own(chain_break[i]),
            }
        })
        .collect();
    for (at, i) in again {
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

    /// A tool-call row: (call id, start, end, file, touches AWS), times in
    /// seconds.
    type Row<'a> = (&'a str, Option<i64>, Option<i64>, &'a str, bool);

    /// Tool-call rows with `calls`' columns.
    fn tool_calls(rows: &[Row]) -> LazyFrame {
        let n = rows.len();
        let micros = |v: Vec<Option<i64>>| {
            Series::new("t".into(), v)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap()
        };
        let strs = |v: Vec<Option<&str>>| Series::new("s".into(), v);
        let lists = |v: &str| {
            let one = Series::new("".into(), [v]);
            Series::new("l".into(), vec![one; n])
        };
        let mut cols = vec![
            Series::new(transcripts::SESSION_ID.into(), vec!["s"; n]),
            strs(rows.iter().map(|r| Some(r.0)).collect()).with_name(transcripts::CALL_ID.into()),
            micros(rows.iter().map(|r| r.1.map(|t| t * 1_000_000)).collect())
                .with_name(transcripts::STARTED_AT.into()),
            micros(rows.iter().map(|r| r.2.map(|t| t * 1_000_000)).collect())
                .with_name(transcripts::ENDED_AT.into()),
            lists("s3.amazonaws.com:ListBuckets")
                .with_name(transcripts::EXPECTED_OPERATIONS.into()),
            lists("s3 ls").with_name(transcripts::CLI_COMMANDS.into()),
            Series::new(transcripts::UNKNOWN_AWS_OPERATIONS.into(), vec![false; n]),
            strs(rows.iter().map(|r| Some(r.3)).collect())
                .with_name(transcripts::SOURCE_FILE.into()),
            Series::new(
                transcripts::TOUCHES_AWS.into(),
                rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            ),
        ];
        for name in [
            transcripts::AWS_REGION,
            transcripts::COMMAND,
            transcripts::OUTCOME,
            transcripts::APPROVAL,
            transcripts::APPROVAL_EVIDENCE,
            transcripts::TOOL_NAME,
            transcripts::CHAIN_BREAK,
        ] {
            cols.push(strs(vec![None; n]).with_name(name.into()));
        }
        DataFrame::new(n, cols.into_iter().map(Column::from).collect())
            .unwrap()
            .lazy()
    }

    fn sessions() -> LazyFrame {
        df!(
            transcripts::SESSION_ID => ["s"],
            transcripts::AGENT => ["claude-code"],
            transcripts::OPERATOR => ["dev@example.com"],
        )
        .unwrap()
        .lazy()
    }

    #[test]
    fn calls_that_cannot_reach_the_events_are_counted_not_read() {
        let rows = [
            ("inside", Some(1500), Some(1501), "a", true),
            ("inside", Some(1500), None, "b", true),
            // Started long before, still running when the events began.
            ("long", Some(0), Some(1200), "a", true),
            // No end: it may last the longest call (900 s) and reach 995.
            ("open", Some(200), None, "a", true),
            ("before", Some(10), Some(20), "a", true),
            ("early", Some(50), None, "a", true),
            ("after", Some(2010), None, "a", true),
            ("untimed", None, None, "a", true),
            ("local", Some(1500), None, "a", false),
        ];
        let reach = Reach {
            first: 1000 * 1_000_000,
            last: 2000 * 1_000_000,
            skew_before_us: 5_000_000,
            skew_after_us: 5_000_000,
            max_call_us: 900_000_000,
        };
        let got = calls(tool_calls(&rows), sessions(), reach).unwrap();
        let ids: Vec<&str> = got.calls.iter().map(|c| c.call_id.as_str()).collect();
        assert_eq!(ids, ["long", "open", "inside"]);
        assert_eq!(got.calls[2].agent, "claude-code");
        assert_eq!(got.calls[2].operator.as_deref(), Some("dev@example.com"));
        // Every timed AWS call, once each, whatever was read.
        assert_eq!(got.total, 6);
        let none = calls(tool_calls(&rows), sessions(), Reach::NONE).unwrap();
        assert!(none.calls.is_empty());
        assert_eq!(none.total, 6);
    }

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
