//! The tables read from agent transcripts: `agent_sessions`, `tool_calls`
//! and `messages`.

use super::{ColumnDoc, col, string_list, transcripts, utc_micros};
use polars::prelude::DataType;

pub fn agent_sessions_columns() -> Vec<ColumnDoc> {
    use transcripts::*;
    let s = || DataType::String;
    vec![
        col(
            SESSION_ID,
            s(),
            "the agent's session id (Claude Code sessionId, Codex session id, …)",
        ),
        col(
            AGENT,
            s(),
            "claude-code, codex, gemini-cli, aider, amazon-q, kiro, copilot-cli, cursor, cline, roo-code, kilo-code, opencode, goose",
        ),
        col(AGENT_VERSION, s(), "version of the agent as recorded"),
        col(
            MODEL,
            s(),
            "model named in the transcript (the last one seen)",
        ),
        col(STARTED_AT, utc_micros(), "first record time"),
        col(ENDED_AT, utc_micros(), "last record time"),
        col(CWD, s(), "working directory"),
        col(GIT_BRANCH, s(), "git branch, when recorded"),
        col(
            OPERATOR,
            s(),
            "the human who ran it: --operator, the operator map, or the home directory in the path",
        ),
        col(
            APPROVAL_MODE,
            s(),
            "approval / permission mode as recorded (default, bypassPermissions, never, on-request, …)",
        ),
        col(SANDBOX, s(), "sandbox policy (Codex)"),
        col(
            PARENT_SESSION_ID,
            s(),
            "the session that started this one (subagents)",
        ),
        col(SOURCE_FILE, s(), "transcript file"),
    ]
}

pub fn tool_calls_columns() -> Vec<ColumnDoc> {
    use transcripts::*;
    let s = || DataType::String;
    let b = || DataType::Boolean;
    vec![
        col(SESSION_ID, s(), "session"),
        col(
            CALL_ID,
            s(),
            "the agent's id for the call (tool_use_id, call_id, …)",
        ),
        col(STARTED_AT, utc_micros(), "when the agent issued the call"),
        col(
            ENDED_AT,
            utc_micros(),
            "when its result was recorded, when known",
        ),
        col(
            TOOL_NAME,
            s(),
            "tool name as the agent calls it (Bash, shell, exec_command, run_shell_command, use_aws, …)",
        ),
        col(
            COMMAND,
            s(),
            "the shell command (wrappers such as bash -lc unwrapped), or a rendering of a structured call",
        ),
        col(
            COMMAND_RAW,
            s(),
            "the command exactly as recorded, when it differs",
        ),
        col(EXIT_CODE, DataType::Int64, "exit code, when known"),
        col(
            OUTCOME,
            s(),
            "ok, error, rejected, denied, interrupted, unknown",
        ),
        col(APPROVAL, s(), "auto, explicit, rejected, unknown"),
        col(
            APPROVAL_EVIDENCE,
            s(),
            "what the approval value rests on: the mode, rule or record that decided (a hook log's ends with `(Claude Code hook log)`)",
        ),
        col(OUTPUT_EXCERPT, s(), "start of the output (at most 2 KiB)"),
        col(
            AWS_SERVICE,
            s(),
            "service of a structured AWS call (use_aws)",
        ),
        col(AWS_OPERATION, s(), "operation of a structured AWS call"),
        col(
            AWS_REGION,
            s(),
            "region the call names (--region, AWS_REGION=, use_aws region)",
        ),
        col(
            AWS_PROFILE,
            s(),
            "profile the call names (--profile, AWS_PROFILE=, use_aws profile)",
        ),
        col(
            EXPECTED_OPERATIONS,
            string_list(),
            "CloudTrail events the call is expected to cause, as event_source:EventName",
        ),
        col(
            CLI_COMMANDS,
            string_list(),
            "AWS CLI commands in the call, as the user agent's md/command# writes them (ec2.terminate-instances)",
        ),
        col(
            TOUCHES_AWS,
            b(),
            "the call reaches AWS (aws, terraform, cdk, boto3 scripts, …)",
        ),
        col(
            UNKNOWN_AWS_OPERATIONS,
            b(),
            "it reaches AWS but which operations cannot be told (terraform, scripts)",
        ),
        col(DRY_RUN, b(), "--dry-run or a plan-only command"),
        col(
            DESTRUCTIVE_HINT,
            b(),
            "the command deletes or destroys (rb --force, terminate-instances, terraform destroy, …)",
        ),
        col(SOURCE_FILE, s(), "transcript file"),
        col(
            SOURCE_LINE,
            DataType::Int64,
            "line of the call in the transcript",
        ),
        col(
            CHAIN_BREAK,
            s(),
            "why the call's record is outside a consistent record chain in its file, as `<kind>: <where>` (Claude Code `uuid`/`parentUuid`: parent_not_found, duplicate_uuid, time_backwards, null_parent, result_before_use, result_not_descendant); null when it fits or the format has no chain. Attribution doubts a match on such a call (`inconsistent:`)",
        ),
    ]
}

pub fn messages_columns() -> Vec<ColumnDoc> {
    use transcripts::*;
    let s = || DataType::String;
    vec![
        col(SESSION_ID, s(), "session"),
        col(TIME, utc_micros(), "when it was written"),
        col(ROLE, s(), "user, assistant, system"),
        col(TEXT_EXCERPT, s(), "start of the text (at most 2 KiB)"),
        col(SOURCE_FILE, s(), "transcript file"),
        col(SOURCE_LINE, DataType::Int64, "line in the transcript"),
    ]
}
