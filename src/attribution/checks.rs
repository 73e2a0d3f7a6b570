//! Evidence integrity: the checks that stop one forged string or one
//! forged transcript record from moving blame at full confidence.
//!
//! A marker the caller writes (user agent, source identity, session name)
//! is weakened when stronger evidence contradicts it: an AWS CLI agent id
//! (`m/AN`…) on a client that never sends one (`sdk_never_sends`), or the
//! person's own transcripts of that agent for that day ingested with no
//! call that caused the event (`Coverage`). A transcript match counts
//! fully only when its record sits in its file's record chain (the
//! reader's `chain_break`) and in time order, and the session's
//! operator fits the event's credentials (`transcript_doubts`). Any label
//! of an event whose `eventID` a differing stored record shares is halved
//! (`doubt_shared_ids`): one of the two was not written by CloudTrail as
//! it stands. Each check names itself in `evidence` (`suspect:`,
//! `contradicted:`, `inconsistent:`, `conflict:operator:`,
//! `conflict:event_id:`) and in the reason.

use super::engine::Labels;
use super::facts::UaInfo;
use super::input::{Call, SessionSpan, SharedId};
use super::join::{same_agent, same_person};
use super::links::DAY_US;
use super::markers::{Hit, Kind};
use polars::prelude::PlHashMap;

/// A weakened marker keeps this share of its confidence.
pub const WEAKENED: f64 = 0.5;
/// The most a transcript match whose record is out of order, or whose
/// operator is not the credentials' person, may claim.
pub const DOUBTED_MATCH_MAX: f64 = 0.6;

/// The first AWS CLI v2 release that sends agent feature ids (aws-cli
/// #10485, 2.35.24).
const FIRST_CLI_WITH_AGENT_IDS: (u32, u32, u32) = (2, 35, 24);

fn version(v: &str) -> Option<(u32, u32, u32)> {
    let mut it = v.split(['.', '-', '+']).map(|x| x.parse::<u32>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
}

/// Why an `m/` agent id cannot have come from this client, if it cannot:
/// only the AWS CLI v2, from 2.35.24, sends them.
pub fn sdk_never_sends(ua: &UaInfo, hit: &Hit) -> Option<String> {
    if hit.kind != Kind::FeatureId {
        return None;
    }
    let client = ua.parsed.client.unwrap_or("unknown");
    let v = ua.parsed.client_version.unwrap_or("?");
    let sent = client == "aws-cli" && version(v).is_some_and(|v| v >= FIRST_CLI_WITH_AGENT_IDS);
    (!sent).then(|| {
        format!(
            "{} on {client}/{v}: only the AWS CLI v2 from 2.35.24 sends agent ids",
            hit.evidence.trim_start_matches("ua:")
        )
    })
}

/// Who has ingested transcripts, and when: sessions by operator (the local
/// part of the name, lower case, as `same_person` compares).
pub struct Coverage {
    by_person: PlHashMap<String, Vec<(i64, i64, String)>>,
}

fn local(name: &str) -> String {
    name.split('@').next().unwrap_or(name).to_ascii_lowercase()
}

impl Coverage {
    pub fn new(sessions: &[SessionSpan]) -> Coverage {
        let mut by_person: PlHashMap<String, Vec<(i64, i64, String)>> = PlHashMap::default();
        for s in sessions {
            if let Some(op) = &s.operator {
                by_person.entry(local(op)).or_default().push((
                    s.started_at,
                    s.ended_at,
                    s.agent.clone(),
                ));
            }
        }
        Coverage { by_person }
    }

    pub fn is_empty(&self) -> bool {
        self.by_person.is_empty()
    }

    /// Sessions of `agent` (or of any agent, for an unnamed one) that
    /// `person` ran on the UTC day of `t`: their transcripts for that day
    /// are in the store.
    pub fn sessions_that_day(&self, person: &str, agent: &str, t: i64) -> u32 {
        let Some(list) = self.by_person.get(&local(person)) else {
            return 0;
        };
        let day = t.div_euclid(DAY_US) * DAY_US;
        let generic = agent == "agent" || agent.starts_with("mcp:");
        list.iter()
            .filter(|(s, e, a)| *s < day + DAY_US && *e >= day && (generic || same_agent(a, agent)))
            .count() as u32
    }
}

/// What weakens a transcript match: the record outside its file's record
/// chain (`chain_break`), the record out of order in its file, or a
/// session operator who is not the person whose credentials the event
/// used. Each doubt is (evidence, reason).
pub fn transcript_doubts(c: &Call, person: Option<&str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(why) = &c.chain_break {
        let (kind, place) = why.split_once(": ").unwrap_or(("chain", why.as_str()));
        out.push((
            format!("inconsistent:{kind}:{}/{}", c.session_id, c.call_id),
            format!("transcript chain broken: {place}"),
        ));
    }
    if let Some(why) = &c.chain {
        out.push((
            format!("inconsistent:{}/{}", c.session_id, c.call_id),
            format!("the call's record is out of order ({why})"),
        ));
    }
    if let (Some(op), Some(p)) = (c.operator.as_deref(), person)
        && !same_person(Some(op), Some(p))
    {
        out.push((
            format!("conflict:operator:{op}"),
            format!("the session's operator {op} is not {p}, whose credentials made the call"),
        ));
    }
    out
}

/// Doubts the label of every event that shares its `eventID` with a
/// differing stored record: `conflict:event_id:<records>` first in its
/// evidence, the confidence halved, the reason saying why. Equal labels
/// stay shared (one new label per old label and count).
pub fn doubt_shared_ids(labels: &mut Labels, shared: &[SharedId]) {
    let mut made: PlHashMap<(u32, u32), u32> = PlHashMap::default();
    for s in shared {
        let i = s.event as usize;
        let old = labels.of[i];
        if let Some(&new) = made.get(&(old, s.records)) {
            labels.of[i] = new;
            continue;
        }
        let mut l = labels.get(i).clone();
        l.evidence
            .insert(0, format!("conflict:event_id:{}", s.records));
        l.confidence *= WEAKENED;
        l.reason.push_str(&format!(
            "; possible tampering: {} differing records share this eventID (CloudTrail gives every event its own), so neither is trusted over the other",
            s.records
        ));
        labels.set(i, l);
        made.insert((old, s.records), labels.of[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::user_agent;

    fn hit(kind: Kind) -> Hit {
        Hit {
            actor: "claude-code".into(),
            confidence: 0.8,
            evidence: "ua:m/AN".into(),
            kind,
        }
    }

    fn ua(s: &str) -> UaInfo<'_> {
        UaInfo {
            parsed: user_agent::parse(s),
            ..Default::default()
        }
    }

    #[test]
    fn agent_ids_come_only_from_a_recent_cli() {
        let h = hit(Kind::FeatureId);
        assert!(sdk_never_sends(&ua("aws-cli/2.35.24 md/command#s3.ls m/AN"), &h).is_none());
        assert!(sdk_never_sends(&ua("aws-cli/2.36.0 m/AN"), &h).is_none());
        let why = sdk_never_sends(&ua("aws-cli/2.9.0 m/AN"), &h).unwrap();
        assert!(why.contains("aws-cli/2.9.0"), "{why}");
        assert!(sdk_never_sends(&ua("Boto3/1.40.1 md/Botocore#1.40.1 m/AN"), &h).is_some());
        assert!(sdk_never_sends(&ua("Boto3/1.40.1"), &hit(Kind::AppId)).is_none());
    }

    #[test]
    fn coverage_is_per_person_agent_and_day() {
        let d = DAY_US;
        let cov = Coverage::new(&[SessionSpan {
            session_id: "s".into(),
            agent: "claude-code".into(),
            operator: Some("bob".into()),
            started_at: 10 * d + 1000,
            ended_at: 10 * d + 5000,
        }]);
        assert_eq!(
            cov.sessions_that_day("bob@example.com", "claude-code", 10 * d + 9),
            1
        );
        assert_eq!(
            cov.sessions_that_day("bob@example.com", "codex", 10 * d + 9),
            0
        );
        assert_eq!(
            cov.sessions_that_day("bob@example.com", "claude-code", 11 * d + 9),
            0
        );
        assert_eq!(cov.sessions_that_day("alice", "claude-code", 10 * d), 0);
    }
}
