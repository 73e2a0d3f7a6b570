//! Tests for the named conditions, on request parameters shaped like real
//! CloudTrail records (stratus-red-team recordings and AWS documentation).

use super::*;
use serde_json::json;

fn holds(c: Condition, event: &str, params: Value) -> bool {
    c.holds(event, Some(&params), &ClassifyContext::default())
}

#[test]
fn names_round_trip() {
    for c in Condition::ALL {
        assert_eq!(Condition::parse(c.name()), Some(c));
    }
    assert_eq!(Condition::parse("nope"), None);
}

#[test]
fn skip_final_snapshot() {
    let c = Condition::SkipFinalSnapshot;
    assert!(holds(
        c,
        "DeleteDBInstance",
        json!({"dBInstanceIdentifier": "db", "skipFinalSnapshot": true})
    ));
    assert!(holds(
        c,
        "DeleteDBInstance",
        json!({"SkipFinalSnapshot": "true"})
    ));
    assert!(holds(
        c,
        "DeleteCluster",
        json!({"skipFinalClusterSnapshot": true})
    ));
    assert!(!holds(
        c,
        "DeleteDBInstance",
        json!({"skipFinalSnapshot": false, "finalDBSnapshotIdentifier": "x"})
    ));
    assert!(!holds(c, "DeleteDBInstance", json!({})));
    assert!(!c.holds("DeleteDBInstance", None, &ClassifyContext::default()));
}

#[test]
fn force_delete() {
    let c = Condition::ForceDelete;
    assert!(holds(
        c,
        "DeleteSecret",
        json!({"secretId": "s", "forceDeleteWithoutRecovery": true})
    ));
    assert!(!holds(
        c,
        "DeleteSecret",
        json!({"secretId": "s", "recoveryWindowInDays": 7})
    ));
}

#[test]
fn context_conditions() {
    let none = ClassifyContext::default();
    let all = ClassifyContext {
        is_prod_account: true,
        bucket_emptied_earlier: true,
        recursive_command: true,
        caller_user_name: None,
    };
    for c in [Condition::AfterDeleteObjects, Condition::ProdAccount] {
        assert!(!c.holds("DeleteBucket", None, &none));
        assert!(c.holds("DeleteBucket", None, &all));
        assert!(!c.reads_parameters());
    }
    let r = Condition::Recursive;
    assert!(r.holds("DeleteObjects", None, &none), "multi-object delete");
    assert!(!r.holds("DeleteObject", None, &none));
    assert!(r.holds("DeleteObject", None, &all), "aws s3 rm --recursive");
}

#[test]
fn admin_policy() {
    let c = Condition::AdminPolicy;
    // stratus-red-team iam-create-admin-user / iam-create-backdoor-role
    assert!(holds(
        c,
        "AttachUserPolicy",
        json!({"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess", "userName": "malicious-iam-user"})
    ));
    assert!(holds(
        c,
        "AttachRolePolicy",
        json!({"policyArn": "arn:aws-us-gov:iam::aws:policy/IAMFullAccess", "roleName": "r"})
    ));
    assert!(!holds(
        c,
        "AttachRolePolicy",
        json!({"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
    ));
    // a customer policy that happens to share the name
    assert!(!holds(
        c,
        "AttachRolePolicy",
        json!({"policyArn": "arn:aws:iam::123456789012:policy/AdministratorAccess"})
    ));
    // inline documents, as JSON text (CloudTrail) and URL-encoded (older records)
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    assert!(holds(
        c,
        "PutRolePolicy",
        json!({"policyDocument": doc, "roleName": "r", "policyName": "p"})
    ));
    let encoded = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22iam%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D";
    assert!(holds(
        c,
        "PutUserPolicy",
        json!({"policyDocument": encoded})
    ));
    let not_action =
        json!({"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]});
    assert!(holds(
        c,
        "CreatePolicyVersion",
        json!({"policyDocument": not_action})
    ));
    let narrow = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    assert!(!holds(
        c,
        "PutRolePolicy",
        json!({"policyDocument": narrow})
    ));
    let one_bucket = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}}"#;
    assert!(!holds(
        c,
        "PutRolePolicy",
        json!({"policyDocument": one_bucket})
    ));
    assert!(!holds(
        c,
        "PutRolePolicy",
        json!({"policyDocument": "not json"})
    ));
}

#[test]
fn other_user() {
    let c = Condition::OtherUser;
    let p = json!({"userName": "stratus-red-team-backdoor-u-user"});
    // a role session acting on a user
    assert!(c.holds("CreateAccessKey", Some(&p), &ClassifyContext::default()));
    let same = ClassifyContext {
        caller_user_name: Some("stratus-red-team-backdoor-u-user"),
        ..Default::default()
    };
    assert!(!c.holds("CreateAccessKey", Some(&p), &same));
    let other = ClassifyContext {
        caller_user_name: Some("alice"),
        ..Default::default()
    };
    assert!(c.holds("CreateLoginProfile", Some(&p), &other));
    // no userName: the caller's own key
    assert!(!c.holds("CreateAccessKey", Some(&json!({})), &other));
    assert!(!c.holds("CreateAccessKey", None, &other));
}

#[test]
fn open_cidr() {
    let c = Condition::OpenCidr;
    let ec2 = json!({"groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
        "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}});
    assert!(holds(c, "AuthorizeSecurityGroupIngress", ec2));
    let v6 =
        json!({"ipPermissions": {"items": [{"ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}});
    assert!(holds(c, "AuthorizeSecurityGroupIngress", v6));
    // stratus-red-team ec2-security-group-open-port-22-ingress (address redacted, /0 kept)
    let flat = json!({"cidrIp": "208.236.235.254/0", "fromPort": 22, "groupId": "sg-003dc7f1f1c686164", "ipPermissions": {}, "ipProtocol": "tcp", "toPort": 22});
    assert!(holds(c, "AuthorizeSecurityGroupIngress", flat));
    let rules = json!({"ModifySecurityGroupRulesRequest": {"SecurityGroupRule": {"SecurityGroupRule": {"CidrIpv4": "0.0.0.0/0"}}}});
    assert!(holds(c, "ModifySecurityGroupRules", rules));
    let narrow = json!({"ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}, {"cidrIp": "203.0.113.7/32"}]}}]}});
    assert!(!holds(c, "AuthorizeSecurityGroupIngress", narrow));
    let sg_ref =
        json!({"ipPermissions": {"items": [{"groups": {"items": [{"groupId": "sg-2"}]}}]}});
    assert!(!holds(c, "AuthorizeSecurityGroupIngress", sg_ref));
    assert!(!is_open_cidr("10.0.0.0/10") && is_open_cidr("::/0") && !is_open_cidr("/0"));
}

#[test]
fn public_acl() {
    let c = Condition::PublicAcl;
    let grant = json!({"bucketName": "b", "AccessControlPolicy": {"AccessControlList": {"Grant": [
        {"Grantee": {"xsi:type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}, "acl": [""]});
    assert!(holds(c, "PutBucketAcl", grant));
    let auth = json!({"AccessControlPolicy": {"AccessControlList": {"Grant": {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}}}}});
    assert!(holds(c, "PutBucketAcl", auth));
    assert!(holds(
        c,
        "PutObjectAcl",
        json!({"bucketName": "b", "key": "k", "x-amz-acl": ["public-read"], "acl": [""]})
    ));
    assert!(holds(
        c,
        "PutBucketAcl",
        json!({"x-amz-grant-read": "uri=http://acs.amazonaws.com/groups/global/AllUsers"})
    ));
    assert!(!holds(c, "PutBucketAcl", json!({"x-amz-acl": ["private"]})));
    let owner_only = json!({"AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"ID": "abc"}, "Permission": "FULL_CONTROL"}]}}});
    assert!(!holds(c, "PutBucketAcl", owner_only));
    // log delivery is an AWS group but not public
    assert!(!holds(
        c,
        "PutBucketAcl",
        json!({"x-amz-grant-write": "uri=http://acs.amazonaws.com/groups/s3/LogDelivery"})
    ));
}

#[test]
fn public_policy() {
    let c = Condition::PublicPolicy;
    let public = json!({"bucketName": "b", "bucketPolicy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}});
    assert!(holds(c, "PutBucketPolicy", public));
    let aws_star = json!({"bucketPolicy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}, "Action": "s3:*", "Resource": "*"}}});
    assert!(holds(c, "PutBucketPolicy", aws_star));
    let as_text = json!({"bucketPolicy": r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}]}"#});
    assert!(holds(c, "PutBucketPolicy", as_text));
    // Principal * narrowed to a VPC endpoint / org: not public
    let vpce = json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}});
    assert!(!holds(c, "PutBucketPolicy", vpce));
    let if_exists = json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}}]}});
    assert!(
        holds(c, "PutBucketPolicy", if_exists),
        "IfExists does not narrow"
    );
    // TLS-only deny with Principal *: a Deny, not public
    let deny = json!({"bucketPolicy": {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}});
    assert!(!holds(c, "PutBucketPolicy", deny));
    let cross = json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999888777666:root"}, "Action": "s3:*", "Resource": "*"}]}});
    assert!(!holds(c, "PutBucketPolicy", cross));
    let service = json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}]}});
    assert!(!holds(c, "PutBucketPolicy", service));
    // stratus-red-team lambda-backdoor-function: AddPermission20150331v2
    assert!(holds(
        c,
        "AddPermission20150331v2",
        json!({"action": "lambda:InvokeFunction", "functionName": "f", "principal": "*", "statementId": "backdoor"})
    ));
    assert!(!holds(
        c,
        "AddPermission",
        json!({"principal": "*", "sourceArn": "arn:aws:s3:::b"})
    ));
    assert!(!holds(
        c,
        "AddPermission",
        json!({"principal": "s3.amazonaws.com"})
    ));
    // SQS attributes carry the policy as text under "Policy"
    let sqs = json!({"queueUrl": "q", "attributes": {"Policy": r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}"#}});
    assert!(holds(c, "SetQueueAttributes", sqs));
    // a trust policy open to everyone
    let trust = json!({"roleName": "r", "policyDocument": "{\n \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"sts:AssumeRole\"}]}"});
    assert!(holds(c, "UpdateAssumeRolePolicy", trust));
}

#[test]
fn public_and_cross_account_share() {
    let (p, x) = (Condition::PublicShare, Condition::CrossAccountShare);
    let public_snap = json!({"snapshotId": "snap-1", "attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"group": "all"}]}}});
    assert!(holds(p, "ModifySnapshotAttribute", public_snap.clone()));
    assert!(!holds(x, "ModifySnapshotAttribute", public_snap));
    // stratus-red-team ec2-share-ebs-snapshot, ec2-share-ami, rds-share-snapshot
    let to_account = json!({"attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"userId": "098797384747"}]}}, "snapshotId": "snap-041993b54a9b3af6f"});
    assert!(holds(x, "ModifySnapshotAttribute", to_account.clone()));
    assert!(!holds(p, "ModifySnapshotAttribute", to_account));
    let ami = json!({"attributeType": "launchPermission", "imageId": "ami-1", "launchPermission": {"add": {"items": [{"userId": "846424999548"}]}}});
    assert!(holds(x, "ModifyImageAttribute", ami));
    let rds = json!({"attributeName": "restore", "dBSnapshotIdentifier": "exfiltration", "valuesToAdd": ["503161813013"]});
    assert!(holds(x, "ModifyDBSnapshotAttribute", rds.clone()));
    assert!(!holds(p, "ModifyDBSnapshotAttribute", rds));
    assert!(holds(
        p,
        "ModifyDBSnapshotAttribute",
        json!({"attributeName": "restore", "valuesToAdd": ["all"]})
    ));
    // removing a share is neither
    let removal = json!({"createVolumePermission": {"remove": {"items": [{"group": "all"}, {"userId": "098797384747"}]}}});
    assert!(!holds(p, "ModifySnapshotAttribute", removal.clone()));
    assert!(!holds(x, "ModifySnapshotAttribute", removal));
    assert!(!holds(
        p,
        "ModifyDBSnapshotAttribute",
        json!({"valuesToRemove": ["all"]})
    ));
    // flat CLI-style form
    assert!(holds(
        p,
        "ModifySnapshotAttribute",
        json!({"operationType": "add", "groupNames": ["all"]})
    ));
    assert!(holds(
        x,
        "ModifySnapshotAttribute",
        json!({"operationType": "add", "userIds": ["111122223333"]})
    ));
    assert!(!holds(
        x,
        "ModifySnapshotAttribute",
        json!({"operationType": "remove", "userIds": ["111122223333"]})
    ));
}

#[test]
fn public_access_block_off() {
    let c = Condition::PublicAccessBlockOff;
    assert!(holds(
        c,
        "DeleteBucketPublicAccessBlock",
        json!({"bucketName": "b", "publicAccessBlock": ""})
    ));
    let relaxed = json!({"bucketName": "b", "PublicAccessBlockConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
        "BlockPublicAcls": false, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}});
    assert!(holds(c, "PutBucketPublicAccessBlock", relaxed));
    let on = json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}});
    assert!(!holds(c, "PutBucketPublicAccessBlock", on));
}

#[test]
fn scale_to_zero() {
    let c = Condition::ScaleToZero;
    assert!(holds(
        c,
        "UpdateService",
        json!({"cluster": "c", "service": "s", "desiredCount": 0})
    ));
    assert!(holds(
        c,
        "UpdateAutoScalingGroup",
        json!({"autoScalingGroupName": "g", "minSize": 0, "maxSize": 0})
    ));
    assert!(holds(
        c,
        "SetDesiredCapacity",
        json!({"autoScalingGroupName": "g", "desiredCapacity": "0"})
    ));
    assert!(holds(
        c,
        "UpdateNodegroupConfig",
        json!({"nodegroupName": "n", "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0}})
    ));
    assert!(!holds(
        c,
        "UpdateService",
        json!({"desiredCount": 2, "deploymentConfiguration": {"minimumHealthyPercent": 0}})
    ));
    assert!(!holds(
        c,
        "UpdateAutoScalingGroup",
        json!({"minSize": 0, "maxSize": 4})
    ));
    assert!(!holds(
        c,
        "UpdateService",
        json!({"forceNewDeployment": true})
    ));
}

#[test]
fn logging_reduced() {
    let c = Condition::LoggingReduced;
    // stratus-red-team cloudtrail-event-selectors
    let stratus = json!({"eventSelectors": [{"dataResources": [{"type": "AWS::S3::Object", "values": []}],
        "excludeManagementEventSources": [], "includeManagementEvents": false, "readWriteType": "ReadOnly"}], "trailName": "t"});
    assert!(holds(c, "PutEventSelectors", stratus));
    assert!(holds(
        c,
        "PutEventSelectors",
        json!({"eventSelectors": [{"includeManagementEvents": true, "readWriteType": "All",
        "excludeManagementEventSources": ["kms.amazonaws.com"]}]})
    ));
    let full = json!({"eventSelectors": [{"includeManagementEvents": true, "readWriteType": "All", "excludeManagementEventSources": [],
        "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]});
    assert!(!holds(c, "PutEventSelectors", full));
    assert!(!holds(
        c,
        "PutEventSelectors",
        json!({"advancedEventSelectors": [{"name": "x"}]})
    ));
}

#[test]
fn passes_role() {
    let c = Condition::PassesRole;
    assert!(holds(
        c,
        "CreateFunction20150331",
        json!({"functionName": "f", "role": "arn:aws:iam::1:role/admin", "runtime": "python3.12"})
    ));
    assert!(holds(
        c,
        "RunInstances",
        json!({"instancesSet": {"items": [{"imageId": "ami-1"}]}, "iamInstanceProfile": {"name": "admin"}})
    ));
    assert!(holds(
        c,
        "CreateStack",
        json!({"stackName": "s", "roleARN": "arn:aws:iam::1:role/cfn"})
    ));
    assert!(holds(
        c,
        "CreateNotebookInstance",
        json!({"notebookInstanceName": "n", "roleArn": "arn:aws:iam::1:role/sm"})
    ));
    // stratus-red-team ec2-launch-unusual-instances: no profile
    assert!(!holds(
        c,
        "RunInstances",
        json!({"instanceType": "p2.xlarge", "instancesSet": {"items": [{"imageId": "ami-1", "maxCount": 10, "minCount": 1}]}})
    ));
    assert!(!holds(
        c,
        "CreateStack",
        json!({"stackName": "s", "tags": [{"key": "role", "value": "web"}]})
    ));
}

#[test]
fn publicly_accessible_sets_disabled_auth_none() {
    assert!(holds(
        Condition::PubliclyAccessible,
        "ModifyDBInstance",
        json!({"dBInstanceIdentifier": "db", "publiclyAccessible": true})
    ));
    assert!(!holds(
        Condition::PubliclyAccessible,
        "ModifyDBInstance",
        json!({"publiclyAccessible": false})
    ));
    assert!(!holds(
        Condition::PubliclyAccessible,
        "ModifyDBInstance",
        json!({"allocatedStorage": 50})
    ));

    let d = Condition::SetsDisabled;
    assert!(holds(
        d,
        "UpdateDetector",
        json!({"detectorId": "d", "enable": false})
    ));
    assert!(holds(
        d,
        "UpdateDetector",
        json!({"detectorId": "d", "features": [{"name": "EKS_AUDIT_LOGS", "status": "DISABLED"}]})
    ));
    assert!(holds(
        d,
        "UpdateContinuousBackups",
        json!({"tableName": "t", "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": false}})
    ));
    assert!(!holds(
        d,
        "UpdateContinuousBackups",
        json!({"pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": true}})
    ));
    assert!(!holds(
        d,
        "UpdateDetector",
        json!({"detectorId": "d", "enable": true, "findingPublishingFrequency": "SIX_HOURS"})
    ));

    let a = Condition::AuthNone;
    assert!(holds(
        a,
        "CreateFunctionUrlConfig",
        json!({"functionName": "f", "authType": "NONE"})
    ));
    assert!(!holds(
        a,
        "CreateFunctionUrlConfig",
        json!({"functionName": "f", "authType": "AWS_IAM"})
    ));
}

#[test]
fn attacker_controlled_values_do_not_panic() {
    for c in Condition::ALL {
        for p in [
            json!(null),
            json!("text"),
            json!([1, {"cidrIp": 5}]),
            json!({"policyDocument": "%zz%"}),
            json!({"userName": 3}),
        ] {
            let _ = c.holds("X", Some(&p), &ClassifyContext::default());
        }
    }
    assert_eq!(percent_decode("%7B%7D").as_deref(), Some("{}"));
    assert_eq!(percent_decode("%7"), None);
    assert_eq!(percent_decode("%zz"), None);
}
