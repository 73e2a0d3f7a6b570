//! **delete_then_recreate**: an actor deletes a named thing (a stack, an
//! environment, a bucket, a function, a role, a table…) and creates the
//! same name again within `window_hours`: rebuild instead of patch.
//!
//! *Why*: rebuilding loses what the old resource held (data, history,
//! grants, DNS, state in other systems) and briefly takes the service
//! away; agents in particular "fix" a broken stack by deleting and
//! recreating it.
//!
//! *How*: per actor, successful calls whose event name starts with a
//! delete verb (Delete, Terminate, Remove, Destroy, Deregister) give
//! pending names (`target_names`), each with its service and noun
//! (`DeleteFunction20150331` → `Function`). A later successful create-verb
//! call (Create, Put, Run, Launch, Register, Restore) in the analysed
//! window on the same service whose noun matches (equal, or one starts
//! with the other: `RestoreDBInstanceFromDBSnapshot` matches
//! `DeleteDBInstance`) and that names the same thing within the window is
//! a re-creation; each deletion matches once. S3 object calls are left
//! out (objects are data, not infrastructure). Matches whose deletions lie
//! within one window of the first deletion are one finding. **Score** =
//! names re-created. **Severity**: medium; high when ≥ 5 names or a
//! deletion had high or critical destructive severity.
//!
//! *False positives*: blue/green and immutable deployments that recreate on
//! purpose; `Put*` calls that replace a deleted setting.

use super::US_PER_HOUR;
use super::ctx::{Actor, Ctx, fmt_span, list, plural};
use super::finding::{Finding, Severity};
use super::names::target_names;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

pub const NAME: &str = "delete_then_recreate";

pub fn run(cx: &Ctx) -> Vec<Finding> {
    cx.actors
        .par_iter()
        .flat_map_iter(|x| actor(cx, x))
        .collect()
}

struct Pending<'a> {
    row: u32,
    noun: &'a str,
}

struct Match {
    name: String,
    service: String,
    delete: u32,
    create: u32,
}

fn nouns_match(deleted: &str, created: &str) -> bool {
    !deleted.is_empty() && (created.starts_with(deleted) || deleted.starts_with(created))
}

fn actor(cx: &Ctx, x: &Actor) -> Vec<Finding> {
    if x.analysed == x.end {
        return Vec::new();
    }
    let window = i64::from(cx.t.delete_then_recreate.window_hours.max(1)) * US_PER_HOUR;
    let since = cx.scope.analysed.since_us - window;
    // (event source id, name) → deletions not yet matched, oldest first.
    let mut pending: HashMap<(u32, String), Vec<Pending>> = HashMap::new();
    // Sources with any deletion so far: a create elsewhere needs no parsing.
    let mut deleting: HashSet<u32> = HashSet::new();
    let mut matches: Vec<Match> = Vec::new();
    for &i in cx.rows(x) {
        let t = cx.time(i);
        if t < since || cx.failed(i) {
            continue;
        }
        let Some(info) = cx.name(i) else { continue };
        if !(info.delete_verb || info.create_verb) || info.noun.contains("Object") {
            continue;
        }
        let Some(source) = cx.a.event_source.id(i as usize) else {
            continue;
        };
        if info.delete_verb {
            deleting.insert(source);
        } else if t < cx.scope.analysed.since_us || !deleting.contains(&source) {
            continue;
        }
        let names = target_names(cx.event_name(i), cx.params(i), &cx.a.resources[i as usize]);
        for name in names {
            if info.delete_verb {
                pending.entry((source, name)).or_default().push(Pending {
                    row: i,
                    noun: &info.noun,
                });
            } else if let Some(list) = pending.get_mut(&(source, name.clone())) {
                list.retain(|p| t - cx.time(p.row) <= window);
                if let Some(k) = list.iter().position(|p| nouns_match(p.noun, &info.noun)) {
                    let p = list.remove(k);
                    matches.push(Match {
                        name,
                        service: cx.service(i).to_string(),
                        delete: p.row,
                        create: i,
                    });
                }
            }
        }
    }
    if matches.is_empty() {
        return Vec::new();
    }
    matches.sort_by(|p, q| {
        let key = |m: &Match| (cx.time(m.delete), cx.a.event_id.get(m.delete as usize));
        key(p).cmp(&key(q)).then_with(|| p.name.cmp(&q.name))
    });
    let mut out = Vec::new();
    let mut s = 0;
    while s < matches.len() {
        let start = cx.time(matches[s].delete);
        let e = s + matches[s..].partition_point(|m| cx.time(m.delete) - start <= window);
        out.push(finding(cx, x, &matches[s..e]));
        s = e;
    }
    out
}

fn finding(cx: &Ctx, x: &Actor, ms: &[Match]) -> Finding {
    let t = &cx.t.delete_then_recreate;
    let mut names: Vec<String> = ms
        .iter()
        .map(|m| format!("{} {}", m.service, m.name))
        .collect();
    names.sort();
    names.dedup();
    let rows: Vec<u32> = ms.iter().flat_map(|m| [m.delete, m.create]).collect();
    let first_delete = ms.iter().map(|m| cx.time(m.delete)).min().unwrap_or(0);
    let last_create = ms.iter().map(|m| cx.time(m.create)).max().unwrap_or(0);
    let heavy = ms
        .iter()
        .any(|m| cx.dseverity(m.delete).is_some_and(|s| s >= Severity::High));
    let severity = if heavy || names.len() >= 5 {
        Severity::High
    } else {
        Severity::Medium
    };
    let explanation = format!(
        "{} deleted and re-created {} within {}: {} (window {} h)",
        cx.who_in(x, &rows),
        plural(names.len(), "name"),
        fmt_span(last_create - first_delete),
        list(&names, 6),
        t.window_hours
    );
    cx.finding(NAME, severity, x, rows, names.len() as f64, explanation)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    fn stack(t: i64, action: &str, name: &str) -> Ev {
        ev(t, action)
            .ai("claude-code", "erin", "s-42")
            .params(&format!(r#"{{"stackName":"{name}"}}"#))
    }

    #[test]
    fn a_stack_deleted_and_created_again_is_a_rebuild() {
        let mut k = Kit::default();
        k.add(stack(at(15, 9, 0), "cloudformation:DeleteStack", "web").destroys("high"));
        k.add(stack(at(15, 9, 0), "cloudformation:DeleteStack", "api").destroys("high"));
        k.add(stack(at(15, 11, 30), "cloudformation:CreateStack", "web"));
        k.add(stack(at(15, 11, 31), "cloudformation:CreateStack", "api"));
        // The queue's name comes from its URL on delete, its name on create.
        k.add(
            ev(at(15, 9, 5), "sqs:DeleteQueue")
                .ai("claude-code", "erin", "s-42")
                .params(r#"{"queueUrl":"https://sqs.us-east-1.amazonaws.com/1/jobs"}"#),
        );
        k.add(
            ev(at(15, 10, 0), "sqs:CreateQueue")
                .ai("claude-code", "erin", "s-42")
                .params(r#"{"queueName":"jobs"}"#),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].score, 3.0);
        assert_eq!(f[0].event_count, 6);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(
            f[0].explanation,
            "erin's claude-code session s-42 deleted and re-created 3 names within 2.5 h: cloudformation api, cloudformation web, sqs jobs (window 24 h)"
        );
    }

    #[test]
    fn other_names_other_actors_failures_and_late_creates_are_not() {
        let mut k = Kit::default();
        k.add(stack(at(15, 9, 0), "cloudformation:DeleteStack", "web"));
        k.add(stack(at(15, 10, 0), "cloudformation:CreateStack", "web2"));
        // Another actor re-creates it.
        k.add(ev(at(15, 10, 0), "cloudformation:CreateStack").params(r#"{"stackName":"web"}"#));
        // The delete failed.
        k.add(stack(at(16, 9, 0), "cloudformation:DeleteStack", "db").error("ValidationError"));
        k.add(stack(at(16, 9, 30), "cloudformation:CreateStack", "db"));
        // Re-created after the window.
        k.add(stack(at(17, 9, 0), "cloudformation:DeleteStack", "old"));
        k.add(stack(at(18, 9, 1), "cloudformation:CreateStack", "old"));
        // Same name, another kind of thing.
        k.add(ev(at(19, 9, 0), "iam:DeleteRolePolicy").params(r#"{"policyName":"p"}"#));
        k.add(ev(at(19, 9, 1), "iam:CreateUser").params(r#"{"userName":"p"}"#));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
