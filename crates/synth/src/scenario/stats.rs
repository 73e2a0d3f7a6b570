//! What a scenario run wrote, counted: `generate` returns it, the binary
//! prints it and the scenario's `README.md` quotes it.

use std::collections::BTreeMap;

/// What `generate` wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScenarioStats {
    /// CloudTrail records written (= ground-truth rows).
    pub events: u64,
    /// Events per ground-truth `case`.
    pub events_by_case: BTreeMap<String, u64>,
    /// Events per `actor_kind`.
    pub events_by_kind: BTreeMap<String, u64>,
    pub cloudtrail_files: u64,
    pub agent_sessions: u64,
    pub sessions_by_agent: BTreeMap<String, u64>,
    /// Every tool call in the transcripts.
    pub tool_calls: u64,
    /// Tool calls that run an AWS CLI command, Terraform, `use_aws` or the
    /// MCP server's `call_aws`.
    pub aws_tool_calls: u64,
    pub transcript_files: u64,
    pub incidents: u64,
    /// JSON bytes of the CloudTrail files before compression.
    pub cloudtrail_bytes_uncompressed: u64,
    /// Bytes of every file written.
    pub bytes_on_disk: u64,
}
