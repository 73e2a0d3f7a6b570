//! A deterministic scenario generator: one week of an organisation's AWS
//! activity (three accounts, two regions) in which people, AWS services, a
//! CI pipeline, applications and eight AI-agent setups act — together with
//! the agents' own transcripts, exported incidents, and the ground truth
//! of who did each thing. It is the test bed for attributing CloudTrail
//! events to AI agents or people.
//!
//! Output (under the directory given):
//! `cloudtrail/AWSLogs/…` gzipped delivery files; `transcripts/<user>/…`
//! Claude Code, Codex, Copilot CLI and Kiro files laid out as under each
//! person's home;
//! `ground_truth.csv` (one row per event); `incidents.csv` and
//! `incident_truth.csv`; a `README.md` describing the scenario.
//!
//! How it is built: `cast` (people, accounts, agents) and `resources` fix
//! the organisation; planning (`personas`, `session_builder`, `templates`
//! and `agent_commands` for agent sessions, `incidents/` for the incidents
//! and CloudFormation cascades, `ci` for the pipeline, `cloud_agents` for
//! the managed AWS MCP Server and the Copilot coding agent, `terraform` for the
//! calls a Terraform run makes) fills the `plan::Plan` with scripted
//! `spec::Spec`s, their ground truth, and the `session::Session`s that
//! `transcripts/` renders; `background/` generates the rest per delivery
//! job; `files` renders records (`record`, `params/`, `user_agent`, `ops`)
//! and writes them with the ground truth and incident exports; `iam_data`,
//! `readme` and `stats` write and count the rest. Output depends only on `ScenarioConfig`: every
//! random choice is seeded from (seed, label), uids are handed out in a
//! fixed order, and parallel jobs write disjoint files.

mod agent_commands;
mod background;
mod cast;
mod ci;
mod cloud_agents;
mod files;
mod iam_data;
mod incidents;
mod ops;
mod params;
mod personas;
mod plan;
mod readme;
mod record;
mod resources;
mod session;
mod session_builder;
mod spec;
mod stats;
mod templates;
mod terraform;
mod transcripts;
mod user_agent;

#[cfg(test)]
mod tests;

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeZone, Utc};

pub use stats::ScenarioStats;

use plan::Plan;
use resources::World;
use session::Tool;

/// What to generate.
#[derive(Clone, Debug)]
pub struct ScenarioConfig {
    pub seed: u64,
    /// First day, 00:00 UTC (a Monday; a later time of day is rounded down).
    pub start: DateTime<Utc>,
    /// Length of the scenario in days (1 to 31; the incidents need 5).
    pub days: u32,
    /// Multiplies the volume of people's, services', applications' and CI
    /// activity (1 = the sample size).
    pub background_scale: u32,
    /// Multiplies the number of ordinary agent sessions (1 = the sample).
    pub agent_scale: u32,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            seed: 1,
            start: Utc
                .with_ymd_and_hms(2025, 12, 8, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 7,
            background_scale: 1,
            agent_scale: 1,
        }
    }
}

/// Writes the scenario described by `cfg` under `out` (created if needed;
/// its `cloudtrail/` and `transcripts/` folders are replaced). Uses the
/// current rayon pool; output is identical for any pool size.
pub fn generate(cfg: &ScenarioConfig, out: &Path) -> Result<ScenarioStats> {
    if !(1..=31).contains(&cfg.days) {
        bail!("days must be between 1 and 31, got {}", cfg.days);
    }
    if cfg.background_scale == 0 || cfg.agent_scale == 0 {
        bail!("scales must be at least 1");
    }
    if cfg.background_scale > 10_000 || cfg.agent_scale > 10_000 {
        bail!("scales above 10000 are not supported");
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for sub in ["cloudtrail", "transcripts"] {
        let p = out.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    let start = cfg.start.timestamp().div_euclid(86_400) * 86_400;
    let world = World::build();
    let mut plan = Plan::new(
        cfg.seed,
        start,
        cfg.days,
        cfg.background_scale,
        cfg.agent_scale,
    );
    background::intern_names(&mut plan, &world);
    plan_scripted(&mut plan, &world);

    let mut stats = ScenarioStats {
        agent_sessions: plan.sessions.len() as u64,
        incidents: plan.incidents.len() as u64,
        ..ScenarioStats::default()
    };
    for s in &plan.sessions {
        *stats
            .sessions_by_agent
            .entry(s.agent.as_str().to_string())
            .or_default() += 1;
        for t in &s.turns {
            stats.tool_calls += t.calls.len() as u64;
            stats.aws_tool_calls += t.calls.iter().filter(|c| touches_aws(&c.tool)).count() as u64;
        }
    }
    let (files, bytes) = transcripts::write(&plan, out)?;
    stats.transcript_files = files;
    stats.bytes_on_disk += bytes;

    let jobs = files::write_cloudtrail(&plan, &world, out)?;
    let mut rows = Vec::with_capacity(jobs.iter().map(|j| j.rows.len()).sum());
    for j in jobs {
        stats.cloudtrail_files += j.files;
        stats.cloudtrail_bytes_uncompressed += j.bytes_uncompressed;
        stats.bytes_on_disk += j.bytes_compressed;
        rows.extend(j.rows);
    }
    stats.events = rows.len() as u64;
    for r in &rows {
        *stats
            .events_by_case
            .entry(r.truth.case.as_str().to_string())
            .or_default() += 1;
        *stats
            .events_by_kind
            .entry(r.truth.kind.as_str().to_string())
            .or_default() += 1;
    }
    stats.bytes_on_disk += files::write_ground_truth(&plan, &mut rows, out)?;
    stats.bytes_on_disk += files::write_incidents(&plan, out)?;
    stats.bytes_on_disk += iam_data::write(out)?;
    stats.bytes_on_disk += readme::write(&plan, &stats, out)?;
    stats.bytes_on_disk += write_settings(out)?;
    Ok(stats)
}

/// `trailblame.toml` beside the data: which account is production, where
/// the incidents export and the IAM data are (the rest are the built-in
/// defaults).
fn write_settings(out: &Path) -> Result<u64> {
    let text = format!(
        "# Attribution settings for this scenario (applied with --config-from-inputs,\n\
         # or --config FILE). Only what differs from the built-in defaults;\n\
         # `trailblame attribute --print-config` shows them all.\n\n\
         [accounts]\n\
         production = [\"{}\"]\n\n\
         [incidents]\n\
         # The incidents export `incidents`, `compare` and `report` read.\n\
         file = \"incidents.csv\"\n\n\
         [privileges]\n\
         # `aws iam get-account-authorization-details` output, one file per account.\n\
         iam = [\"iam\"]\n",
        cast::ACCOUNTS[cast::PROD as usize].id
    );
    let path = out.join("trailblame.toml");
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    Ok(text.len() as u64)
}

/// Everything decided up front, in a fixed order.
fn plan_scripted(plan: &mut Plan, world: &World) {
    if let Some(i) = incidents::cost_analysis_outage::main_incident(plan, world) {
        plan.incidents.push(i);
    }
    incidents::stack_updates::console_stack_update(plan);
    let small = [
        incidents::minor::alice_sg_revoke(plan, world),
        incidents::minor::ci_lambda_config(plan, world),
        incidents::minor::codex_env_var(plan),
        incidents::minor::bob_wrong_bucket(plan),
        incidents::minor::untraceable(plan),
    ];
    plan.incidents.extend(small);
    personas::plan_sessions(plan, world);
    ci::plan_ci(plan, world);
    personas::bob_in_agent_windows(plan);
    // Added later; planned last so the rest of the week stays as it was.
    personas::plan_copilot_cli(plan, world);
    cloud_agents::managed_mcp(plan, world);
    cloud_agents::copilot_coding_agent(plan);
}

fn touches_aws(t: &Tool) -> bool {
    match t {
        Tool::McpCallAws { .. } | Tool::KiroUseAws(_) => true,
        Tool::Bash { command, .. }
        | Tool::CodexShell { command, .. }
        | Tool::KiroBash { command, .. } => {
            command.contains("aws ") || command.contains("terraform ")
        }
        _ => false,
    }
}
