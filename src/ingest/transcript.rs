//! Agent transcripts into the `agent_sessions`, `tool_calls` and `messages`
//! tables.
//!
//! Parsing is `crate::transcripts` (one module per agent); this file turns its
//! rows into frames and adds, per tool call, the CloudTrail events the
//! command is expected to cause (`crate::shell_commands`), the key the attribution
//! join reads.

use crate::schema::{self, transcripts};
use crate::shell_commands::{self, CommandContext};
use crate::transcripts::{AgentSession, Message, ParsedTranscript, ToolCall};
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::Arc;

/// Transcript rows waiting to be written, with each call's expected
/// operations already worked out (in the parallel phase). Frames are built
/// once per part, not per file: most transcripts are small.
#[derive(Default)]
pub struct TranscriptRows {
    pub sessions: Vec<AgentSession>,
    pub tool_calls: Vec<ToolCall>,
    /// Each call's expected operations, in the order of `tool_calls`.
    pub expected: Vec<Arc<Expected>>,
    pub messages: Vec<Message>,
    /// The rows' de-duplication keys, worked out in the parallel phase too;
    /// taken by `retain_new`.
    keys: Option<RowKeys>,
}

/// `row_key` of each session, call and message, in order.
struct RowKeys {
    sessions: Vec<u128>,
    calls: Vec<u128>,
    messages: Vec<u128>,
}

/// `f` of each row, on all cores when there are many.
fn each<T: Sync, R: Send>(rows: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if rows.len() >= PARALLEL_CALLS {
        rows.par_iter()
            .with_min_len(PARALLEL_CALLS / 2)
            .map(f)
            .collect()
    } else {
        rows.iter().map(f).collect()
    }
}

impl TranscriptRows {
    /// Works out each call's expected operations and each row's key: in
    /// parallel over the rows of a large file (one telemetry or hook-log
    /// file holds tens of thousands, a database a million), each worker
    /// remembering what it made of a command text.
    pub fn from_parsed(p: ParsedTranscript) -> TranscriptRows {
        let calls = p.tool_calls;
        let expected = each(&calls, expected);
        let keys = RowKeys {
            sessions: each(&p.sessions, session_key),
            calls: each(&calls, call_key),
            messages: each(&p.messages, message_key),
        };
        TranscriptRows {
            sessions: p.sessions,
            tool_calls: calls,
            expected,
            messages: p.messages,
            keys: Some(keys),
        }
    }

    pub fn len(&self) -> usize {
        self.sessions.len() + self.tool_calls.len() + self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps only rows whose key `keep` accepts; returns how many were dropped.
    pub fn retain_new(&mut self, mut keep: impl FnMut(u128) -> bool) -> u64 {
        let before = self.len();
        let keys = self.keys.take();
        let (mut s, mut c, mut m) = match keys {
            Some(k) => (
                k.sessions.into_iter(),
                k.calls.into_iter(),
                k.messages.into_iter(),
            ),
            None => Default::default(),
        };
        // `retain` visits each row once, in order, as the keys were made.
        self.sessions
            .retain(|r| keep(s.next().unwrap_or_else(|| session_key(r))));
        let kept: Vec<bool> = self
            .tool_calls
            .iter()
            .map(|r| keep(c.next().unwrap_or_else(|| call_key(r))))
            .collect();
        let mut flags = kept.iter();
        self.tool_calls.retain(|_| *flags.next().unwrap_or(&true));
        let mut flags = kept.iter();
        self.expected.retain(|_| *flags.next().unwrap_or(&true));
        self.messages
            .retain(|r| keep(m.next().unwrap_or_else(|| message_key(r))));
        (before - self.len()) as u64
    }

    /// Adds `other`'s rows (their keys, if not yet taken, are dropped).
    /// Into empty rows they are moved, not copied: one database or hook
    /// log can hold a million.
    pub fn append(&mut self, other: &mut TranscriptRows) {
        fn add<T>(to: &mut Vec<T>, from: &mut Vec<T>) {
            if to.is_empty() {
                std::mem::swap(to, from);
            } else {
                to.append(from);
            }
        }
        add(&mut self.sessions, &mut other.sessions);
        add(&mut self.tool_calls, &mut other.tool_calls);
        add(&mut self.expected, &mut other.expected);
        add(&mut self.messages, &mut other.messages);
    }
}

/// The de-duplication key of a transcript row: a hash of the table name and
/// the key columns as text (null distinct from any value). Stored rows are
/// keyed the same way from their columns (`ingest::existing_transcript_keys`).
pub fn row_key(table: &str, parts: &[Option<&str>]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(table.as_bytes());
    for p in parts {
        match p {
            Some(v) => h.update(v.as_bytes()),
            None => h.update(&[0xfe]),
        }
        h.update(&[0xff]);
    }
    h.digest128()
}

/// Key columns per table: sessions by id and file, tool calls by session,
/// call id and file (a transcript and a hook log may both record one call;
/// attribution merges them, keeping the stronger approval), messages by
/// session, file, line and role.
pub const KEYS: [(&str, &[&str]); 3] = [
    (
        crate::schema::table::AGENT_SESSIONS,
        &[transcripts::SESSION_ID, transcripts::SOURCE_FILE],
    ),
    (
        crate::schema::table::TOOL_CALLS,
        &[
            transcripts::SESSION_ID,
            transcripts::CALL_ID,
            transcripts::SOURCE_FILE,
        ],
    ),
    (
        crate::schema::table::MESSAGES,
        &[
            transcripts::SESSION_ID,
            transcripts::SOURCE_FILE,
            transcripts::SOURCE_LINE,
            transcripts::ROLE,
        ],
    ),
];

fn session_key(s: &AgentSession) -> u128 {
    row_key(KEYS[0].0, &[Some(&s.session_id), Some(&s.source_file)])
}

fn call_key(c: &ToolCall) -> u128 {
    row_key(
        KEYS[1].0,
        &[Some(&c.session_id), Some(&c.call_id), Some(&c.source_file)],
    )
}

fn message_key(m: &Message) -> u128 {
    let line = m.source_line.to_string();
    row_key(
        KEYS[2].0,
        &[
            Some(&m.session_id),
            Some(&m.source_file),
            Some(&line),
            Some(m.role.as_str()),
        ],
    )
}

/// A frame of `height` rows whose columns are built side by side, in the
/// order given (a million calls make 25 columns of a million values).
macro_rules! frame {
    ($height:expr, [$($col:expr),* $(,)?]) => {{
        type Maker<'m> = Box<dyn Fn() -> Column + Send + Sync + 'm>;
        let makers: Vec<Maker<'_>> = vec![$(Box::new(|| $col)),*];
        let columns: Vec<Column> = makers.into_par_iter().map(|make| make()).collect();
        Ok(DataFrame::new($height, columns)?)
    }};
}

fn name(n: &'static str) -> PlSmallStr {
    PlSmallStr::from_static(n)
}

/// A string column. Where values mostly repeat the row before (a file's
/// name, a session's id, a constant note on every call; judged from the
/// first 64 rows), each run's value is copied once and repeated by index:
/// the rows share its bytes. Either way the column holds the same values.
fn strs<'a, T: 'a>(n: &'static str, rows: &'a [T], f: impl Fn(&'a T) -> Option<&'a str>) -> Column {
    /// Rows looked at to tell whether values repeat.
    const PROBE: usize = 64;
    let repeats = |rows: &'a [T]| rows.windows(2).filter(|w| f(&w[0]) == f(&w[1])).count();
    let probe = &rows[..rows.len().min(PROBE)];
    if rows.len() < PROBE || repeats(probe) * 2 < probe.len() {
        return StringChunked::from_iter_options(name(n), rows.iter().map(f)).into_column();
    }
    let mut runs: Vec<Option<&str>> = Vec::new();
    let mut at: Vec<IdxSize> = Vec::with_capacity(rows.len());
    for r in rows {
        let v = f(r);
        if runs.last() != Some(&v) {
            runs.push(v);
        }
        at.push((runs.len() - 1) as IdxSize);
    }
    let values = StringChunked::from_iter_options(name(n), runs.into_iter());
    // SAFETY: every index is below `runs.len()`, the length of `values`.
    unsafe { values.take_unchecked(&IdxCa::from_vec(PlSmallStr::EMPTY, at)) }.into_column()
}

fn times<T>(n: &'static str, rows: &[T], f: impl Fn(&T) -> Option<i64>) -> Column {
    schema::utc_micros_of(Int64Chunked::from_iter_options(name(n), rows.iter().map(f)))
}

fn lists<'a>(n: &'static str, values: impl ExactSizeIterator<Item = &'a [String]>) -> Column {
    let mut b = ListStringChunkedBuilder::new(name(n), values.len(), values.len() * 2);
    for v in values {
        b.append_values_iter(v.iter().map(String::as_str));
    }
    b.finish().into_column()
}

/// Calls per file from which their expected operations are worked out in
/// parallel.
const PARALLEL_CALLS: usize = 4096;

/// Command texts whose analysis a worker thread keeps (agents repeat
/// commands: `git status`, the same `aws … describe-…`); past this the
/// memo starts again, so it stays small whatever the input.
const MEMO_COMMANDS: usize = 8192;

thread_local! {
    static MEMO: RefCell<PlHashMap<Box<str>, Arc<Expected>>> = RefCell::new(PlHashMap::default());
}

/// What `crate::shell_commands` makes of one call.
pub struct Expected {
    operations: Vec<String>,
    cli_commands: Vec<String>,
    touches_aws: bool,
    unknown: bool,
    dry_run: bool,
    destructive: bool,
    region: Option<String>,
    profile: Option<String>,
}

fn expected(call: &ToolCall) -> Arc<Expected> {
    match (&call.aws_service, &call.aws_operation, &call.command) {
        (Some(svc), Some(op), _) => {
            Arc::new(from_invocations(vec![shell_commands::analyse_structured(
                svc,
                op,
                call.aws_region.as_deref(),
                call.aws_profile.as_deref(),
            )]))
        }
        (_, _, Some(cmd)) => command_expected(cmd),
        _ => Arc::new(from_invocations(Vec::new())),
    }
}

/// `expected` of a command text, remembered per thread: the analysis
/// depends on the text alone.
fn command_expected(cmd: &str) -> Arc<Expected> {
    if let Some(e) = MEMO.with_borrow(|m| m.get(cmd).cloned()) {
        return e;
    }
    let ctx = CommandContext {
        env_region: None,
        env_profile: None,
    };
    let shell = mcp_cli_command(cmd);
    let invocations =
        shell_commands::analyse_command(shell.as_deref().unwrap_or(cmd), &ctx).invocations;
    let e = Arc::new(from_invocations(invocations));
    MEMO.with_borrow_mut(|m| {
        if m.len() >= MEMO_COMMANDS {
            m.clear();
        }
        m.insert(cmd.into(), Arc::clone(&e));
    });
    e
}

fn from_invocations(invocations: Vec<shell_commands::AwsInvocation>) -> Expected {
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

/// The AWS CLI command inside an MCP call such as the awslabs aws-api
/// server's `call_aws` (`mcp:<server>.<tool> {"cli_command":"aws …"}`): the
/// server runs it as the CLI would, so it causes the same events.
pub fn mcp_cli_command(cmd: &str) -> Option<String> {
    let rest = cmd.strip_prefix("mcp:")?;
    let (_, args) = rest.split_once(' ')?;
    let v: serde_json::Value = serde_json::from_str(args).ok()?;
    ["cli_command", "command"].iter().find_map(|k| {
        v.get(*k)
            .and_then(|c| c.as_str())
            .filter(|c| c.trim_start().starts_with("aws "))
            .map(str::to_owned)
    })
}

pub fn sessions_frame(rows: &[AgentSession]) -> Result<DataFrame> {
    use transcripts::*;
    frame!(
        rows.len(),
        [
            strs(SESSION_ID, rows, |r| Some(&r.session_id)),
            strs(AGENT, rows, |r| Some(&r.agent)),
            strs(AGENT_VERSION, rows, |r| r.agent_version.as_deref()),
            strs(MODEL, rows, |r| r.model.as_deref()),
            times(STARTED_AT, rows, |r| r.started_at),
            times(ENDED_AT, rows, |r| r.ended_at),
            strs(CWD, rows, |r| r.cwd.as_deref()),
            strs(GIT_BRANCH, rows, |r| r.git_branch.as_deref()),
            strs(OPERATOR, rows, |r| r.operator.as_deref()),
            strs(APPROVAL_MODE, rows, |r| r.approval_mode.as_deref()),
            strs(SANDBOX, rows, |r| r.sandbox.as_deref()),
            strs(PARENT_SESSION_ID, rows, |r| r.parent_session_id.as_deref()),
            strs(SOURCE_FILE, rows, |r| Some(&r.source_file)),
        ]
    )
}

pub fn tool_calls_frame(calls: &[ToolCall], expected: &[Arc<Expected>]) -> Result<DataFrame> {
    use transcripts::*;
    anyhow::ensure!(
        calls.len() == expected.len(),
        "{} tool calls but {} expected operations",
        calls.len(),
        expected.len()
    );
    let rows: Vec<&ToolCall> = calls.iter().collect();
    let rows = rows.as_slice();
    let exp: Vec<&Expected> = expected.iter().map(|e| &**e).collect();
    let bools = |n: &'static str, f: fn(&Expected) -> bool| {
        BooleanChunked::from_iter_values(name(n), exp.iter().map(|e| f(e))).into_column()
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
    frame!(
        rows.len(),
        [
            strs(SESSION_ID, rows, |r| Some(&r.session_id)),
            strs(CALL_ID, rows, |r| Some(&r.call_id)),
            times(STARTED_AT, rows, |r| r.started_at),
            times(ENDED_AT, rows, |r| r.ended_at),
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
            StringChunked::from_iter_options(name(AWS_REGION), region.iter().copied())
                .into_column(),
            StringChunked::from_iter_options(name(AWS_PROFILE), profile.iter().copied())
                .into_column(),
            lists(
                EXPECTED_OPERATIONS,
                exp.iter().map(|e| e.operations.as_slice()),
            ),
            lists(CLI_COMMANDS, exp.iter().map(|e| e.cli_commands.as_slice())),
            bools(TOUCHES_AWS, |e| e.touches_aws),
            bools(UNKNOWN_AWS_OPERATIONS, |e| e.unknown),
            bools(DRY_RUN, |e| e.dry_run),
            bools(DESTRUCTIVE_HINT, |e| e.destructive),
            strs(SOURCE_FILE, rows, |r| Some(&r.source_file)),
            UInt64Chunked::from_iter_values(name(SOURCE_LINE), rows.iter().map(|r| r.source_line))
                .into_column(),
            strs(CHAIN_BREAK, rows, |r| r.chain_break.as_deref()),
        ]
    )
}

pub fn messages_frame(rows: &[Message]) -> Result<DataFrame> {
    use transcripts::*;
    frame!(
        rows.len(),
        [
            strs(SESSION_ID, rows, |r| Some(&r.session_id)),
            times(TIME, rows, |r| r.time),
            strs(ROLE, rows, |r| Some(r.role.as_str())),
            strs(TEXT_EXCERPT, rows, |r| Some(&r.text_excerpt)),
            strs(SOURCE_FILE, rows, |r| Some(&r.source_file)),
            UInt64Chunked::from_iter_values(name(SOURCE_LINE), rows.iter().map(|r| r.source_line))
                .into_column(),
        ]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of calls running `commands`, in one file.
    fn rows_of(file: &str, commands: &[&str]) -> TranscriptRows {
        let tool_calls = commands
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let id = format!("c{i}");
                let mut call = crate::transcripts::util::new_call("s", &id, "Bash", file, 1);
                call.command = Some((*c).to_string());
                call
            })
            .collect();
        TranscriptRows::from_parsed(ParsedTranscript {
            tool_calls,
            ..ParsedTranscript::default()
        })
    }

    #[test]
    fn repeated_values_make_the_same_column_as_values_copied_each_time() {
        // Runs of long and short values and nulls, long enough to be built
        // as runs; and values that do not repeat, built as they come.
        let long = "a value longer than the twelve bytes a view holds inline";
        let mut rows: Vec<Option<String>> = Vec::new();
        for i in 0..300 {
            rows.push(match (i / 40) % 4 {
                0 => Some(long.to_string()),
                1 => None,
                2 => Some(format!("{long} {}", i / 40)),
                _ => Some("short".to_string()),
            });
        }
        let unique: Vec<Option<String>> = (0..300).map(|i| Some(format!("{long} {i}"))).collect();
        for rows in [&rows, &unique, &rows[..10].to_vec()] {
            let built = strs("v", rows, |r| r.as_deref());
            let built = built.as_materialized_series().str().unwrap().clone();
            let got: Vec<Option<&str>> = built.iter().collect();
            let want: Vec<Option<&str>> = rows.iter().map(|r| r.as_deref()).collect();
            assert_eq!(got, want);
            assert_eq!(
                built.null_count(),
                rows.iter().filter(|r| r.is_none()).count()
            );
        }
    }

    /// Each call's command and the operations written beside it.
    fn written(rows: &TranscriptRows) -> Vec<(String, String)> {
        let df = tool_calls_frame(&rows.tool_calls, &rows.expected).unwrap();
        let column = |name| df.column(name).unwrap().as_materialized_series();
        let (commands, ops) = (
            column(transcripts::COMMAND),
            column(transcripts::EXPECTED_OPERATIONS),
        );
        let (commands, ops) = (commands.str().unwrap(), ops.list().unwrap());
        (0..df.height())
            .map(|i| {
                let o = ops.get_as_series(i).unwrap();
                let o: Vec<&str> = o.str().unwrap().iter().flatten().collect();
                (commands.get(i).unwrap().to_string(), o.join(","))
            })
            .collect()
    }

    /// The expected operations stay with their calls when rows are dropped
    /// as already stored, moved into an empty buffer, or appended.
    #[test]
    fn expected_operations_stay_with_their_calls() {
        let mut a = rows_of(
            "a.jsonl",
            &["aws s3 ls", "aws iam list-roles", "aws ec2 describe-vpcs"],
        );
        let second = call_key(&a.tool_calls[1]);
        assert_eq!(a.retain_new(|k| k != second), 1);
        let mut all = TranscriptRows::default();
        all.append(&mut a);
        let mut b = rows_of("b.jsonl", &["aws sts get-caller-identity"]);
        all.append(&mut b);
        assert!(a.is_empty() && b.is_empty());
        assert_eq!(
            written(&all),
            [
                ("aws s3 ls", "s3.amazonaws.com:ListBuckets"),
                ("aws ec2 describe-vpcs", "ec2.amazonaws.com:DescribeVpcs"),
                (
                    "aws sts get-caller-identity",
                    "sts.amazonaws.com:GetCallerIdentity"
                ),
            ]
            .map(|(c, o)| (c.to_string(), o.to_string()))
        );
    }

    #[test]
    fn mcp_call_aws_is_analysed_as_the_cli_command_it_carries() {
        let c = r#"mcp:awslabs_aws-api-mcp-server.call_aws {"cli_command":"aws s3api delete-bucket --bucket b"}"#;
        assert_eq!(
            mcp_cli_command(c).as_deref(),
            Some("aws s3api delete-bucket --bucket b")
        );
        assert_eq!(
            mcp_cli_command(r#"mcp:x.get_cost {"granularity":"DAILY"}"#),
            None
        );
        assert_eq!(mcp_cli_command("aws s3 ls"), None);
    }
}
