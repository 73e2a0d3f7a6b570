//! Destructive actions in context: the catalog's verdict for each matched
//! event, classified again once its actor and tool call are known (a
//! production account, the same actor emptying the bucket it then deletes,
//! a recursive command), and, for agents' events, the tool call's approval
//! and how long before the call a person last wrote in the session.

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
    /// For agents' events with a tool call: (approval, seconds since the
    /// last user message in the session, when there was one before).
    pub approval: PlHashMap<usize, (Option<String>, Option<i64>)>,
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
        let (ActorKind::Ai, Some(c)) = (l.kind, l.call) else {
            continue;
        };
        let call = &calls[c as usize];
        let spoke = user_messages.get(&call.session_id).and_then(|times| {
            let k = times.partition_point(|t| *t <= e.time[i]);
            k.checked_sub(1).map(|k| (e.time[i] - times[k]) / 1_000_000)
        });
        risk.approval.insert(i, (call.approval.clone(), spoke));
    }
    risk
}

#[cfg(test)]
mod tests {
    use super::*;

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
