//! **security_tampering**: a call that turns off or weakens logging or
//! threat detection. A single call is a finding.
//!
//! *Why*: stopping CloudTrail, deleting flow logs or GuardDuty detectors,
//! stopping AWS Config or leaving the organisation blinds the people who
//! would notice everything else; attackers do it first, and an agent doing
//! it "to reduce noise" is just as bad.
//!
//! *How*: the event source's service and the event name must both match:
//! cloudtrail StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors,
//! PutInsightSelectors; ec2 DeleteFlowLogs; guardduty DeleteDetector,
//! UpdateDetector, DisassociateFromMasterAccount,
//! DisassociateFromAdministratorAccount; config StopConfigurationRecorder,
//! DeleteConfigurationRecorder, DeleteDeliveryChannel; securityhub
//! DisableSecurityHub; organizations LeaveOrganization. Failed attempts
//! count too. An actor's calls less than `group_minutes` apart are one
//! finding. **Score** = successful calls + 0.5 × failed ones.
//! **Severity**: high when any call succeeded, else medium.
//!
//! *False positives*: UpdateTrail, PutEventSelectors and UpdateDetector are
//! also routine configuration changes (adding data events, changing the
//! publishing frequency); the explanation names the calls so a reader can
//! tell.

use super::US_PER_MIN;
use super::ctx::{Actor, Ctx, fmt_time, list, plural};
use super::finding::{Finding, Severity};
use super::names::target_names;
use rayon::prelude::*;

pub const NAME: &str = "security_tampering";

/// (service, event name).
pub const CALLS: &[(&str, &str)] = &[
    ("cloudtrail", "StopLogging"),
    ("cloudtrail", "DeleteTrail"),
    ("cloudtrail", "UpdateTrail"),
    ("cloudtrail", "PutEventSelectors"),
    ("cloudtrail", "PutInsightSelectors"),
    ("ec2", "DeleteFlowLogs"),
    ("guardduty", "DeleteDetector"),
    ("guardduty", "UpdateDetector"),
    ("guardduty", "DisassociateFromMasterAccount"),
    ("guardduty", "DisassociateFromAdministratorAccount"),
    ("config", "StopConfigurationRecorder"),
    ("config", "DeleteConfigurationRecorder"),
    ("config", "DeleteDeliveryChannel"),
    ("securityhub", "DisableSecurityHub"),
    ("organizations", "LeaveOrganization"),
];

pub fn run(cx: &Ctx) -> Vec<Finding> {
    let a = cx.a;
    // Per distinct event name: the service it must come from.
    let service_for: Vec<Option<&str>> = (0..a.event_name.distinct() as u32)
        .map(|id| {
            let name = a.event_name.value(id);
            CALLS.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
        })
        .collect();
    if service_for.iter().all(Option::is_none) {
        return Vec::new();
    }
    cx.actors
        .par_iter()
        .flat_map_iter(|x| {
            let hits: Vec<u32> = cx
                .analysed(x)
                .iter()
                .copied()
                .filter(|&i| {
                    a.event_name
                        .id(i as usize)
                        .and_then(|id| service_for[id as usize])
                        .is_some_and(|s| s == cx.service(i))
                })
                .collect();
            groups(cx, x, hits)
        })
        .collect()
}

fn groups(cx: &Ctx, x: &Actor, hits: Vec<u32>) -> Vec<Finding> {
    let gap = i64::from(cx.t.security_tampering.group_minutes) * US_PER_MIN;
    let mut out = Vec::new();
    let mut s = 0;
    while s < hits.len() {
        let mut e = s + 1;
        while e < hits.len() && cx.time(hits[e]) - cx.time(hits[e - 1]) < gap.max(1) {
            e += 1;
        }
        out.push(finding(cx, x, hits[s..e].to_vec()));
        s = e;
    }
    out
}

fn finding(cx: &Ctx, x: &Actor, rows: Vec<u32>) -> Finding {
    let failed = rows.iter().filter(|&&i| cx.failed(i)).count();
    let ok = rows.len() - failed;
    let mut calls: Vec<String> = rows
        .iter()
        .map(|&i| format!("{}:{}", cx.service(i), cx.event_name(i)))
        .collect();
    calls.sort();
    calls.dedup();
    let mut targets: Vec<String> = rows
        .iter()
        .flat_map(|&i| target_names(cx.event_name(i), cx.params(i), &cx.a.resources[i as usize]))
        .collect();
    targets.sort();
    targets.dedup();
    let on = if targets.is_empty() {
        String::new()
    } else {
        format!(" on {}", list(&targets, 4))
    };
    let explanation = format!(
        "{} called {}{on} from {} ({} succeeded, {} failed)",
        cx.who_in(x, &rows),
        list(&calls, 6),
        fmt_time(cx.time(rows[0])),
        plural(ok, "call"),
        failed
    );
    let severity = if ok > 0 {
        Severity::High
    } else {
        Severity::Medium
    };
    let score = ok as f64 + 0.5 * failed as f64;
    cx.finding(NAME, severity, x, rows, score, explanation)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{Thresholds, detect};
    use super::*;

    #[test]
    fn stopping_cloudtrail_is_a_finding_on_its_own() {
        let mut k = Kit::default();
        k.add(
            ev(at(15, 2, 0), "cloudtrail:StopLogging")
                .human("mallory")
                .params(r#"{"name":"arn:aws:cloudtrail:us-east-1:1:trail/org-trail"}"#),
        );
        k.add(
            ev(at(15, 2, 30), "guardduty:DeleteDetector")
                .human("mallory")
                .error("AccessDenied"),
        );
        k.add(
            ev(at(16, 2, 0), "config:StopConfigurationRecorder")
                .human("mallory")
                .error("AccessDenied"),
        );
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        let f = of(&f, NAME);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].score, 1.5);
        assert_eq!(
            f[0].explanation,
            "mallory called cloudtrail:StopLogging, guardduty:DeleteDetector on org-trail from 2026-03-17 02:00 UTC (1 call succeeded, 1 failed)"
        );
        assert_eq!(f[1].severity, Severity::Medium);
    }

    #[test]
    fn same_name_on_another_service_or_reading_is_not() {
        let mut k = Kit::default();
        // Another service's DeleteDetector (hypothetical) and trail reads.
        k.add(ev(at(15, 2, 0), "example:DeleteDetector").human("mallory"));
        k.add(ev(at(15, 2, 0), "cloudtrail:GetTrailStatus").human("mallory"));
        k.add(ev(at(15, 2, 0), "cloudtrail:StartLogging").human("mallory"));
        let f = detect(&k.build(), &scope(), &Thresholds::default());
        assert!(of(&f, NAME).is_empty(), "{f:#?}");
    }
}
