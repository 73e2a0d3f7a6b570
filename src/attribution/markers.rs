//! The agent-marker catalog (`catalogs/agent_markers.tsv`): which user-agent
//! components, source identities and session names say "an AI agent made
//! this call", and which agent. Data, not code: a new agent is a new line.

use crate::cloudtrail::glob;
use anyhow::{Result, bail};
use std::sync::OnceLock;

pub const CATALOG: &str = include_str!("../../catalogs/agent_markers.tsv");
const CATALOG_NAME: &str = "catalogs/agent_markers.tsv";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    FeatureId,
    ExecEnv,
    AppId,
    Ua,
    McpServer,
    SourceIdentity,
    SessionName,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "feature_id" => Kind::FeatureId,
            "exec_env" => Kind::ExecEnv,
            "app_id" => Kind::AppId,
            "ua" => Kind::Ua,
            "mcp_server" => Kind::McpServer,
            "source_identity" => Kind::SourceIdentity,
            "session_name" => Kind::SessionName,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Marker {
    pub kind: Kind,
    pub pattern: String,
    pub actor: String,
    pub confidence: f64,
}

impl Marker {
    /// True when `text` matches the pattern, under the same glob rules as
    /// the settings' patterns (case-insensitive, `*` and `?`).
    fn matches(&self, text: &str) -> bool {
        glob::matches(&self.pattern, text, &glob::SETTINGS)
    }
}

/// One marker found on an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The agent, or `mcp:<server>` for an MCP server.
    pub actor: String,
    pub confidence: f64,
    /// Evidence text, e.g. `ua:m/AN`.
    pub evidence: String,
    pub kind: Kind,
}

pub struct Markers {
    rows: Vec<Marker>,
}

fn parse(text: &str) -> Result<Markers> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let at = || format!("{CATALOG_NAME}:{}", n + 1);
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 4 || cols.iter().any(|c| c.trim().is_empty()) {
            bail!("{}: expected 4 tab-separated non-empty columns", at());
        }
        let Some(kind) = Kind::parse(cols[0]) else {
            bail!("{}: unknown marker kind {:?}", at(), cols[0]);
        };
        let confidence: f64 = match cols[3].parse() {
            Ok(c) if (0.0..=1.0).contains(&c) => c,
            _ => bail!("{}: confidence {:?} is not a number in 0..1", at(), cols[3]),
        };
        rows.push(Marker {
            kind,
            pattern: cols[1].to_string(),
            actor: cols[2].to_string(),
            confidence,
        });
    }
    if rows.is_empty() {
        bail!("{CATALOG_NAME}: no markers");
    }
    Ok(Markers { rows })
}

/// The embedded catalog, parsed once; validated at start-up by `cli::run`.
pub fn markers() -> Result<&'static Markers> {
    static M: OnceLock<std::result::Result<Markers, String>> = OnceLock::new();
    M.get_or_init(|| parse(CATALOG).map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The parts of an event the markers look at.
#[derive(Default, Clone, Copy)]
pub struct UaParts<'a> {
    pub user_agent: Option<&'a str>,
    pub feature_ids: &'a [&'a str],
    pub exec_env: Option<&'a str>,
    pub app_id: Option<&'a str>,
    pub mcp_server: Option<&'a str>,
    pub source_identity: Option<&'a str>,
    pub session_name: Option<&'a str>,
}

impl Markers {
    /// User-agent markers (m/, exec-env/, app/, MCP), strongest first.
    pub fn user_agent_hits(&self, ua: &UaParts) -> Vec<Hit> {
        let mut out = Vec::new();
        for m in &self.rows {
            let hit = match m.kind {
                Kind::FeatureId => ua
                    .feature_ids
                    .iter()
                    .any(|f| *f == m.pattern)
                    .then(|| format!("ua:m/{}", m.pattern)),
                Kind::ExecEnv => ua
                    .exec_env
                    .filter(|e| m.matches(e))
                    .map(|e| format!("ua:exec-env/{e}")),
                Kind::AppId => ua
                    .app_id
                    .filter(|a| m.matches(a))
                    .map(|a| format!("ua:app/{a}")),
                Kind::Ua => ua
                    .user_agent
                    .filter(|u| u.contains(m.pattern.as_str()))
                    .map(|_| format!("ua:{}", m.pattern)),
                Kind::McpServer => ua
                    .mcp_server
                    .filter(|s| m.matches(s))
                    .map(|s| format!("ua:mcp/{s}")),
                Kind::SourceIdentity | Kind::SessionName => None,
            };
            if let Some(evidence) = hit {
                let actor = if m.actor == "mcp" {
                    format!("mcp:{}", ua.mcp_server.unwrap_or("aws-api-mcp-server"))
                } else {
                    m.actor.clone()
                };
                if !out.iter().any(|h: &Hit| h.evidence == evidence) {
                    out.push(Hit {
                        actor,
                        confidence: m.confidence,
                        evidence,
                        kind: m.kind,
                    });
                }
            }
        }
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        out
    }

    /// Identity markers: a source identity such as `codex@carol` or a role
    /// session name such as `claude-code-1a2b`. Returns the hit and, for a
    /// source identity of the form `agent@person`, the person.
    pub fn identity_hit(&self, ua: &UaParts) -> Option<(Hit, Option<String>)> {
        if let Some(si) = ua.source_identity {
            let (head, person) = match si.split_once('@') {
                Some((h, p)) if !p.is_empty() => (h, Some(p.to_string())),
                _ => (si, None),
            };
            if let Some(m) = self
                .rows
                .iter()
                .find(|m| m.kind == Kind::SourceIdentity && m.matches(head))
            {
                return Some((
                    Hit {
                        actor: m.actor.clone(),
                        confidence: m.confidence,
                        evidence: format!("source_identity:{si}"),
                        kind: m.kind,
                    },
                    person,
                ));
            }
        }
        let sn = ua.session_name?;
        let m = self
            .rows
            .iter()
            .find(|m| m.kind == Kind::SessionName && m.matches(sn))?;
        Some((
            Hit {
                actor: m.actor.clone(),
                confidence: m.confidence,
                evidence: format!("session_name:{sn}"),
                kind: m.kind,
            },
            None,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_is_valid() {
        let m = markers().expect("catalog");
        let actor = |id: &str| {
            let ids = [id];
            m.user_agent_hits(&UaParts {
                feature_ids: &ids,
                ..Default::default()
            })
            .first()
            .map(|h| h.actor.clone())
        };
        assert_eq!(actor("AN").as_deref(), Some("claude-code"));
        assert_eq!(actor("AP").as_deref(), Some("codex"));
        assert_eq!(actor("AW").as_deref(), Some("cursor"));
        assert_eq!(actor("E"), None);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let e = parse("feature_id\tAN\tclaude\n").err().unwrap();
        assert!(format!("{e}").contains(":1:"), "{e}");
        let e = parse("# c\nfeature\tAN\tx\t0.9\n").err().unwrap();
        assert!(format!("{e}").contains(":2: unknown marker kind"), "{e}");
        let e = parse("ua\tx\ty\t1.5\n").err().unwrap();
        assert!(format!("{e}").contains("confidence"), "{e}");
    }

    #[test]
    fn user_agent_markers() {
        let m = markers().unwrap();
        let ids = ["E", "AN"];
        let hits = m.user_agent_hits(&UaParts {
            feature_ids: &ids,
            ..Default::default()
        });
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].actor, "claude-code");
        assert_eq!(hits[0].evidence, "ua:m/AN");
        let hits = m.user_agent_hits(&UaParts {
            exec_env: Some("AmazonQ-For-CLI-Version-1.12.3"),
            ..Default::default()
        });
        assert_eq!(hits[0].actor, "amazon-q");
        let ua = "Boto3/1.40 md/awslabs#mcp#aws-api-mcp-server#1.2.0 md/via/AWS-API-MCP";
        let hits = m.user_agent_hits(&UaParts {
            user_agent: Some(ua),
            mcp_server: Some("aws-api-mcp-server"),
            ..Default::default()
        });
        assert!(hits.iter().all(|h| h.actor == "mcp:aws-api-mcp-server"));
        assert_eq!(hits.len(), 2);
        // A plain CLI has none.
        let ids = ["b", "E"];
        assert!(
            m.user_agent_hits(&UaParts {
                feature_ids: &ids,
                user_agent: Some("aws-cli/2.32.0 m/b,E"),
                ..Default::default()
            })
            .is_empty()
        );
    }

    #[test]
    fn identity_markers() {
        let m = markers().unwrap();
        let (h, person) = m
            .identity_hit(&UaParts {
                source_identity: Some("codex@carol"),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            (h.actor.as_str(), person.as_deref()),
            ("codex", Some("carol"))
        );
        let (h, _) = m
            .identity_hit(&UaParts {
                session_name: Some("claude-code-7f3a"),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(h.actor, "claude-code");
        assert!(
            m.identity_hit(&UaParts {
                source_identity: Some("alice@example.com"),
                session_name: Some("alice@example.com"),
                ..Default::default()
            })
            .is_none()
        );
    }
}
