//! Agent transcripts into the `agent_sessions`, `tool_calls` and `messages`
//! tables.
//!
//! Parsing is `crate::transcripts` (one module per agent); this file turns its
//! rows into frames and adds, per tool call, the CloudTrail events the
//! command is expected to cause (`crate::commands`), the key the attribution
//! join reads.

use crate::commands::{self, CommandContext};
use crate::schema::{self, tr};
use crate::transcripts::{AgentSession, Message, ParsedTranscript, ToolCall};
use anyhow::Result;
use polars::prelude::*;

/// The three tables of one transcript file.
pub struct TranscriptFrames {
    pub sessions: DataFrame,
    pub tool_calls: DataFrame,
    pub messages: DataFrame,
}

fn name(n: &'static str) -> PlSmallStr {
    PlSmallStr::from_static(n)
}

fn strs<'a, T: 'a>(n: &'static str, rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> Column {
    StringChunked::from_iter_options(name(n), rows.iter().map(f)).into_column()
}

fn times<T>(n: &'static str, rows: &[T], f: impl Fn(&T) -> Option<i64>) -> Result<Column> {
    Ok(Int64Chunked::from_iter_options(name(n), rows.iter().map(f))
        .into_series()
        .cast(&schema::utc_micros())?
        .into_column())
}

fn lists(n: &'static str, values: &[Vec<String>]) -> Column {
    let mut b = ListStringChunkedBuilder::new(name(n), values.len(), values.len() * 2);
    for v in values {
        b.append_values_iter(v.iter().map(String::as_str));
    }
    b.finish().into_column()
}

/// What `crate::commands` makes of one call.
struct Expected {
    operations: Vec<String>,
    cli_commands: Vec<String>,
    touches_aws: bool,
    unknown: bool,
    dry_run: bool,
    destructive: bool,
    region: Option<String>,
    profile: Option<String>,
}

fn expected(call: &ToolCall) -> Expected {
    let ctx = CommandContext {
        env_region: None,
        env_profile: None,
    };
    let invocations = match (&call.aws_service, &call.aws_operation, &call.command) {
        (Some(svc), Some(op), _) => vec![commands::analyse_structured(
            svc,
            op,
            call.aws_region.as_deref(),
            call.aws_profile.as_deref(),
        )],
        (_, _, Some(cmd)) => commands::analyse_command(cmd, &ctx).invocations,
        _ => Vec::new(),
    };
    let mut e = Expected {
        operations: Vec::new(),
        cli_commands: Vec::new(),
        touches_aws: !invocations.is_empty(),
        unknown: false,
        dry_run: false,
        destructive: false,
        region: None,
        profile: None,
    };
    for inv in invocations {
        for op in &inv.operations {
            let s = format!("{}:{}", op.event_source, op.event_name);
            if !e.operations.contains(&s) {
                e.operations.push(s);
            }
        }
        if let Some(c) = inv.cli_command {
            e.cli_commands.push(c);
        }
        e.unknown |= !inv.operations_known;
        e.dry_run |= inv.dry_run;
        e.destructive |= inv.destructive_hint;
        e.region = e.region.or(inv.region);
        e.profile = e.profile.or(inv.profile);
    }
    e
}

pub fn frames(p: &ParsedTranscript) -> Result<TranscriptFrames> {
    Ok(TranscriptFrames {
        sessions: sessions_frame(&p.sessions)?,
        tool_calls: tool_calls_frame(&p.tool_calls)?,
        messages: messages_frame(&p.messages)?,
    })
}

fn sessions_frame(rows: &[AgentSession]) -> Result<DataFrame> {
    use tr::*;
    Ok(DataFrame::new(
        rows.len(),
        vec![
            strs(SESSION_ID, rows, |r| Some(&r.session_id)),
            strs(AGENT, rows, |r| Some(&r.agent)),
            strs(AGENT_VERSION, rows, |r| r.agent_version.as_deref()),
            strs(MODEL, rows, |r| r.model.as_deref()),
            times(STARTED_AT, rows, |r| r.started_at)?,
            times(ENDED_AT, rows, |r| r.ended_at)?,
            strs(CWD, rows, |r| r.cwd.as_deref()),
            strs(GIT_BRANCH, rows, |r| r.git_branch.as_deref()),
            strs(OPERATOR, rows, |r| r.operator.as_deref()),
            strs(APPROVAL_MODE, rows, |r| r.approval_mode.as_deref()),
            strs(SANDBOX, rows, |r| r.sandbox.as_deref()),
            strs(PARENT_SESSION_ID, rows, |r| r.parent_session_id.as_deref()),
            strs(SOURCE_FILE, rows, |r| Some(&r.source_file)),
        ],
    )?)
}

fn tool_calls_frame(rows: &[ToolCall]) -> Result<DataFrame> {
    use tr::*;
    let exp: Vec<Expected> = rows.iter().map(expected).collect();
    let ops: Vec<Vec<String>> = exp.iter().map(|e| e.operations.clone()).collect();
    let clis: Vec<Vec<String>> = exp.iter().map(|e| e.cli_commands.clone()).collect();
    let bools = |n: &'static str, f: fn(&Expected) -> bool| {
        BooleanChunked::from_iter_values(name(n), exp.iter().map(f)).into_column()
    };
    let region: Vec<Option<&str>> = rows
        .iter()
        .zip(&exp)
        .map(|(r, e)| r.aws_region.as_deref().or(e.region.as_deref()))
        .collect();
    let profile: Vec<Option<&str>> = rows
        .iter()
        .zip(&exp)
        .map(|(r, e)| r.aws_profile.as_deref().or(e.profile.as_deref()))
        .collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            strs(SESSION_ID, rows, |r| Some(&r.session_id)),
            strs(CALL_ID, rows, |r| Some(&r.call_id)),
            times(STARTED_AT, rows, |r| r.started_at)?,
            times(ENDED_AT, rows, |r| r.ended_at)?,
            strs(TOOL_NAME, rows, |r| Some(&r.tool_name)),
            strs(COMMAND, rows, |r| r.command.as_deref()),
            strs(COMMAND_RAW, rows, |r| r.command_raw.as_deref()),
            Int64Chunked::from_iter_options(name(EXIT_CODE), rows.iter().map(|r| r.exit_code))
                .into_column(),
            strs(OUTCOME, rows, |r| Some(r.outcome.as_str())),
            strs(APPROVAL, rows, |r| Some(r.approval.as_str())),
            strs(APPROVAL_EVIDENCE, rows, |r| r.approval_evidence.as_deref()),
            strs(OUTPUT_EXCERPT, rows, |r| r.output_excerpt.as_deref()),
            strs(AWS_SERVICE, rows, |r| r.aws_service.as_deref()),
            strs(AWS_OPERATION, rows, |r| r.aws_operation.as_deref()),
            StringChunked::from_iter_options(name(AWS_REGION), region.into_iter()).into_column(),
            StringChunked::from_iter_options(name(AWS_PROFILE), profile.into_iter()).into_column(),
            lists(EXPECTED_OPERATIONS, &ops),
            lists(CLI_COMMANDS, &clis),
            bools(TOUCHES_AWS, |e| e.touches_aws),
            bools(UNKNOWN_AWS_OPERATIONS, |e| e.unknown),
            bools(DRY_RUN, |e| e.dry_run),
            bools(DESTRUCTIVE_HINT, |e| e.destructive),
            strs(SOURCE_FILE, rows, |r| Some(&r.source_file)),
            UInt64Chunked::from_iter_values(name(SOURCE_LINE), rows.iter().map(|r| r.source_line))
                .into_column(),
        ],
    )?)
}

fn messages_frame(rows: &[Message]) -> Result<DataFrame> {
    use tr::*;
    Ok(DataFrame::new(
        rows.len(),
        vec![
            strs(SESSION_ID, rows, |r| Some(&r.session_id)),
            times(TIME, rows, |r| r.time)?,
            strs(ROLE, rows, |r| Some(r.role.as_str())),
            strs(TEXT_EXCERPT, rows, |r| Some(&r.text_excerpt)),
            strs(SOURCE_FILE, rows, |r| Some(&r.source_file)),
            UInt64Chunked::from_iter_values(name(SOURCE_LINE), rows.iter().map(|r| r.source_line))
                .into_column(),
        ],
    )?)
}
