//! Destructive actions in context: the catalog's verdict for each matched
//! event, classified again once its actor and tool call are known (a
//! production account, the same actor emptying the bucket it then deletes,
//! a recursive command), and, for agents' events, the tool call's approval
//! state (`ApprovalState`) and how long before the call a person last wrote
//! in the session.

use super::engine::{ActorKind, Labels};
use super::input::{Call, Events};
use super::settings::Settings;
use crate::cloudtrail::request_params;
use crate::destructive::{Classification, ClassifyContext};
use polars::prelude::PlHashMap;

/// Per event, what the destructive pass and the transcript say.
#[derive(Default)]
pub struct Risk {
    pub destructive: PlHashMap<usize, Classification>,
    /// For agents' events: the approval state (with the rule for an
    /// auto-approval) and the seconds since the last user message in the
    /// session, when there was one before.
    pub approval: PlHashMap<usize, Approval>,
}

/// An agent's event's approval, as the record shows it. Never guessed: a
/// call whose transcript does not store the answer is `Unknown`, not "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalState {
    /// The record shows a person approved the call (or started it).
    Approved,
    /// A rule or mode let it run without asking (see `approval_rule`).
    AutoApproved,
    /// A person or a rule declined it.
    Rejected,
    /// The record does not say: no tool call, or the answer is not stored.
    Unknown,
}

impl ApprovalState {
    /// The four values of the attribution's `approval` column.
    pub const ALL: [ApprovalState; 4] = [
        Self::Approved,
        Self::AutoApproved,
        Self::Rejected,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::AutoApproved => "auto_approved",
            Self::Rejected => "rejected",
            Self::Unknown => "unknown",
        }
    }

    /// A tool call's `approval` (`transcripts::Approval::as_str`) → state.
    pub fn of_tool_call(approval: Option<&str>) -> Self {
        match approval {
            Some("explicit") => Self::Approved,
            Some("auto") => Self::AutoApproved,
            Some("rejected") => Self::Rejected,
            _ => Self::Unknown,
        }
    }
}

/// An approval state (the `approval` column's value) and its rule in words,
/// for tables and sentences: never "unapproved" for `unknown`.
pub fn describe_approval(state: &str, rule: Option<&str>) -> String {
    match (state, rule) {
        ("approved", _) => "approved by a person".to_owned(),
        ("auto_approved", Some(r)) => format!("auto-approved ({r})"),
        ("auto_approved", None) => "auto-approved".to_owned(),
        ("rejected", _) => "rejected".to_owned(),
        ("unknown", _) => "unknown (no approval on record)".to_owned(),
        (other, _) => other.to_owned(),
    }
}

/// One agent event's approval: the state, the rule or mode behind an
/// auto-approval, and the operator's silence before the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub state: ApprovalState,
    pub rule: Option<String>,
    pub human_last_spoke_secs: Option<i64>,
}

impl Approval {
    /// An agent's event with no tool call: nothing records an approval.
    pub const UNRECORDED: Approval = Approval {
        state: ApprovalState::Unknown,
        rule: None,
        human_last_spoke_secs: None,
    };

    fn of_call(call: &Call, human_last_spoke_secs: Option<i64>) -> Self {
        let state = ApprovalState::of_tool_call(call.approval.as_deref());
        let rule = match state {
            ApprovalState::AutoApproved => Some(
                call.approval_evidence
                    .clone()
                    .unwrap_or_else(|| "auto-approved (rule not recorded)".to_owned()),
            ),
            _ => None,
        };
        Approval {
            state,
            rule,
            human_last_spoke_secs,
        }
    }
}

fn bucket_of(params: Option<&str>) -> Option<String> {
    let v = request_params::parse(params).into_value()?;
    request_params::str_field(&v, "bucketName").map(str::to_owned)
}

/// A removal that empties things recursively (`s3 rm --recursive`,
/// `s3 rb --force`, `s3 sync --delete`).
fn recursive(command: &str) -> bool {
    command.contains("--recursive")
        || (command.contains(" rb ") && command.contains("--force"))
        || (command.contains(" sync ") && command.contains("--delete"))
}

pub fn assess(
    e: &Events,
    labels: &Labels,
    calls: &[Call],
    s: &Settings,
    user_messages: &PlHashMap<String, Vec<i64>>,
) -> Risk {
    let mut risk = Risk::default();
    let mut hits: Vec<&super::input::DestructiveHit> = e.destructive.iter().collect();
    hits.sort_by_key(|h| (e.time[h.event], h.event));
    // (actor, principal, bucket) → the first successful object delete
    let mut emptied: PlHashMap<(String, Option<u32>, String), i64> = PlHashMap::default();
    let catalog = crate::destructive::catalog().ok();
    for h in hits {
        let i = h.event;
        let l = labels.get(i);
        let actor = l.actor.clone().unwrap_or_default();
        let principal = e.principal_arn.id(i);
        let bucket = if h.iam_action.starts_with("s3:") {
            bucket_of(h.request_parameters.as_deref())
        } else {
            None
        };
        let ok = e.error_code.get(i).is_none();
        let bucket_emptied_earlier = match (&bucket, &*h.iam_action) {
            (Some(b), "s3:DeleteBucket") => emptied
                .get(&(actor.clone(), principal, b.clone()))
                .is_some_and(|t| *t <= e.time[i]),
            _ => false,
        };
        if let (Some(b), "s3:DeleteObject" | "s3:DeleteObjectVersion", true) =
            (&bucket, &*h.iam_action, ok)
        {
            emptied
                .entry((actor.clone(), principal, b.clone()))
                .or_insert(e.time[i]);
        }
        let call = l.call.map(|c| &calls[c as usize]);
        let cx = ClassifyContext {
            is_prod_account: e
                .account
                .get(i)
                .is_some_and(|a| s.accounts.production.iter().any(|p| p == a)),
            bucket_emptied_earlier,
            recursive_command: call
                .and_then(|c| c.command.as_deref())
                .is_some_and(recursive),
            caller_user_name: e.user_name.get(i),
        };
        let c = catalog
            .and_then(|cat| {
                cat.classify(
                    &h.iam_action,
                    e.name.get(i).unwrap_or(""),
                    h.request_parameters.as_deref(),
                    e.error_code.get(i),
                    &cx,
                )
            })
            .unwrap_or_else(|| h.classification.clone());
        risk.destructive.insert(i, c);
    }
    for i in 0..labels.of.len() {
        let l = labels.get(i);
        if l.kind != ActorKind::Ai {
            continue;
        }
        let Some(c) = l.call else {
            risk.approval.insert(i, Approval::UNRECORDED);
            continue;
        };
        let call = &calls[c as usize];
        let spoke = user_messages.get(&call.session_id).and_then(|times| {
            let k = times.partition_point(|t| *t <= e.time[i]);
            k.checked_sub(1).map(|k| (e.time[i] - times[k]) / 1_000_000)
        });
        risk.approval.insert(i, Approval::of_call(call, spoke));
    }
    risk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_call_approvals_map_to_four_states_and_unknown_is_never_no() {
        let st = |a| ApprovalState::of_tool_call(a).as_str();
        assert_eq!(st(Some("explicit")), "approved");
        assert_eq!(st(Some("auto")), "auto_approved");
        assert_eq!(st(Some("rejected")), "rejected");
        assert_eq!(st(Some("unknown")), "unknown");
        assert_eq!(st(None), "unknown");
        let call = Call {
            approval: Some("auto".into()),
            approval_evidence: Some("permissionMode=bypassPermissions".into()),
            ..Default::default()
        };
        let a = Approval::of_call(&call, Some(7));
        assert_eq!(a.state, ApprovalState::AutoApproved);
        assert_eq!(a.rule.as_deref(), Some("permissionMode=bypassPermissions"));
        let call = Call {
            approval: Some("unknown".into()),
            approval_evidence: Some("permissionMode=default".into()),
            ..Default::default()
        };
        let a = Approval::of_call(&call, None);
        assert_eq!((a.state, a.rule), (ApprovalState::Unknown, None));
    }

    /// Every value a transcript reader stores (Claude Code, Codex, Gemini,
    /// Amazon Q/Kiro, Aider all write `transcripts::Approval`) reaches the
    /// attribution as its state; only `Unknown` becomes `unknown`.
    #[test]
    fn every_reader_approval_has_its_state() {
        use crate::transcripts::Approval as A;
        for (a, want) in [
            (A::Explicit, ApprovalState::Approved),
            (A::Auto, ApprovalState::AutoApproved),
            (A::Rejected, ApprovalState::Rejected),
            (A::Unknown, ApprovalState::Unknown),
        ] {
            assert_eq!(ApprovalState::of_tool_call(Some(a.as_str())), want, "{a:?}");
        }
        assert_eq!(ApprovalState::ALL.len(), 4);
    }

    #[test]
    fn recursive_commands() {
        assert!(recursive("aws s3 rm s3://b --recursive"));
        assert!(recursive("aws s3 rb s3://b --force"));
        assert!(recursive("aws s3 sync . s3://b --delete"));
        assert!(!recursive("aws s3 rb s3://b"));
        assert!(!recursive("aws s3 rm s3://b/key"));
    }

    #[test]
    fn bucket_names_come_from_request_parameters() {
        assert_eq!(
            bucket_of(Some(r#"{"bucketName":"b1","key":"k"}"#)).as_deref(),
            Some("b1")
        );
        assert_eq!(bucket_of(Some("not json")), None);
        assert_eq!(bucket_of(None), None);
    }
}
