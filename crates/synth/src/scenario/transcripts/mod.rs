//! The agents' own transcripts, in each tool's native format, laid out as
//! under each person's home: Claude Code and Codex JSONL files (`claude`,
//! `codex`), Copilot CLI session event logs (`copilot`), and one Kiro
//! SQLite database per person (`kiro`).

mod claude;
mod codex;
mod copilot;
mod kiro;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::scenario::cast::Agent;
use crate::scenario::plan::Plan;
use crate::scenario::session::Session;

/// Writes every transcript; returns (files, bytes).
pub(super) fn write(plan: &Plan, out: &Path) -> Result<(u64, u64)> {
    let dir = out.join("transcripts");
    let files: Vec<&Session> = plan
        .sessions
        .iter()
        .filter(|s| s.agent != Agent::Kiro)
        .filter(|s| !matches!(s.agent, Agent::CopilotCoding | Agent::AwsMcp))
        .collect();
    let sizes = files
        .par_iter()
        .map(|s| {
            let (rel, bytes) = match s.agent {
                Agent::Codex => (codex::rel_path(s), codex::render(s, plan.seed)),
                Agent::CopilotCli => (copilot::rel_path(s), copilot::render(s, plan.seed)),
                _ => (claude::rel_path(s), claude::render(s, plan.seed)),
            };
            let path = dir.join(rel);
            if let Some(d) = path.parent() {
                std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            }
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(bytes.len() as u64)
        })
        .collect::<Result<Vec<u64>>>()?;
    let mut n = sizes.len() as u64;
    let mut total: u64 = sizes.iter().sum();
    let mut kiro_by_person: BTreeMap<u8, Vec<&Session>> = BTreeMap::new();
    for s in plan.sessions.iter().filter(|s| s.agent == Agent::Kiro) {
        kiro_by_person.entry(s.operator).or_default().push(s);
    }
    for (human, mut sessions) in kiro_by_person {
        sessions.sort_by_key(|s| s.start_ms);
        total += kiro::write_db(&dir.join(kiro::rel_path(human)), &sessions, plan.seed)?;
        n += 1;
    }
    Ok((n, total))
}
