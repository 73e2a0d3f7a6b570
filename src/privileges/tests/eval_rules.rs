//! One test per policy-evaluation rule, on `account-a.json`.

use super::*;

#[test]
fn deny_beats_allow_from_any_policy() {
    // alice: s3:GetBucketPolicy is allowed by the group's ReadOnlyAccess and
    // by S3ReadWrite's s3:Get*, and denied inline on every resource.
    assert_eq!(grant("alice", "s3:GetBucketPolicy"), None);
    assert_eq!(grant("alice", "s3:GetObject"), Some(FULL));
    // A Deny narrowed to resources or by a condition leaves the grant, marked.
    let g = grant("dave", "s3:DeleteObject").unwrap();
    assert!(g.deny_limited && !g.scoped && !g.conditional);
    let g = grant("dave", "ec2:TerminateInstances").unwrap();
    assert!(g.deny_limited);
    assert_eq!(grant("dave", "s3:DeleteBucket"), Some(FULL));
}

#[test]
fn not_action_grants_everything_else() {
    let dave = &principal("dave").permissions;
    let c = cat();
    let excluded = count_matching("iam:*") + count_matching("organizations:*");
    assert_eq!(dave.granted().count(), c.len() - excluded);
    assert_eq!(grant("dave", "iam:CreateUser"), None);
    assert_eq!(grant("dave", "organizations:LeaveOrganization"), None);
    // Names the catalog does not know are matched against the patterns.
    assert_eq!(grant("dave", "brandnewservice:DoThing"), Some(FULL));
    assert_eq!(grant("dave", "iam:BrandNewThing"), None);
}

#[test]
fn wildcards_expand_against_the_catalog() {
    let deploy = &principal("deploy").permissions;
    let describe = count_matching("ec2:Describe*");
    assert!(describe > 100, "{describe}");
    assert_eq!(deploy.granted().count(), describe + 2);
    assert_eq!(grant("deploy", "EC2:describeinstances"), Some(FULL));
    assert_eq!(grant("deploy", "ec2:CreateVpc"), None);
    // frank: s3:Get* under a condition.
    let frank = &principal("frank").permissions;
    assert_eq!(frank.granted().count(), count_matching("s3:Get*"));
    assert_eq!(frank.conditional().count(), frank.granted().count());
    assert!(grant("frank", "s3:GetObject").unwrap().conditional);
}

#[test]
fn scoped_allows_are_granted_and_marked() {
    // S3ReadWrite v2 allows s3:PutObject on app-data only; v1 (`*`) is not
    // the default version and grants nothing.
    let g = grant("alice", "s3:PutObject").unwrap();
    assert!(g.scoped && !g.conditional);
    assert_eq!(grant("alice", "iam:CreateUser"), None);
    assert_eq!(grant("alice", "s3:ListAllMyBuckets"), Some(FULL));
    assert!(grant("app", "sqs:SendMessage").unwrap().scoped);
}

#[test]
fn permission_boundary_intersects() {
    // carol: AdministratorAccess, bounded by DevBoundary
    // (s3:*, ec2:Describe*, iam:CreateAccessKey; Deny s3:DeleteBucket).
    let carol = &principal("carol").permissions;
    let expected = count_matching("s3:*") - 1 + count_matching("ec2:Describe*") + 1;
    assert_eq!(carol.granted().count(), expected);
    assert_eq!(grant("carol", "s3:DeleteBucket"), None);
    assert_eq!(grant("carol", "s3:DeleteObject"), Some(FULL));
    assert_eq!(grant("carol", "lambda:CreateFunction"), None);
    assert_eq!(
        grant("carol", "newservice:Anything"),
        None,
        "the boundary applies to unknown names too"
    );
    let b = carol.boundary().unwrap();
    assert_eq!(
        b.arn.as_deref(),
        Some("arn:aws:iam::111122223333:policy/DevBoundary")
    );
}

#[test]
fn groups_pass_their_policies_on() {
    assert_eq!(grant("alice", "ec2:DescribeInstances"), Some(FULL));
    let bob = &principal("bob").permissions;
    assert_eq!(bob.granted().count(), cat().len());
    let labels: Vec<String> = bob.policies().map(|s| s.label()).collect();
    assert_eq!(
        labels,
        ["group Admins: managed AdministratorAccess (arn:aws:iam::aws:policy/AdministratorAccess)"]
    );
    assert_eq!(principal("frank").missing_groups, ["Contractors"]);
}

#[test]
fn missing_managed_policies_are_reported_and_known_ones_filled_in() {
    let app = principal("app");
    assert_eq!(
        app.missing_policies,
        ["arn:aws:iam::111122223333:policy/Gone"]
    );
    assert_eq!(app.permissions.granted().count(), 1);
    let alice = principal("alice");
    assert_eq!(
        alice.fallback_policies,
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    assert!(alice.missing_policies.is_empty());
    let sso = principal("AWSReservedSSO_PowerUser_0123456789abcdef");
    assert_eq!(
        sso.fallback_policies,
        ["arn:aws:iam::aws:policy/PowerUserAccess"]
    );
    assert_eq!(sso.path, "/aws-reserved/sso.amazonaws.com/eu-west-1/");
    assert_eq!(
        grant("AWSReservedSSO_PowerUser_0123456789abcdef", "iam:ListRoles"),
        Some(FULL)
    );
    assert_eq!(
        grant(
            "AWSReservedSSO_PowerUser_0123456789abcdef",
            "iam:CreateRole"
        ),
        None
    );
    let set = load(&["account-a.json"]);
    let w = set.accounts[0].warnings.join("\n");
    assert!(
        w.contains("policy/Gone is attached but not in Policies") && w.contains("grants nothing"),
        "{w}"
    );
    assert_eq!(
        set.accounts[0].builtin_copies,
        [
            "arn:aws:iam::aws:policy/PowerUserAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ]
    );
    // One line for all of them, not one per policy and account.
    let note = set.notes.join("\n");
    assert_eq!(set.notes.len(), 1, "{note}");
    assert!(set.warnings.is_empty(), "{:?}", set.warnings);
    assert!(
        note.contains("AWS-managed policies PowerUserAccess, ReadOnlyAccess are attached but not in Policies (was --filter used?) in account 111122223333")
            && note.contains("using trailblame's built-in copies"),
        "{note}"
    );
}

#[test]
fn unknown_pattern_entries_are_listed() {
    use crate::privileges::eval::Permissions;
    use crate::privileges::policy::PolicyDocument;
    let d = PolicyDocument::parse_text(
        r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjekt","nosuch:*"],"Resource":"*"}}"#,
        "t",
    )
    .unwrap();
    let p = Permissions::from_documents(&[d], None, cat());
    assert_eq!(p.unknown_actions(), ["nosuch:*", "s3:GetObjekt"]);
    assert_eq!(p.granted().count(), 1);
    assert!(p.grant_for_name("nosuch:Thing", cat()).is_some());
}
