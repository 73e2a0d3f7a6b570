//! The names and types of every column trailblame writes, in one place.
//!
//! Later stages (attribution, detectors, reports, the SQL in `queries/`) read
//! these tables by name, so a column is renamed here or nowhere. The same list
//! is rendered into `SCHEMA.md`; a test keeps the two in step.
//!
//! The column names are here; each table's columns with their types and
//! meanings are in `ingest_tables`, `transcript_tables` and `derived_tables`;
//! `markdown` renders them as `SCHEMA.md`.

pub mod ddl;
mod derived_tables;
mod ingest_tables;
mod markdown;
pub mod ocsf;
mod transcript_tables;

pub use derived_tables::{attribution_columns, findings_columns, store_state_columns};
pub use ingest_tables::{
    events_columns, events_schema, ingested_files_columns, quarantine_columns,
};
pub use markdown::render_markdown;

pub mod event_key;
pub use transcript_tables::{agent_sessions_columns, messages_columns, tool_calls_columns};

use polars::prelude::{Column, DataType, Int64Chunked, IntoColumn, TimeUnit, TimeZone};

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
    pub const STORE_STATE: &str = "store_state";

    /// Every table of a store, in the order `SCHEMA.md` lists them. Each
    /// has a folder with at least one typed part once a run has committed.
    pub const ALL: [&str; 9] = [
        EVENTS,
        QUARANTINE,
        INGESTED_FILES,
        AGENT_SESSIONS,
        TOOL_CALLS,
        MESSAGES,
        ATTRIBUTION,
        FINDINGS,
        STORE_STATE,
    ];
}

/// Columns of the `store_state` table: one row saying what the store holds
/// and whether its attribution is up to date, for engines that do not read
/// `_trailblame.json`.
pub mod store_state {
    pub const FORMAT: &str = "format";
    pub const LAST_RUN: &str = "last_run";
    pub const ATTRIBUTION_AFTER_RUN: &str = "attribution_after_run";
    pub const ATTRIBUTION_CURRENT: &str = "attribution_current";
    pub const ATTRIBUTION_SETTINGS_HASH: &str = "attribution_settings_hash";
    pub const ATTRIBUTION_SETTINGS_SOURCE: &str = "attribution_settings_source";
    pub const COMMITTED_AT: &str = "committed_at";
}

/// Columns of the `attribution` table (also joined onto `events` in SQL).
pub mod attribution {
    pub const EVENT_KEY: &str = "event_key";
    pub const ACTION_ID: &str = "action_id";
    pub const VIA: &str = "via";
    pub const ACTOR_KIND: &str = "actor_kind";
    pub const ACTOR: &str = "actor";
    pub const OPERATOR: &str = "operator";
    pub const AGENT_SESSION_ID: &str = "agent_session_id";
    pub const TOOL_CALL_ID: &str = "tool_call_id";
    pub const CONFIDENCE: &str = "confidence";
    pub const EVIDENCE: &str = "evidence";
    pub const REASON: &str = "reason";
    pub const WRITE: &str = "write";
    pub const DESTRUCTIVE: &str = "destructive";
    pub const DESTRUCTIVE_CATEGORY: &str = "destructive_category";
    pub const SEVERITY: &str = "severity";
    pub const CATALOG_RULE: &str = "catalog_rule";
    pub const APPROVAL: &str = "approval";
    pub const APPROVAL_RULE: &str = "approval_rule";
    pub const HUMAN_LAST_SPOKE_SECS: &str = "human_last_spoke_secs";
}

/// Columns of `agent_sessions`, `tool_calls` and `messages` (agent transcripts).
pub mod transcripts {
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
    pub const CHAIN_BREAK: &str = "chain_break";
    pub const TIME: &str = "time";
    pub const ROLE: &str = "role";
    pub const TEXT_EXCERPT: &str = "text_excerpt";
}

/// Columns of the `events` table.
pub mod events {
    pub const EVENT_ID: &str = "event_id";
    pub const EVENT_KEY: &str = "event_key";
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
pub mod quarantine {
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
pub mod ingested_files {
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

/// Microseconds since the epoch as a column of type [`utc_micros`],
/// without a cast that could fail.
pub fn utc_micros_of(micros: Int64Chunked) -> Column {
    micros
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_column()
}

fn string_list() -> DataType {
    DataType::List(Box::new(DataType::String))
}

fn col(name: &'static str, dtype: DataType, doc: &'static str) -> ColumnDoc {
    ColumnDoc { name, dtype, doc }
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
        table::STORE_STATE => store_state_columns(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::NewChunkedArray;

    #[test]
    fn utc_micros_columns_have_the_utc_micros_type() {
        let c = utc_micros_of(Int64Chunked::from_iter_options(
            "t".into(),
            [Some(1_700_000_000_000_000), None].into_iter(),
        ));
        assert_eq!(c.dtype(), &utc_micros());
        assert_eq!(c.null_count(), 1);
    }
}
