//! What one event says about its caller on its own, before any join:
//! user-agent markers (computed once per distinct user agent), principal
//! facts (person, CI, agent role, identity markers; computed once per
//! distinct principal and source identity), and origins: what AWS itself
//! wrote about the agent behind a call (`invokedBy` of the managed MCP
//! server, a web identity's OIDC subject, `onBehalfOf`), carried from the
//! STS call that issued a session's keys to every call made with them
//! (`origins`).

use super::input::Events;
use super::markers::{Hit, Markers, UaParts};
use super::settings::{Settings, any_glob};
use crate::cloudtrail::user_agent::{self, UserAgent};
use polars::prelude::PlHashMap;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One distinct user agent.
#[derive(Default, Debug)]
pub struct UaInfo<'a> {
    /// Its parts, as ingest reads them (client, CLI command, `sid/`,
    /// exec-env, `m/` feature ids…).
    pub parsed: UserAgent<'a>,
    /// What its markers say, shared with every user agent that says the
    /// same.
    pub marks: Arc<UaMarks>,
}

/// What a user agent's markers say. User agents differ by session id and
/// command far more often than this does (3M events: 313K distinct user
/// agents, 110K with a marker, 8 distinct `UaMarks`): each distinct one
/// is kept once, which saved a vector and two or three strings for each
/// user agent with a marker.
#[derive(Default, Debug, PartialEq)]
pub struct UaMarks {
    /// AI markers, strongest first.
    pub hits: Vec<Hit>,
    /// The agent the user agent names (m/ feature id, exec-env, app id), if any.
    pub feature_agent: Option<String>,
    /// The agent marker is one any client version carries (exec-env/, app/),
    /// not an m/ id only recent CLIs send.
    pub marker_any_version: bool,
}

impl UaMarks {
    /// A hash of everything the marks say (for sharing equal marks), as
    /// `Label::content_hash` (a hit's confidence is a float).
    fn content_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        for hit in &self.hits {
            hit.actor.hash(&mut h);
            hit.evidence.hash(&mut h);
            hit.confidence.to_bits().hash(&mut h);
            (hit.kind as u8).hash(&mut h);
        }
        self.feature_agent.hash(&mut h);
        self.marker_any_version.hash(&mut h);
        h.finish()
    }
}

/// One distinct (principal ARN, source identity, identity type, user name).
#[derive(Default, Debug, Clone)]
pub struct PrincipalFacts {
    /// The person whose credentials these are (SSO user, IAM user, root…),
    /// after aliases; `None` for roles that are not a person's.
    pub person: Option<String>,
    /// `identity:<type>` or `sso:<permission set>` evidence for `person`.
    pub person_evidence: Option<String>,
    /// A CI / automation principal matched by the settings.
    pub ci: Option<String>,
    /// A role the settings name as an agent's.
    pub agent_role: Option<String>,
    /// A source identity or session name marker, with the person it names.
    pub identity_hit: Option<(Hit, Option<String>)>,
    /// A workload's role: an EC2 instance profile (session `i-…`).
    pub workload: Option<String>,
    /// A name for anything else (role/session, account).
    pub other: Option<String>,
    pub service_role: bool,
}

/// What AWS wrote about the agent behind a call: the marker hit, and how it
/// reached this event (`session_keys:<key>@<issuing event>` when carried).
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub hit: Hit,
    pub carried: Option<String>,
}

/// Per-event facts, pointing into the distinct tables.
pub struct Facts<'a> {
    pub ua_of: Vec<u32>,
    pub uas: Vec<UaInfo<'a>>,
    pub principal_of: Vec<u32>,
    pub principals: Vec<PrincipalFacts>,
    /// Each event's origin, an index into `origins` (`NO_ORIGIN` for none).
    pub origin_of: Vec<u32>,
    pub origins: Vec<Origin>,
    /// Known people (for resolving `carol` to `carol@example.com`).
    pub people: BTreeSet<String>,
}

pub const CFN: &str = "cloudformation.amazonaws.com";
pub const NO_ORIGIN: u32 = u32::MAX;

fn ua_info<'a>(ua: &'a str, markers: &Markers) -> (UserAgent<'a>, UaMarks) {
    let p = user_agent::parse(ua);
    // Trimmed (Unicode white space) here only: the events table keeps the
    // ids as written.
    let ids: Vec<&str> = p.feature_id_list().map(str::trim).collect();
    let parts = UaParts {
        user_agent: Some(ua),
        feature_ids: &ids,
        exec_env: p.exec_env,
        app_id: p.app_id,
        mcp_server: p.mcp_server,
        source_identity: None,
        session_name: None,
    };
    let hits = markers.user_agent_hits(&parts);
    // The agent the user agent names itself (m/ id, exec-env, app id), not
    // an MCP server, which any agent may use.
    let named = hits.iter().find(|h| !h.actor.starts_with("mcp:"));
    let feature_agent = named.map(|h| h.actor.clone());
    let marker_any_version = hits
        .iter()
        .any(|h| !h.actor.starts_with("mcp:") && h.kind != super::markers::Kind::FeatureId);
    (
        p,
        UaMarks {
            hits,
            feature_agent,
            marker_any_version,
        },
    )
}

/// Builds the distinct tables and each event's pointers into them.
pub fn facts<'a>(e: &'a Events, settings: &Settings, markers: &Markers) -> Facts<'a> {
    let n = e.len();
    // User agents are already distinct values of their column; the last
    // entry stands for "no user agent".
    // A batch at a time, so that only a batch's marks are held before
    // they are shared.
    const BATCH: u32 = 16 * 1024;
    let distinct = e.user_agent.distinct() as u32;
    let mut uas: Vec<UaInfo> = Vec::with_capacity(distinct as usize + 1);
    let mut shared: super::dense::Distinct<Arc<UaMarks>> = Default::default();
    for from in (0..distinct).step_by(BATCH as usize) {
        let made: Vec<(UserAgent, UaMarks)> = (from..distinct.min(from + BATCH))
            .into_par_iter()
            .map(|id| ua_info(e.user_agent.value(id), markers))
            .collect();
        uas.extend(made.into_iter().map(|(parsed, marks)| {
            let k = shared.intern(marks.content_hash(), Arc::new(marks));
            UaInfo {
                parsed,
                marks: shared.get(k).clone(),
            }
        }));
    }
    drop(shared);
    let none = uas.len() as u32;
    uas.push(UaInfo::default());
    let ua_of = (0..n).map(|i| e.user_agent.id(i).unwrap_or(none)).collect();
    // A principal is its (principal ARN, source identity, identity type,
    // user name, …): web-identity, SAML and federated users have no ARN, so
    // two OIDC subjects differ only in their user name.
    // Every field `principal_facts` reads is in the key: facts taken from
    // one event must hold for all that share it, whichever is read first
    // (an Identity Center user's person is `onBehalfOf`, absent from the
    // ARN), so that any subset of the events gives each the same facts.
    let dense = super::dense::dense_ids(n, |i| {
        (
            (
                e.principal_arn.id(i),
                e.source_identity.id(i),
                e.identity_type.id(i),
                e.user_name.id(i),
            ),
            (
                e.role_name.id(i),
                e.session_name.id(i),
                e.on_behalf_of.id(i),
                e.account.id(i),
            ),
        )
    });
    let principals: Vec<PrincipalFacts> = dense
        .first
        .par_iter()
        .map(|&i| principal_facts(e, i, settings, markers))
        .collect();
    let principal_of = dense.of;
    let people = principals.iter().filter_map(|p| p.person.clone()).collect();
    let (origin_of, origins) = origins(e, markers);
    Facts {
        ua_of,
        uas,
        principal_of,
        principals,
        origin_of,
        origins,
        people,
    }
}

/// The `userName` CloudTrail records for a console sign-in by a user name
/// that does not exist (docs: "CloudTrail log file examples", sign-in events).
pub const HIDDEN_USER_NAME: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Each event's origin: its own `invokedBy`, OIDC subject or `onBehalfOf`
/// when a marker names an agent there, else the origin of the STS call that
/// issued the access key it used (role chaining included: keys issued to a
/// session with an origin keep it, as `aws:OriginIdentity` does).
fn origins(e: &Events, markers: &Markers) -> (Vec<u32>, Vec<Origin>) {
    let mut table: Vec<Origin> = Vec::new();
    let mut of = vec![NO_ORIGIN; e.len()];
    let intern = |o: Origin, table: &mut Vec<Origin>| -> u32 {
        match table.iter().position(|x| *x == o) {
            Some(k) => k as u32,
            None => {
                table.push(o);
                (table.len() - 1) as u32
            }
        }
    };
    // Distinct values first: a handful of invokedBy, subjects and onBehalfOf.
    let invoked: Vec<Option<Hit>> = (0..e.invoked_by.distinct() as u32)
        .map(|id| markers.invoked_by_hit(e.invoked_by.value(id)))
        .collect();
    let behalf: Vec<Option<Hit>> = (0..e.on_behalf_of.distinct() as u32)
        .map(|id| markers.on_behalf_of_hit(e.on_behalf_of.value(id)))
        .collect();
    let web: Vec<Option<Hit>> = (0..e.user_name.distinct() as u32)
        .map(|id| markers.web_identity_hit(e.user_name.value(id)))
        .collect();
    let own = |i: usize| -> Option<Hit> {
        if let Some(h) = e
            .invoked_by
            .id(i)
            .and_then(|id| invoked[id as usize].clone())
        {
            return Some(h);
        }
        if let Some(h) = e
            .on_behalf_of
            .id(i)
            .and_then(|id| behalf[id as usize].clone())
        {
            return Some(h);
        }
        if e.identity_type.get(i) == Some("WebIdentityUser") {
            return e.user_name.id(i).and_then(|id| web[id as usize].clone());
        }
        None
    };
    let any_own = invoked
        .iter()
        .chain(&behalf)
        .chain(&web)
        .any(Option::is_some);
    if !any_own {
        return (of, table);
    }
    // Credential calls in time order, so a chained AssumeRole sees the
    // origin of the keys it was made with.
    let mut issuers: Vec<usize> = e.issued_keys.keys().copied().collect();
    issuers.sort_unstable_by_key(|&i| (e.time[i], i));
    let mut by_key: PlHashMap<&str, (i64, u32)> = PlHashMap::default();
    for i in issuers {
        let (key, id) = &e.issued_keys[&i];
        let from = own(i).map(|hit| Origin { hit, carried: None }).or_else(|| {
            let used = e.access_key_id.get(i)?;
            let (t, o) = *by_key.get(used)?;
            (t <= e.time[i]).then(|| table[o as usize].clone())
        });
        if let Some(mut o) = from {
            o.carried = Some(format!("session_keys:{key}@{id}"));
            let k = intern(o, &mut table);
            by_key.insert(key, (e.time[i], k));
        }
    }
    for (i, slot) in of.iter_mut().enumerate() {
        if let Some(hit) = own(i) {
            *slot = intern(Origin { hit, carried: None }, &mut table);
        } else if let Some((t, o)) = e.access_key_id.get(i).and_then(|k| by_key.get(k))
            && e.time[i] + SKEW_US >= *t
        {
            *slot = *o;
        }
    }
    (of, table)
}

/// Calls with issued keys may be recorded a little before the issuing call.
const SKEW_US: i64 = 5_000_000;

fn principal_facts(e: &Events, i: usize, s: &Settings, markers: &Markers) -> PrincipalFacts {
    let it = e.identity_type.get(i).unwrap_or("");
    let role = e.role_name.get(i);
    let session = e.session_name.get(i);
    let user = e.user_name.get(i);
    let mut f = PrincipalFacts {
        identity_hit: markers.identity_hit(&UaParts {
            source_identity: e.source_identity.get(i),
            session_name: session,
            ..Default::default()
        }),
        ..Default::default()
    };
    if let Some(r) = role {
        f.service_role = r.starts_with("AWSServiceRoleFor");
        f.agent_role = any_glob(&s.principals.agent_roles, r).map(|_| r.to_string());
        if any_glob(&s.principals.ci_roles, r).is_some() {
            f.ci = Some(r.to_string());
        }
    }
    if let Some(sn) = session
        && f.ci.is_none()
        && any_glob(&s.principals.ci_sessions, sn).is_some()
    {
        f.ci = Some(role.unwrap_or(sn).to_string());
    }
    if let (Some(r), Some(sn)) = (role, session)
        && sn.len() > 2
        && sn.starts_with("i-")
        && sn[2..].bytes().all(|b| b.is_ascii_hexdigit())
    {
        f.workload = Some(format!("ec2:{r}"));
    }
    let person = |name: &str, ev: String| (Some(s.person(name)), Some(ev));
    // CloudTrail writes this placeholder for the user name of a failed
    // sign-in with an unknown user: it names nobody.
    let user = user.filter(|u| *u != HIDDEN_USER_NAME);
    (f.person, f.person_evidence) = match it {
        "IAMUser" => match user {
            Some(u) if any_glob(&s.principals.ci_users, u).is_some() => {
                f.ci = Some(u.to_string());
                (None, None)
            }
            Some(u) => person(u, "identity:IAMUser".into()),
            None => (None, None),
        },
        "Root" => person(
            &format!("root@{}", e.account.get(i).unwrap_or("unknown")),
            "identity:Root".into(),
        ),
        "IdentityCenterUser" => match e.on_behalf_of.get(i).or(user) {
            Some(u) => person(u, "identity:IdentityCenterUser".into()),
            None => (None, None),
        },
        "FederatedUser" | "SAMLUser" | "WebIdentityUser" => match user {
            // A CI job's OIDC subject (`repo:org/repo:ref:…`).
            Some(u) if any_glob(&s.principals.ci_users, u).is_some() => {
                f.ci = Some(u.to_string());
                (None, None)
            }
            Some(u) if f.ci.is_none() => person(u, format!("identity:{it}")),
            _ => (None, None),
        },
        "AssumedRole" => match (role, session) {
            (Some(r), Some(sn)) if r.starts_with("AWSReservedSSO_") && f.agent_role.is_none() => {
                let set = r
                    .strip_prefix("AWSReservedSSO_")
                    .and_then(|x| x.rsplit_once('_'))
                    .map_or(r, |(set, _)| set);
                person(sn, format!("sso:{set}"))
            }
            // A person's name as the session name of an ordinary role.
            (Some(_), Some(sn)) if sn.contains('@') && f.agent_role.is_none() && f.ci.is_none() => {
                person(sn, "identity:session-name".into())
            }
            _ => (None, None),
        },
        _ => (None, None),
    };
    f.other = match (role, session, user) {
        (Some(r), Some(sn), _) => Some(format!("{r}/{sn}")),
        (Some(r), None, _) => Some(r.to_string()),
        (None, _, Some(u)) => Some(u.to_string()),
        _ => e
            .principal_arn
            .get(i)
            .map(str::to_owned)
            .or_else(|| e.account.get(i).map(|a| format!("account:{a}"))),
    };
    f
}

/// A service that made a call: who, and the evidence kind and value
/// (`identity:AWSService`, `invoked_by:<who>`, `role:<name>`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Service<'a> {
    pub who: &'a str,
    pub evidence_kind: &'static str,
    pub evidence_value: &'a str,
}

impl Service<'_> {
    pub fn evidence(&self) -> String {
        format!("{}:{}", self.evidence_kind, self.evidence_value)
    }
}

/// A service acting on its own or for a caller (not CloudFormation, which
/// the engine follows back to the stack operation, and not a service that
/// calls for an agent, such as the managed AWS MCP Server: `agent_via` is
/// true when the event's `invokedBy` is one of those).
pub fn service_actor<'a>(
    e: &'a Events,
    i: usize,
    p: &PrincipalFacts,
    agent_via: bool,
) -> Option<Service<'a>> {
    let ip = e.source_ip.get(i).filter(|s| s.ends_with(".amazonaws.com"));
    let svc = |who, evidence_kind, evidence_value| {
        Some(Service {
            who,
            evidence_kind,
            evidence_value,
        })
    };
    match e.event_type.get(i) {
        Some(t @ "AwsServiceEvent") => {
            return svc(e.source.get(i).unwrap_or("aws-service"), "event_type", t);
        }
        Some(t @ "AwsCloudTrailInsight") => return svc("cloudtrail-insights", "event_type", t),
        _ => {}
    }
    if e.identity_type.get(i) == Some("AWSService") {
        let who = e.invoked_by.get(i).or(ip).unwrap_or("aws-service");
        return svc(who, "identity", "AWSService");
    }
    if let Some(by) = e.invoked_by.get(i)
        && by != CFN
        && !agent_via
    {
        return svc(by, "invoked_by", by);
    }
    if p.service_role {
        let role = e.role_name.get(i).unwrap_or("AWSServiceRole");
        return svc(ip.unwrap_or(role), "role", role);
    }
    None
}

/// CloudFormation calling with the caller's identity for a stack operation.
pub fn cfn_invoked(e: &Events, i: usize) -> bool {
    e.identity_type.get(i) != Some("AWSService")
        && (e.invoked_by.get(i) == Some(CFN)
            || (e.invoked_by.get(i).is_none()
                && e.source_ip.get(i) == Some(CFN)
                && e.user_agent.get(i) == Some(CFN)))
}

/// `carol` → `carol@example.com` when exactly one known person has that
/// local part; aliases were applied before.
pub fn resolve_person(name: &str, s: &Settings, people: &BTreeSet<String>) -> String {
    let aliased = s.person(name);
    if aliased != name || name.contains('@') {
        return aliased;
    }
    let mut found = people.iter().filter(|p| {
        p.split_once('@')
            .is_some_and(|(local, _)| local.eq_ignore_ascii_case(name))
    });
    match (found.next(), found.next()) {
        (Some(p), None) => p.clone(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::input::Row;

    #[test]
    fn user_agents_that_say_the_same_share_their_marks() {
        let uas = [
            "aws-cli/2.35.24 md/command#s3.ls sid/a1 m/AN",
            "aws-cli/2.35.24 md/command#s3.cp sid/b2 m/AN",
            "aws-cli/2.35.24 md/command#s3.ls sid/c3",
            "aws-cli/2.35.24 md/command#s3.rm sid/d4",
        ];
        let mut e = Events::default();
        for ua in uas {
            e.push(Row {
                id: "x",
                user_agent: Some(ua),
                ..Default::default()
            });
        }
        let markers = crate::attribution::markers::markers().unwrap();
        let f = facts(&e, &Settings::default(), markers);
        let marks = |i: usize| &f.uas[f.ua_of[i] as usize].marks;
        assert!(
            !marks(0).hits.is_empty(),
            "m/AN is a marker: {:?}",
            marks(0)
        );
        assert!(Arc::ptr_eq(marks(0), marks(1)));
        assert!(Arc::ptr_eq(marks(2), marks(3)));
        assert!(!Arc::ptr_eq(marks(0), marks(2)));
        // Shared, each still says what its own user agent's markers say.
        for (i, ua) in uas.iter().enumerate() {
            assert_eq!(*marks(i).as_ref(), ua_info(ua, markers).1, "{ua}");
        }
    }
}
