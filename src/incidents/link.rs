//! Links each incident to the events that plausibly caused it, when the
//! export does not say.
//!
//! Candidates are successful write or destructive calls in a look-back
//! window before the incident started (default 2 h) that touch one of the
//! incident's resources, read as operators write them (`target`: an ARN,
//! an S3 bucket or key prefix, a stack, a tag, a wildcard, a bare name;
//! a tag also names what the window's events that carry it name), or one of
//! its services (the event source, or the service name in the request
//! parameters; services only when the incident names no resource). They
//! are ranked by specificity (an exact ARN, then a key prefix or a stack
//! operation, a name, a wildcard, a bucket-level change, a service), then
//! destructive before plain writes, closer in time first. An incident with
//! no candidate is "no traced cause", never forced onto an actor. Event ids
//! the export names itself are linked first, with score 1.
//!
//! A stack's own resources deleted in a cascade are CloudFormation's calls;
//! the stack operation (DeleteStack, UpdateStack…) names the stack and is
//! linked as `stack`, with its initiator (attribution follows
//! CloudFormation's calls back to it too).

use super::read::Incident;
use super::target::{self, EventText, Touch};

/// The fields of one event linking needs.
pub struct Candidate<'a> {
    pub index: usize,
    pub event_id: &'a str,
    pub time: i64,
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub request_parameters: Option<&'a str>,
    pub resources: Vec<&'a str>,
    pub destructive: bool,
}

/// One link from an incident to an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Index of the event among the candidates' `index` values.
    pub event: usize,
    pub score: f64,
    /// `named`, `resource_arn`, `s3_prefix`, `stack`, `resource_name`,
    /// `tag`, `wildcard`, `s3_bucket`, `service`.
    pub matched: &'static str,
    pub reason: String,
}

/// Links for one incident, best first, at most `keep`.
pub fn link(
    incident: &Incident,
    candidates: &[Candidate],
    lookback_us: i64,
    keep: usize,
) -> Vec<Link> {
    let mut out = Vec::new();
    for c in candidates {
        if incident.cause_event_ids.iter().any(|id| id == c.event_id) {
            out.push(Link {
                event: c.index,
                score: 1.0,
                matched: "named",
                reason: "the incident export names this event as the cause".into(),
            });
        }
    }
    let mut targets: Vec<target::Target> = incident
        .resources
        .iter()
        .map(|r| target::parse(r))
        .collect();
    let from = incident.started_at - lookback_us;
    // A tag names the resources the window's events that carry it name.
    let tags: Vec<(String, String)> = targets
        .iter()
        .filter_map(|t| match t {
            target::Target::Tag { key, value } => Some((key.clone(), value.clone())),
            _ => None,
        })
        .collect();
    if !tags.is_empty() {
        let mut tagged = std::collections::BTreeSet::new();
        for c in candidates {
            if c.time < from || c.time > incident.started_at {
                continue;
            }
            let params = c.request_parameters.unwrap_or("");
            for (key, value) in &tags {
                if target::carries_tag(params, key, value) {
                    let ev = EventText {
                        event_source: c.event_source,
                        event_name: c.event_name,
                        request_parameters: params,
                        resources: &c.resources,
                    };
                    for name in target::tagged_names(&ev) {
                        tagged.insert((name, format!("{key}={value}")));
                    }
                }
            }
        }
        targets.extend(
            tagged
                .into_iter()
                .map(|(name, tag)| target::Target::Tagged { name, tag }),
        );
    }
    for c in candidates {
        if c.time < from
            || c.time > incident.started_at
            || incident.cause_event_ids.iter().any(|id| id == c.event_id)
        {
            continue;
        }
        let params = c.request_parameters.unwrap_or("");
        let ev = EventText {
            event_source: c.event_source,
            event_name: c.event_name,
            request_parameters: params,
            resources: &c.resources,
        };
        // The most specific touch among the incident's resources.
        let best: Option<Touch> = targets
            .iter()
            .filter_map(|t| target::touch(t, &ev))
            .max_by(|a, b| a.base.total_cmp(&b.base));
        // Services only decide when the incident names no resource: a named
        // resource that the event does not touch rules the event out.
        let by_service = incident.resources.is_empty();
        let service = incident.services.iter().filter(|_| by_service).find(|s| {
            let s = s.to_ascii_lowercase();
            s.len() >= 2
                && (c.event_source.split('.').next() == Some(s.as_str())
                    || (s.len() >= 4 && params.to_ascii_lowercase().contains(&s)))
        });
        let touch = match (best, service) {
            (Some(t), _) => t,
            (None, Some(s)) => Touch {
                matched: "service",
                base: 0.25,
                what: s.clone(),
            },
            _ => continue,
        };
        let minutes = (incident.started_at - c.time) as f64 / 60e6;
        let closeness = 1.0 - (incident.started_at - c.time) as f64 / lookback_us.max(1) as f64;
        let score = touch.base + if c.destructive { 0.25 } else { 0.0 } + 0.15 * closeness;
        out.push(Link {
            event: c.index,
            score: (score * 1000.0).round() / 1000.0,
            matched: touch.matched,
            reason: format!(
                "{} {:?}, {minutes:.0} min before the incident started{}",
                match touch.matched {
                    "resource_arn" => "touches",
                    "s3_prefix" => "touches a key under the prefix:",
                    "s3_bucket" => "changes the bucket",
                    "stack" => "is the stack operation on",
                    "wildcard" => "matches the pattern:",
                    "tag" => "carries or names the tagged resource:",
                    "service" => "is in service",
                    _ => "names",
                },
                touch.what,
                if c.destructive { ", destructive" } else { "" }
            ),
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.event.cmp(&b.event)));
    out.truncate(keep);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    fn incident(resources: &[&str], services: &[&str]) -> Incident {
        Incident {
            id: "INC-1".into(),
            title: None,
            severity: None,
            started_at: 1000 * MIN,
            ended_at: None,
            services: services.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            cause_event_ids: Vec::new(),
            source_file: "i.csv".into(),
            position: "line 2".into(),
        }
    }

    fn cand<'a>(
        i: usize,
        t: i64,
        src: &'a str,
        params: &'a str,
        destructive: bool,
    ) -> Candidate<'a> {
        Candidate {
            index: i,
            event_id: ["e0", "e1", "e2", "e3", "e4"][i],
            time: t,
            event_source: src,
            event_name: "X",
            request_parameters: Some(params),
            resources: Vec::new(),
            destructive,
        }
    }

    #[test]
    fn ranks_resource_over_service_destructive_first_and_respects_the_window() {
        let arn = "arn:aws:lambda:us-east-1:1:function:report-gen";
        let mut inc = incident(&[arn], &["lambda"]);
        let cs = vec![
            cand(
                0,
                990 * MIN,
                "lambda.amazonaws.com",
                r#"{"functionName":"other"}"#,
                false,
            ),
            cand(
                1,
                950 * MIN,
                "lambda.amazonaws.com",
                r#"{"functionName":"report-gen"}"#,
                false,
            ),
            cand(
                2,
                940 * MIN,
                "lambda.amazonaws.com",
                r#"{"functionName":"report-gen"}"#,
                true,
            ),
            cand(
                3,
                700 * MIN,
                "lambda.amazonaws.com",
                r#"{"functionName":"report-gen"}"#,
                true,
            ),
            cand(
                4,
                1001 * MIN,
                "lambda.amazonaws.com",
                r#"{"functionName":"report-gen"}"#,
                true,
            ),
        ];
        let links = link(&inc, &cs, 120 * MIN, 5);
        let order: Vec<usize> = links.iter().map(|l| l.event).collect();
        assert_eq!(order, vec![2, 1], "{links:?}");
        assert_eq!(links[0].matched, "resource_name");
        // With no resource named, the service decides.
        inc.resources.clear();
        let links = link(&inc, &cs, 120 * MIN, 5);
        assert_eq!(links.len(), 3, "{links:?}");
        assert!(links.iter().all(|l| l.matched == "service"));
    }

    #[test]
    fn named_causes_come_first_and_no_match_is_no_cause() {
        let mut inc = incident(&["arn:aws:s3:::gone"], &[]);
        inc.cause_event_ids = vec!["e1".into()];
        let cs = vec![
            cand(0, 990 * MIN, "ec2.amazonaws.com", "{}", true),
            cand(1, 10 * MIN, "s3.amazonaws.com", "{}", false),
        ];
        let links = link(&inc, &cs, 120 * MIN, 5);
        assert_eq!(links.len(), 1);
        assert_eq!((links[0].event, links[0].matched), (1, "named"));
        inc.cause_event_ids.clear();
        assert!(link(&inc, &cs, 120 * MIN, 5).is_empty());
    }
}
