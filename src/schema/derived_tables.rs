//! The tables computed from the others: `attribution` (recomputed by day
//! after every ingest), `findings` (the latest anomaly run) and `store_state` (rewritten
//! by every commit).

use super::{ColumnDoc, attribution, col, store_state, string_list, utc_micros};
use polars::prelude::DataType;

pub fn attribution_columns() -> Vec<ColumnDoc> {
    use attribution::*;
    let s = || DataType::String;
    vec![
        col(
            EVENT_KEY,
            s(),
            "the event (`events.event_key`): one row per stored event, so events that share an eventID keep their own labels",
        ),
        col(
            ACTION_ID,
            s(),
            "the action the event belongs to: one decision by one actor (an agent's tool call, a person's CLI command, a console click, a script's burst) with every call it caused (pagination, waiters, S3 fan-out, retries, the CloudFormation cascade of a stack operation); named by the `event_key` of its first event. Comparisons count actions, not API calls (rules in ARCHITECTURE.md)",
        ),
        col(
            VIA,
            s(),
            "how the event came from its action: direct (the first call of each operation), cloudformation (CloudFormation acting for the action's stack operation), s3-batch (S3 object-level fan-out), waiter (a polled read, 2 s or more after the previous), pagination (another read) or repeat (a write again)",
        ),
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
            "signals used, strongest first: `transcript:<session>/<call>`, `ua:m/AN`, `ua:exec-env/…`, `ua:mcp/<server>`, `ua:invoked-by/<agent>`, `invoked_by:<service>` (a service, or the managed MCP server calling for an agent), `web_identity:<OIDC subject>`, `on_behalf_of:workload:<subject>`, `session_keys:<access key>@<issuing event_id>` (carried from the STS call), `source_identity:<v>`, `session_name:<v>`, `role:<name>`, `console`, `stack_op:<event_id>`, `sid:<id>`, `ci:<principal>`, `identity:<type>`; doubts first when there are any: `suspect:<marker> on <client>` (a client that never sends it), `contradicted:transcripts:<person>` (their transcripts for that day are ingested and none caused the event), `inconsistent:<session>/<call>` (the call's record is out of order in its file), `inconsistent:<kind>:<session>/<call>` (the call's record is outside its file's record chain: `tool_calls.chain_break`), `conflict:operator:<name>`, `conflict:event_id:<records>` (that many differing stored records share the event's eventID: possible tampering, confidence halved), `conflict:<signal>`, `ambiguous:<n>`",
        ),
        col(REASON, s(), "the label in one readable sentence"),
        col(
            WRITE,
            DataType::Boolean,
            "the one definition of a write (`attribution::is_write`): CloudTrail's readOnly is false and the call succeeded (no error code); failed attempts are false here and stay visible through error_code",
        ),
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
            "for agents' events: approved (the record shows a person approved), auto_approved (a rule or mode allowed it, named in approval_rule), rejected, unknown (no tool call, or the answer is not stored: never read as \"no\"); null for others",
        ),
        col(
            APPROVAL_RULE,
            s(),
            "for auto_approved events: the rule or mode that let the call run, e.g. `permissionMode=bypassPermissions`",
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

pub fn store_state_columns() -> Vec<ColumnDoc> {
    use store_state::*;
    vec![
        col(
            FORMAT,
            DataType::Int64,
            "store format (`_trailblame.json`'s `format`)",
        ),
        col(
            LAST_RUN,
            DataType::Int64,
            "the last committed ingest or merge run; 0 before any",
        ),
        col(
            ATTRIBUTION_AFTER_RUN,
            DataType::Int64,
            "the run after which `attribution` was computed; null when it never was",
        ),
        col(
            ATTRIBUTION_CURRENT,
            DataType::Boolean,
            "true when `attribution` covers every stored event (computed after the last run). \
             False after `ingest --no-attribution`: trailblame rebuilds it when it next reads the store; \
             other engines should run any trailblame command once, or treat the labels as incomplete",
        ),
        col(
            ATTRIBUTION_SETTINGS_HASH,
            DataType::String,
            "hash of the attribution settings and rules it was computed with",
        ),
        col(
            ATTRIBUTION_SETTINGS_SOURCE,
            DataType::String,
            "where those settings came from (a file path, or built-in defaults)",
        ),
        col(COMMITTED_AT, utc_micros(), "when this state was committed"),
    ]
}
