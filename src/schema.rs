//! The names and types of every column trailblame writes, in one place.
//!
//! Later stages (attribution, detectors, reports, the SQL in `queries/`) read
//! these tables by name, so a column is renamed here or nowhere. The same list
//! is rendered into `SCHEMA.md`; a test keeps the two in step.

use polars::prelude::{DataType, Field, PlSmallStr, Schema, TimeUnit, TimeZone};

/// Table names as they appear in the store and in SQL.
pub mod table {
    pub const EVENTS: &str = "events";
    pub const QUARANTINE: &str = "quarantine";
    pub const INGESTED_FILES: &str = "ingested_files";
    pub const AGENT_SESSIONS: &str = "agent_sessions";
    pub const TOOL_CALLS: &str = "tool_calls";
    pub const MESSAGES: &str = "messages";
    pub const ATTRIBUTION: &str = "attribution";
    pub const FINDINGS: &str = "findings";
}

/// Columns of the `attribution` table (also joined onto `events` in SQL).
pub mod at {
    pub const EVENT_ID: &str = "event_id";
    pub const ACTOR_KIND: &str = "actor_kind";
    pub const ACTOR: &str = "actor";
    pub const OPERATOR: &str = "operator";
    pub const AGENT_SESSION_ID: &str = "agent_session_id";
    pub const TOOL_CALL_ID: &str = "tool_call_id";
    pub const CONFIDENCE: &str = "confidence";
    pub const EVIDENCE: &str = "evidence";
    pub const REASON: &str = "reason";
    pub const DESTRUCTIVE: &str = "destructive";
    pub const DESTRUCTIVE_CATEGORY: &str = "destructive_category";
    pub const SEVERITY: &str = "severity";
    pub const CATALOG_RULE: &str = "catalog_rule";
    pub const APPROVAL: &str = "approval";
    pub const HUMAN_LAST_SPOKE_SECS: &str = "human_last_spoke_secs";
}

/// Columns of `agent_sessions`, `tool_calls` and `messages` (agent transcripts).
pub mod tr {
    pub const SESSION_ID: &str = "session_id";
    pub const AGENT: &str = "agent";
    pub const AGENT_VERSION: &str = "agent_version";
    pub const MODEL: &str = "model";
    pub const STARTED_AT: &str = "started_at";
    pub const ENDED_AT: &str = "ended_at";
    pub const CWD: &str = "cwd";
    pub const GIT_BRANCH: &str = "git_branch";
    pub const OPERATOR: &str = "operator";
    pub const APPROVAL_MODE: &str = "approval_mode";
    pub const SANDBOX: &str = "sandbox";
    pub const PARENT_SESSION_ID: &str = "parent_session_id";
    pub const SOURCE_FILE: &str = "source_file";
    pub const SOURCE_LINE: &str = "source_line";
    pub const CALL_ID: &str = "call_id";
    pub const TOOL_NAME: &str = "tool_name";
    pub const COMMAND: &str = "command";
    pub const COMMAND_RAW: &str = "command_raw";
    pub const EXIT_CODE: &str = "exit_code";
    pub const OUTCOME: &str = "outcome";
    pub const APPROVAL: &str = "approval";
    pub const APPROVAL_EVIDENCE: &str = "approval_evidence";
    pub const OUTPUT_EXCERPT: &str = "output_excerpt";
    pub const AWS_SERVICE: &str = "aws_service";
    pub const AWS_OPERATION: &str = "aws_operation";
    pub const AWS_REGION: &str = "aws_region";
    pub const AWS_PROFILE: &str = "aws_profile";
    pub const EXPECTED_OPERATIONS: &str = "expected_operations";
    pub const CLI_COMMANDS: &str = "cli_commands";
    pub const TOUCHES_AWS: &str = "touches_aws";
    pub const UNKNOWN_AWS_OPERATIONS: &str = "unknown_aws_operations";
    pub const DRY_RUN: &str = "dry_run";
    pub const DESTRUCTIVE_HINT: &str = "destructive_hint";
    pub const TIME: &str = "time";
    pub const ROLE: &str = "role";
    pub const TEXT_EXCERPT: &str = "text_excerpt";
}

/// Columns of the `events` table.
pub mod ev {
    pub const EVENT_ID: &str = "event_id";
    pub const EVENT_TIME: &str = "event_time";
    pub const EVENT_DATE: &str = "event_date";
    pub const EVENT_VERSION: &str = "event_version";
    pub const EVENT_SOURCE: &str = "event_source";
    pub const EVENT_NAME: &str = "event_name";
    pub const AWS_REGION: &str = "aws_region";
    pub const ACCOUNT_ID: &str = "account_id";
    pub const SOURCE_IP: &str = "source_ip";
    pub const USER_AGENT: &str = "user_agent";
    pub const IDENTITY_TYPE: &str = "identity_type";
    pub const PRINCIPAL_ARN: &str = "principal_arn";
    pub const PRINCIPAL_ID: &str = "principal_id";
    pub const ACCOUNT_OF_PRINCIPAL: &str = "account_of_principal";
    pub const USER_NAME: &str = "user_name";
    pub const ROLE_ARN: &str = "role_arn";
    pub const ROLE_NAME: &str = "role_name";
    pub const SESSION_NAME: &str = "session_name";
    pub const ACCESS_KEY_ID: &str = "access_key_id";
    pub const SOURCE_IDENTITY: &str = "source_identity";
    pub const INVOKED_BY: &str = "invoked_by";
    pub const ON_BEHALF_OF: &str = "on_behalf_of";
    pub const MFA_AUTHENTICATED: &str = "mfa_authenticated";
    pub const SESSION_CREATED_AT: &str = "session_created_at";
    pub const CONSOLE_SESSION: &str = "console_session";
    pub const READ_ONLY: &str = "read_only";
    pub const MANAGEMENT_EVENT: &str = "management_event";
    pub const EVENT_TYPE: &str = "event_type";
    pub const EVENT_CATEGORY: &str = "event_category";
    pub const ERROR_CODE: &str = "error_code";
    pub const ERROR_MESSAGE: &str = "error_message";
    pub const REQUEST_ID: &str = "request_id";
    pub const SHARED_EVENT_ID: &str = "shared_event_id";
    pub const VPC_ENDPOINT_ID: &str = "vpc_endpoint_id";
    pub const REQUEST_PARAMETERS: &str = "request_parameters";
    pub const RESPONSE_ELEMENTS: &str = "response_elements";
    pub const ADDITIONAL_EVENT_DATA: &str = "additional_event_data";
    pub const SERVICE_EVENT_DETAILS: &str = "service_event_details";
    pub const INSIGHT_DETAILS: &str = "insight_details";
    pub const RESOURCES: &str = "resources";
    pub const IAM_ACTION: &str = "iam_action";
    pub const CLIENT: &str = "client";
    pub const CLIENT_VERSION: &str = "client_version";
    pub const CLI_COMMAND: &str = "cli_command";
    pub const FEATURE_IDS: &str = "feature_ids";
    pub const EXEC_ENV: &str = "exec_env";
    pub const APP_ID: &str = "app_id";
    pub const CLI_SESSION: &str = "cli_session";
    pub const MCP_SERVER: &str = "mcp_server";
    pub const SOURCE_FILE: &str = "source_file";
    pub const SOURCE_LINE: &str = "source_line";
    pub const SOURCE_INDEX: &str = "source_index";
}

/// Columns of the `quarantine` table: records that could not be read.
pub mod qr {
    pub const SOURCE_FILE: &str = "source_file";
    pub const LINE: &str = "line";
    pub const RECORD_INDEX: &str = "record_index";
    pub const POSITION: &str = "position";
    pub const REASON: &str = "reason";
    pub const RAW: &str = "raw";
    pub const RAW_BYTES: &str = "raw_bytes";
    pub const INGEST_RUN: &str = "ingest_run";
}

/// Columns of the `ingested_files` table: one row per input file an ingest met.
pub mod fl {
    pub const PATH: &str = "path";
    pub const CONTENT_HASH: &str = "content_hash";
    pub const SIZE_BYTES: &str = "size_bytes";
    pub const KIND: &str = "kind";
    pub const RECORDS_READ: &str = "records_read";
    pub const KEPT: &str = "kept";
    pub const DUPLICATES: &str = "duplicates";
    pub const QUARANTINED: &str = "quarantined";
    pub const SKIPPED: &str = "skipped";
    pub const INGEST_RUN: &str = "ingest_run";
    pub const NOTE: &str = "note";
}

/// One documented column: name, type as written to Parquet, meaning.
pub struct ColumnDoc {
    pub name: &'static str,
    pub dtype: DataType,
    pub doc: &'static str,
}

pub fn utc_micros() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

fn string_list() -> DataType {
    DataType::List(Box::new(DataType::String))
}

/// The `events` table as stored in each Parquet part (without the Hive
/// partition column `event_date`, which lives in the directory name).
pub fn events_columns() -> Vec<ColumnDoc> {
    use ev::*;
    let s = || DataType::String;
    let b = || DataType::Boolean;
    vec![
        col(
            EVENT_ID,
            s(),
            "CloudTrail eventID (`synthetic-<hash>` for eventVersion 1.0 records, which have none); a second delivery of the same event is dropped at ingest",
        ),
        col(
            EVENT_TIME,
            utc_micros(),
            "eventTime (UTC; CloudTrail records completion time to the second)",
        ),
        col(EVENT_VERSION, s(), "eventVersion"),
        col(EVENT_SOURCE, s(), "eventSource, e.g. ec2.amazonaws.com"),
        col(EVENT_NAME, s(), "eventName, e.g. TerminateInstances"),
        col(AWS_REGION, s(), "awsRegion"),
        col(
            ACCOUNT_ID,
            s(),
            "account that recorded the event: recipientAccountId, else the EventBridge envelope or S3 path account, else userIdentity.accountId",
        ),
        col(
            SOURCE_IP,
            s(),
            "sourceIPAddress (an IP, or a service DNS name for service calls)",
        ),
        col(USER_AGENT, s(), "userAgent as recorded"),
        col(
            IDENTITY_TYPE,
            s(),
            "userIdentity.type (IAMUser, AssumedRole, Root, AWSService, …); null when the record has no userIdentity",
        ),
        col(PRINCIPAL_ARN, s(), "userIdentity.arn"),
        col(PRINCIPAL_ID, s(), "userIdentity.principalId"),
        col(
            ACCOUNT_OF_PRINCIPAL,
            s(),
            "userIdentity.accountId (the caller's account)",
        ),
        col(
            USER_NAME,
            s(),
            "userIdentity.userName (IAM user, or the federated user's name)",
        ),
        col(
            ROLE_ARN,
            s(),
            "sessionContext.sessionIssuer.arn when the issuer is a role",
        ),
        col(
            ROLE_NAME,
            s(),
            "sessionContext.sessionIssuer.userName when the issuer is a role",
        ),
        col(
            SESSION_NAME,
            s(),
            "role session name, from assumed-role/<Role>/<Session>",
        ),
        col(ACCESS_KEY_ID, s(), "userIdentity.accessKeyId"),
        col(
            SOURCE_IDENTITY,
            s(),
            "sessionContext.sourceIdentity (survives role chaining)",
        ),
        col(
            INVOKED_BY,
            s(),
            "userIdentity.invokedBy (a service acting for the caller)",
        ),
        col(
            ON_BEHALF_OF,
            s(),
            "userIdentity.onBehalfOf.userId (IdentityCenterUser)",
        ),
        col(
            MFA_AUTHENTICATED,
            b(),
            "sessionContext.attributes.mfaAuthenticated",
        ),
        col(
            SESSION_CREATED_AT,
            utc_micros(),
            "sessionContext.attributes.creationDate",
        ),
        col(
            CONSOLE_SESSION,
            b(),
            "true when sessionCredentialFromConsole is \"true\" or the event is a console sign-in",
        ),
        col(READ_ONLY, b(), "readOnly"),
        col(MANAGEMENT_EVENT, b(), "managementEvent"),
        col(
            EVENT_TYPE,
            s(),
            "eventType (AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, AwsCloudTrailInsight, …)",
        ),
        col(
            EVENT_CATEGORY,
            s(),
            "eventCategory (Management, Data, NetworkActivity, Insight) as recorded",
        ),
        col(ERROR_CODE, s(), "errorCode; null on success"),
        col(ERROR_MESSAGE, s(), "errorMessage"),
        col(REQUEST_ID, s(), "requestID"),
        col(SHARED_EVENT_ID, s(), "sharedEventID"),
        col(VPC_ENDPOINT_ID, s(), "vpcEndpointId"),
        col(
            REQUEST_PARAMETERS,
            s(),
            "requestParameters as JSON text (null when absent or null)",
        ),
        col(RESPONSE_ELEMENTS, s(), "responseElements as JSON text"),
        col(
            ADDITIONAL_EVENT_DATA,
            s(),
            "additionalEventData as JSON text",
        ),
        col(
            SERVICE_EVENT_DETAILS,
            s(),
            "serviceEventDetails as JSON text",
        ),
        col(
            INSIGHT_DETAILS,
            s(),
            "insightDetails as JSON text (insight events)",
        ),
        col(
            RESOURCES,
            string_list(),
            "ARNs from resources[] (entries without an ARN are left out)",
        ),
        col(
            IAM_ACTION,
            s(),
            "IAM action <prefix>:<Action> derived from event source and name, with the known exceptions",
        ),
        col(
            CLIENT,
            s(),
            "caller kind from the user agent: aws-cli, boto3, sdk, console, terraform, service, other",
        ),
        col(CLIENT_VERSION, s(), "version of that client"),
        col(
            CLI_COMMAND,
            s(),
            "AWS CLI command from md/command# (or legacy command/), e.g. s3.rm",
        ),
        col(
            FEATURE_IDS,
            string_list(),
            "feature ids from the user agent's m/ component (AN = Claude Code, AP = Codex, …)",
        ),
        col(EXEC_ENV, s(), "exec-env/ component (AWS_EXECUTION_ENV)"),
        col(APP_ID, s(), "app/ component (AWS_SDK_UA_APP_ID)"),
        col(
            CLI_SESSION,
            s(),
            "sid/ component (CLI session per host and tty)",
        ),
        col(
            MCP_SERVER,
            s(),
            "awslabs MCP server from md/awslabs#mcp#<server>#<ver>",
        ),
        col(SOURCE_FILE, s(), "input file the record came from"),
        col(
            SOURCE_LINE,
            DataType::UInt64,
            "1-based line in the (decompressed) input file where the record starts",
        ),
        col(
            SOURCE_INDEX,
            DataType::UInt64,
            "0-based index of the record in its file",
        ),
    ]
}

fn col(name: &'static str, dtype: DataType, doc: &'static str) -> ColumnDoc {
    ColumnDoc { name, dtype, doc }
}

pub fn events_schema() -> Schema {
    Schema::from_iter(
        events_columns()
            .into_iter()
            .map(|c| Field::new(PlSmallStr::from_static(c.name), c.dtype)),
    )
}

pub fn quarantine_columns() -> Vec<ColumnDoc> {
    use qr::*;
    vec![
        col(SOURCE_FILE, DataType::String, "input file"),
        col(
            LINE,
            DataType::UInt64,
            "1-based line where the bad record starts, when known",
        ),
        col(
            RECORD_INDEX,
            DataType::UInt64,
            "0-based record index in the file, when known",
        ),
        col(
            POSITION,
            DataType::String,
            "readable position: `line 12`, `record 3`, `byte 4096`",
        ),
        col(REASON, DataType::String, "why the record was not kept"),
        col(
            RAW,
            DataType::String,
            "the raw text (lossy UTF-8), cut to 64 KiB",
        ),
        col(
            RAW_BYTES,
            DataType::UInt64,
            "length of the raw record in bytes before cutting",
        ),
        col(INGEST_RUN, DataType::UInt64, "ingest run that met it"),
    ]
}

pub fn ingested_files_columns() -> Vec<ColumnDoc> {
    use fl::*;
    vec![
        col(PATH, DataType::String, "input file path as given"),
        col(
            CONTENT_HASH,
            DataType::String,
            "xxh3-128 of the file's bytes; a file with a known hash is not read again",
        ),
        col(SIZE_BYTES, DataType::UInt64, "file size"),
        col(
            KIND,
            DataType::String,
            "what the file was: cloudtrail, digest, not_cloudtrail, not_log, iam_data, empty, unknown, unreadable, already_ingested, or transcript:<format>",
        ),
        col(
            RECORDS_READ,
            DataType::UInt64,
            "records met: kept + duplicates + quarantined, plus skipped for transcripts (whose records are lines)",
        ),
        col(
            KEPT,
            DataType::UInt64,
            "records written (transcripts: lines used)",
        ),
        col(
            DUPLICATES,
            DataType::UInt64,
            "records whose event_id was already stored",
        ),
        col(QUARANTINED, DataType::UInt64, "records quarantined"),
        col(
            SKIPPED,
            DataType::UInt64,
            "transcript lines of kinds with nothing to store (progress, snapshots, unknown types); 0 for CloudTrail",
        ),
        col(INGEST_RUN, DataType::UInt64, "ingest run"),
        col(
            NOTE,
            DataType::String,
            "why a file was skipped, or what was noticed",
        ),
    ]
}

pub fn agent_sessions_columns() -> Vec<ColumnDoc> {
    use tr::*;
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
            "claude-code, codex, gemini-cli, aider, amazon-q, kiro",
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
    use tr::*;
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
        col(APPROVAL_EVIDENCE, s(), "what the approval value rests on"),
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
            DataType::UInt64,
            "line of the call in the transcript",
        ),
    ]
}

pub fn messages_columns() -> Vec<ColumnDoc> {
    use tr::*;
    let s = || DataType::String;
    vec![
        col(SESSION_ID, s(), "session"),
        col(TIME, utc_micros(), "when it was written"),
        col(ROLE, s(), "user, assistant, system"),
        col(TEXT_EXCERPT, s(), "start of the text (at most 2 KiB)"),
        col(SOURCE_FILE, s(), "transcript file"),
        col(SOURCE_LINE, DataType::UInt64, "line in the transcript"),
    ]
}

/// Columns of any table by name.
pub fn columns_of(name: &str) -> Option<Vec<ColumnDoc>> {
    Some(match name {
        table::EVENTS => events_columns(),
        table::QUARANTINE => quarantine_columns(),
        table::INGESTED_FILES => ingested_files_columns(),
        table::AGENT_SESSIONS => agent_sessions_columns(),
        table::TOOL_CALLS => tool_calls_columns(),
        table::MESSAGES => messages_columns(),
        table::ATTRIBUTION => attribution_columns(),
        table::FINDINGS => findings_columns(),
        _ => return None,
    })
}

pub fn attribution_columns() -> Vec<ColumnDoc> {
    use at::*;
    let s = || DataType::String;
    vec![
        col(EVENT_ID, s(), "the event (`events.event_id`)"),
        col(ACTOR_KIND, s(), "ai, human, service, automation or unknown"),
        col(
            ACTOR,
            s(),
            "agent name (claude-code, codex, kiro, …), a person (SSO email, IAM user, after aliases), a service principal, or a CI principal",
        ),
        col(
            OPERATOR,
            s(),
            "for ai: the person on whose behalf the agent acted, when known",
        ),
        col(
            AGENT_SESSION_ID,
            s(),
            "the agent session that caused the event (`agent_sessions.session_id`)",
        ),
        col(
            TOOL_CALL_ID,
            s(),
            "the tool call that caused it (`tool_calls.call_id`, within that session)",
        ),
        col(
            CONFIDENCE,
            DataType::Float64,
            "0–1: how strongly the evidence supports the label",
        ),
        col(
            EVIDENCE,
            string_list(),
            "signals used, strongest first: `transcript:<session>/<call>`, `ua:m/AN`, `ua:exec-env/…`, `ua:mcp/<server>`, `source_identity:<v>`, `role:<name>`, `console`, `invoked_by:<service>`, `stack_op:<event_id>`, `sid:<id>`, `ci:<principal>`, `identity:<type>`, `conflict:<signal>`, `ambiguous:<n>`",
        ),
        col(REASON, s(), "the label in one readable sentence"),
        col(
            DESTRUCTIVE,
            DataType::Boolean,
            "the call destroyed or weakened something (catalog match and no error code); failed attempts are false here but keep their category",
        ),
        col(
            DESTRUCTIVE_CATEGORY,
            s(),
            "data_loss, service_loss, security_tampering, iam_escalation, key_destruction, network_exposure (attempts included)",
        ),
        col(
            SEVERITY,
            s(),
            "low, medium, high, critical, after context (production account, bucket emptied first, recursive command)",
        ),
        col(
            CATALOG_RULE,
            s(),
            "the catalog rule that decided, e.g. `rds:DeleteDBInstance[skip_final_snapshot]` or `generic:Delete`",
        ),
        col(
            APPROVAL,
            s(),
            "for agents' events: the tool call's approval (auto, explicit, rejected, unknown)",
        ),
        col(
            HUMAN_LAST_SPOKE_SECS,
            DataType::Int64,
            "for agents' events: seconds since a person last wrote in the session (null: never before the call)",
        ),
    ]
}

/// The `findings` table: what `trailblame anomalies` found.
pub fn findings_columns() -> Vec<ColumnDoc> {
    let s = || DataType::String;
    vec![
        col(
            "finding_id",
            s(),
            "stable id: a hash of detector, actor, window start and evidence",
        ),
        col(
            "detector",
            s(),
            "first_seen, rare_for_actor, volume_spike, error_spike, mass_deletion, delete_then_recreate, permission_probing, security_tampering, iam_escalation, unapproved_destructive_ai, off_hours",
        ),
        col("severity", s(), "info, low, medium, high, critical"),
        col(
            "severity_rank",
            DataType::Int64,
            "0 (info) to 4 (critical), for sorting",
        ),
        col(
            "actor_kind",
            s(),
            "ai, human, service, automation or unknown",
        ),
        col("actor", s(), "the actor, as in `events.actor`"),
        col("operator", s(), "the person behind an agent, when known"),
        col("account", s(), "the account of the evidence, when one"),
        col(
            "window_start",
            utc_micros(),
            "time of the first evidence event",
        ),
        col(
            "window_end",
            utc_micros(),
            "time of the last evidence event",
        ),
        col("event_count", DataType::Int64, "evidence events in all"),
        col(
            "event_ids",
            string_list(),
            "the evidence (`events.event_id`), at most `max_evidence` of them",
        ),
        col(
            "score",
            DataType::Float64,
            "the detector's documented score (higher is stranger)",
        ),
        col("explanation", s(), "one sentence with the numbers"),
    ]
}

/// Renders the schema reference (SCHEMA.md is this text).
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# trailblame tables\n\nGenerated from `src/schema.rs` (`trailblame schema`); a test keeps this file in step.\n",
    );
    for (name, intro, cols) in [
        (
            table::EVENTS,
            "One row per CloudTrail event. Stored as `events/event_date=YYYY-MM-DD/part-*.parquet`; \
             `event_date` (DATE, the UTC day of `event_time`) is the Hive partition column and is not inside the files. \
             Empty strings in the input are stored as null.",
            events_columns(),
        ),
        (
            table::QUARANTINE,
            "Records that could not be read, with where and why. Stored as `quarantine/part-*.parquet`.",
            quarantine_columns(),
        ),
        (
            table::INGESTED_FILES,
            "Every input file an ingest met, with its accounting. Stored as `ingested_files/part-*.parquet`.",
            ingested_files_columns(),
        ),
        (
            table::AGENT_SESSIONS,
            "One row per agent session read from a transcript. Stored as `agent_sessions/part-*.parquet`.",
            agent_sessions_columns(),
        ),
        (
            table::TOOL_CALLS,
            "One row per tool call an agent made, with the AWS operations it is expected to cause. \
             Stored as `tool_calls/part-*.parquet`.",
            tool_calls_columns(),
        ),
        (
            table::MESSAGES,
            "User prompts and assistant text, for timelines. Stored as `messages/part-*.parquet`.",
            messages_columns(),
        ),
        (
            table::ATTRIBUTION,
            "Who made each event and how we know, one row per distinct `event_id`, rebuilt whole after every ingest \
             (and when the attribution settings change). Stored as `attribution/part-*.parquet`. In trailblame's SQL \
             these columns are also joined onto `events`; on other engines join `attribution` to `events` on `event_id`.",
            attribution_columns(),
        ),
        (
            table::FINDINGS,
            "What the anomaly detectors found (`trailblame anomalies`), ranked; the latest run over a store is saved as \
             `findings/part-*.parquet`.",
            findings_columns(),
        ),
    ] {
        out.push_str(&format!(
            "\n## `{name}`\n\n{intro}\n\n| column | type | meaning |\n|---|---|---|\n"
        ));
        for c in cols {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.name,
                sql_type(&c.dtype),
                c.doc
            ));
        }
    }
    out
}

/// The portable SQL type name a reader of the Parquet files sees.
fn sql_type(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::String => "VARCHAR",
        DataType::Boolean => "BOOLEAN",
        DataType::UInt64 => "BIGINT (unsigned)",
        DataType::Int64 => "BIGINT",
        DataType::Float64 => "DOUBLE",
        DataType::Datetime(..) => "TIMESTAMP (UTC, µs)",
        DataType::List(_) => "ARRAY<VARCHAR>",
        _ => "other",
    }
}
