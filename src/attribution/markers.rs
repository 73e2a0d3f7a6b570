//! The agent-marker catalog (`catalogs/agent_markers.tsv`): which user-agent
//! components, identity fields, source identities and session names say "an
//! AI agent made this call", and which agent. Data, not code: a new agent is
//! a new line, with why it means what it means and where that is written.
//!
//! Markers a caller writes itself (user-agent parts, source identity,
//! session name) are one string an attacker can forge: the catalog may not
//! give them more than `SPOOFABLE_MAX`, below the least confidence of a
//! transcript match. Fields AWS writes (`invokedBy`, a web identity's OIDC
//! subject, `onBehalfOf`) may go to `AWS_WRITTEN_MAX`.

use crate::cloudtrail::glob;
use anyhow::{Result, bail};
use std::sync::OnceLock;

pub const CATALOG: &str = include_str!("../../catalogs/agent_markers.tsv");
const CATALOG_NAME: &str = "catalogs/agent_markers.tsv";

/// The most a marker the caller writes itself may claim (a transcript match
/// starts at 0.9).
pub const SPOOFABLE_MAX: f64 = 0.8;
/// The most a field AWS writes may claim without a transcript.
pub const AWS_WRITTEN_MAX: f64 = 0.9;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    FeatureId,
    ExecEnv,
    AppId,
    Ua,
    UaInvokedBy,
    McpServer,
    InvokedBy,
    WebIdentity,
    OnBehalfOf,
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
            "ua_invoked_by" => Kind::UaInvokedBy,
            "mcp_server" => Kind::McpServer,
            "invoked_by" => Kind::InvokedBy,
            "web_identity" => Kind::WebIdentity,
            "on_behalf_of" => Kind::OnBehalfOf,
            "source_identity" => Kind::SourceIdentity,
            "session_name" => Kind::SessionName,
            _ => return None,
        })
    }

    /// The caller writes it: one forged string is enough.
    pub fn spoofable(self) -> bool {
        !matches!(self, Kind::InvokedBy | Kind::WebIdentity | Kind::OnBehalfOf)
    }

    /// The actor may be `*`: the agent the matched value names.
    fn names_its_actor(self) -> bool {
        matches!(self, Kind::UaInvokedBy | Kind::OnBehalfOf)
    }
}

#[derive(Clone, Debug)]
pub struct Marker {
    pub kind: Kind,
    pub pattern: String,
    pub actor: String,
    pub confidence: f64,
    /// What the marker means (catalog column `why`).
    pub why: String,
    /// Where that is documented (catalog column `reference`).
    pub reference: String,
}

impl Marker {
    /// True when `text` matches the pattern, under the same glob rules as
    /// the settings' patterns (case-insensitive, `*` and `?`).
    fn matches(&self, text: &str) -> bool {
        glob::matches(&self.pattern, text, &glob::SETTINGS)
    }

    /// The actor for a matched value: the catalog's, or the value's own name
    /// for `*`, or `mcp:<server>` for `mcp`.
    fn actor_for(&self, value: &str) -> String {
        match self.actor.as_str() {
            "*" => actor_name(value),
            "mcp" if self.kind == Kind::InvokedBy => {
                format!(
                    "mcp:{}",
                    actor_name(value.trim_end_matches(".amazonaws.com"))
                )
            }
            _ => self.actor.clone(),
        }
    }

    fn hit(&self, value: &str, evidence: String) -> Hit {
        Hit {
            actor: self.actor_for(value),
            confidence: self.confidence,
            evidence,
            kind: self.kind,
        }
    }
}

/// A name taken from a log value, made safe to show and to group by:
/// lower case, letters, digits and `._:/@-` only, at most 160 characters
/// (an AgentCore workload's SPIFFE id, about 110, keeps its runtime id).
pub fn actor_name(value: &str) -> String {
    let mut out: String = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._:/@-".contains(*c))
        .take(160)
        .collect::<String>()
        .to_ascii_lowercase();
    if out.is_empty() {
        out.push_str("agent");
    }
    out
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
        let cols: [&str; 6] = match crate::tsv::fields(line) {
            Ok(cols) if cols.iter().all(|c| !c.trim().is_empty()) => cols,
            _ => bail!(
                "{}: expected 6 tab-separated non-empty columns (kind, pattern, actor, confidence, why, reference)",
                at()
            ),
        };
        let Some(kind) = Kind::parse(cols[0]) else {
            bail!("{}: unknown marker kind {:?}", at(), cols[0]);
        };
        let max = if kind.spoofable() {
            SPOOFABLE_MAX
        } else {
            AWS_WRITTEN_MAX
        };
        let confidence: f64 = match cols[3].parse() {
            Ok(c) if (0.0..=1.0).contains(&c) => c,
            _ => bail!("{}: confidence {:?} is not a number in 0..1", at(), cols[3]),
        };
        if confidence > max {
            bail!(
                "{}: confidence {confidence} is above {max}, the most a {} marker may claim without a transcript",
                at(),
                cols[0]
            );
        }
        if cols[2] == "*" && !kind.names_its_actor() {
            bail!(
                "{}: actor `*` is only for ua_invoked_by and on_behalf_of",
                at()
            );
        }
        rows.push(Marker {
            kind,
            pattern: cols[1].to_string(),
            actor: cols[2].to_string(),
            confidence,
            why: cols[4].to_string(),
            reference: cols[5].to_string(),
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

/// The `invoked-by/<agent>` component of a user agent, if any.
pub fn ua_invoked_by(ua: &str) -> Option<&str> {
    ua.split_ascii_whitespace()
        .find_map(|t| t.strip_prefix("invoked-by/"))
        .map(|v| v.trim_end_matches([',', ']', ')']))
        .filter(|v| !v.is_empty())
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
    fn first(&self, kind: Kind, value: &str) -> Option<&Marker> {
        self.rows
            .iter()
            .find(|m| m.kind == kind && m.matches(value))
    }

    /// User-agent markers (m/, exec-env/, app/, invoked-by/, MCP), strongest first.
    pub fn user_agent_hits(&self, ua: &UaParts) -> Vec<Hit> {
        let invoked_by = ua.user_agent.and_then(ua_invoked_by);
        let mut out = Vec::new();
        for m in &self.rows {
            let hit = match m.kind {
                Kind::FeatureId => ua
                    .feature_ids
                    .iter()
                    .find(|f| **f == m.pattern)
                    .map(|f| (*f, format!("ua:m/{}", m.pattern))),
                Kind::ExecEnv => ua
                    .exec_env
                    .filter(|e| m.matches(e))
                    .map(|e| (e, format!("ua:exec-env/{e}"))),
                Kind::AppId => ua
                    .app_id
                    .filter(|a| m.matches(a))
                    .map(|a| (a, format!("ua:app/{a}"))),
                Kind::Ua => ua
                    .user_agent
                    .filter(|u| u.contains(m.pattern.as_str()))
                    .map(|u| (u, format!("ua:{}", m.pattern))),
                Kind::UaInvokedBy => invoked_by
                    .filter(|a| m.matches(a))
                    .map(|a| (a, format!("ua:invoked-by/{a}"))),
                Kind::McpServer => ua
                    .mcp_server
                    .filter(|s| m.matches(s))
                    .map(|s| (s, format!("ua:mcp/{s}"))),
                _ => None,
            };
            if let Some((value, evidence)) = hit {
                let mut h = m.hit(value, evidence);
                if m.actor == "mcp" && m.kind != Kind::InvokedBy {
                    h.actor = format!("mcp:{}", ua.mcp_server.unwrap_or("aws-api-mcp-server"));
                }
                if !out.iter().any(|x: &Hit| x.evidence == h.evidence) {
                    out.push(h);
                }
            }
        }
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        out
    }

    /// `userIdentity.invokedBy` naming a service that calls for an agent
    /// (the managed AWS MCP Server).
    pub fn invoked_by_hit(&self, invoked_by: &str) -> Option<Hit> {
        self.first(Kind::InvokedBy, invoked_by)
            .map(|m| m.hit(invoked_by, format!("invoked_by:{invoked_by}")))
    }

    /// A WebIdentityUser's OIDC subject naming an agent
    /// (`repo:<o>/<r>:environment:copilot`).
    pub fn web_identity_hit(&self, subject: &str) -> Option<Hit> {
        self.first(Kind::WebIdentity, subject)
            .map(|m| m.hit(subject, format!("web_identity:{subject}")))
    }

    /// `onBehalfOf` as stored (`workload:<subject>`) naming an agent.
    pub fn on_behalf_of_hit(&self, value: &str) -> Option<Hit> {
        let m = self.first(Kind::OnBehalfOf, value)?;
        let named = value.split_once(':').map_or(value, |(_, s)| s);
        Some(m.hit(named, format!("on_behalf_of:{value}")))
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
            if let Some(m) = self.first(Kind::SourceIdentity, head) {
                return Some((m.hit(head, format!("source_identity:{si}")), person));
            }
        }
        let sn = ua.session_name?;
        let m = self.first(Kind::SessionName, sn)?;
        Some((m.hit(sn, format!("session_name:{sn}")), None))
    }

    /// Every entry, for documentation and tests.
    pub fn entries(&self) -> &[Marker] {
        &self.rows
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
        let e = parse("\nfeature_id\tAN\tclaude-code\t0.5\tw\tr\textra\n")
            .err()
            .unwrap();
        assert!(format!("{e}").contains(":2: expected 6"), "{e}");
        let e = parse("# c\nfeature\tAN\tx\t0.7\tw\tr\n").err().unwrap();
        assert!(format!("{e}").contains(":2: unknown marker kind"), "{e}");
        let e = parse("ua\tx\ty\t1.5\tw\tr\n").err().unwrap();
        assert!(format!("{e}").contains("confidence"), "{e}");
        // One forgeable string may not claim a transcript's confidence.
        let e = parse("feature_id\tAN\tclaude-code\t0.95\tw\tr\n")
            .err()
            .unwrap();
        assert!(format!("{e}").contains("above 0.8"), "{e}");
        assert!(parse("invoked_by\tx\tmcp\t0.9\tw\tr\n").is_ok());
        let e = parse("session_name\tx\t*\t0.5\tw\tr\n").err().unwrap();
        assert!(format!("{e}").contains("actor `*`"), "{e}");
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

    #[test]
    fn markers_of_2026() {
        let m = markers().unwrap();
        let ids = ["AX"];
        let hits = m.user_agent_hits(&UaParts {
            feature_ids: &ids,
            ..Default::default()
        });
        assert_eq!(
            (hits[0].actor.as_str(), hits[0].evidence.as_str()),
            ("kiro", "ua:m/AX")
        );
        // A tool that names the agent driving it.
        let ua = "deadline-cloud/0.52.1 Python/3.12 invoked-by/Claude-Code";
        let hits = m.user_agent_hits(&UaParts {
            user_agent: Some(ua),
            ..Default::default()
        });
        assert_eq!(hits[0].actor, "claude-code");
        assert_eq!(hits[0].evidence, "ua:invoked-by/Claude-Code");
        // The managed AWS MCP Server, by its invokedBy and by its user agent.
        let h = m.invoked_by_hit("aws-mcp.amazonaws.com").unwrap();
        assert_eq!(
            (h.actor.as_str(), h.evidence.as_str()),
            ("mcp:aws-mcp", "invoked_by:aws-mcp.amazonaws.com")
        );
        assert_eq!(
            m.invoked_by_hit("eks-mcp.amazonaws.com").unwrap().actor,
            "mcp:eks-mcp"
        );
        assert!(m.invoked_by_hit("cloudformation.amazonaws.com").is_none());
        let hits = m.user_agent_hits(&UaParts {
            user_agent: Some("aws-mcp.amazonaws.com"),
            ..Default::default()
        });
        assert_eq!(hits[0].actor, "mcp:aws-mcp");
        // GitHub Copilot coding agent's OIDC subject; other environments are not it.
        let h = m
            .web_identity_hit("repo:octo-org/shop:environment:copilot")
            .unwrap();
        assert_eq!(h.actor, "copilot-coding-agent");
        assert!(
            m.web_identity_hit("repo:octo-org/shop:environment:production")
                .is_none()
        );
        // An agent identity names its workload.
        let h = m.on_behalf_of_hit("workload:spiffe://111122223333.aws.internal/us-west-2/bedrock-agentcore/runtime/triage").unwrap();
        assert_eq!(
            h.actor,
            "spiffe://111122223333.aws.internal/us-west-2/bedrock-agentcore/runtime/triage"
        );
        assert!(m.on_behalf_of_hit("user:alice@example.com").is_none());
        // Every entry says why and where; forgeable kinds stay under a transcript.
        for e in m.entries() {
            assert!(!e.why.is_empty() && !e.reference.is_empty());
            assert!(!e.kind.spoofable() || e.confidence <= SPOOFABLE_MAX);
        }
    }
}
