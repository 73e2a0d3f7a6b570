//! Admin-equivalence by each route, on fixtures and on one-statement
//! policies for every escalation action and PassRole combination.

use super::*;
use crate::privileges::admin::{AdminRoute, ESCALATION_ACTIONS, PASSROLE_COMPUTE, assess_admin};
use crate::privileges::eval::Permissions;
use crate::privileges::policy::PolicyDocument;

fn assess(name: &str) -> crate::privileges::admin::AdminAssessment {
    assess_admin(&principal(name).permissions, cat())
}

fn routes(name: &str) -> Vec<AdminRoute> {
    assess(name).routes.iter().map(|r| r.route).collect()
}

fn doc(statements: &str) -> PolicyDocument {
    PolicyDocument::parse_text(
        &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
        "t",
    )
    .unwrap()
}

#[test]
fn administrator_access_via_group() {
    let a = assess("bob");
    assert_eq!(routes("bob"), [AdminRoute::AdministratorAccess]);
    let r = a.reason().unwrap();
    assert!(
        r.contains("AdministratorAccess grants every action") && r.contains("group Admins"),
        "{r}"
    );
    assert!(principal("bob").has_administrator_access());
}

#[test]
fn star_on_star_from_another_policy() {
    let a = assess("break-glass");
    assert_eq!(routes("break-glass"), [AdminRoute::AllActions]);
    assert_eq!(a.routes[0].policies, ["inline all"]);
}

#[test]
fn boundary_cuts_administrator_access_but_escalation_remains() {
    let a = assess("carol");
    assert_eq!(routes("carol"), [AdminRoute::Escalation]);
    assert_eq!(a.routes[0].actions, ["iam:CreateAccessKey"]);
    assert!(
        a.notes[0].contains("AdministratorAccess is attached but"),
        "{:?}",
        a.notes
    );
}

#[test]
fn unscoped_escalation_actions() {
    let erin = assess("erin");
    assert_eq!(routes("erin"), [AdminRoute::Escalation]);
    assert_eq!(erin.routes[0].actions, ["iam:CreateAccessKey"]);
    assert_eq!(erin.routes[0].policies, ["inline keys"]);
    assert_eq!(erin.possible, ["iam:AttachUserPolicy (scoped)"]);
    assert_eq!(routes("ci-agent"), [AdminRoute::Escalation]);
    // IAMFullAccess (page 3 of account C) holds them all.
    assert_eq!(
        assess("agent").routes[0].actions.len(),
        ESCALATION_ACTIONS.len()
    );
    for action in ESCALATION_ACTIONS {
        let p = Permissions::from_documents(
            &[doc(&format!(
                r#"{{"Effect":"Allow","Action":"{action}","Resource":"*"}}"#
            ))],
            None,
            cat(),
        );
        let a = assess_admin(&p, cat());
        assert_eq!(a.routes.len(), 1, "{action}");
        assert_eq!(
            (a.routes[0].route, a.routes[0].actions.as_slice()),
            (AdminRoute::Escalation, [action.to_string()].as_slice())
        );
        // With a condition it is only possible.
        let p = Permissions::from_documents(
            &[doc(&format!(
                r#"{{"Effect":"Allow","Action":"{action}","Resource":"*","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#
            ))],
            None,
            cat(),
        );
        let a = assess_admin(&p, cat());
        assert!(
            !a.is_admin() && a.possible == [format!("{action} (conditional)")],
            "{action}: {a:?}"
        );
    }
}

#[test]
fn passrole_with_compute() {
    let a = assess("deploy");
    assert_eq!(routes("deploy"), [AdminRoute::PassRoleCompute]);
    assert_eq!(a.routes[0].actions, ["iam:PassRole + ec2:RunInstances"]);
    // PassRole scoped to one role: possible, not admin.
    let lb = assess("lambda-builder");
    assert!(!lb.is_admin());
    assert_eq!(
        lb.possible,
        ["iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction (iam:PassRole scoped)"]
    );
    for combo in PASSROLE_COMPUTE {
        let actions: Vec<String> = combo.iter().map(|a| format!("\"{a}\"")).collect();
        let with = doc(&format!(
            r#"{{"Effect":"Allow","Action":["iam:PassRole",{}],"Resource":"*"}}"#,
            actions.join(",")
        ));
        let a = assess_admin(&Permissions::from_documents(&[with], None, cat()), cat());
        assert_eq!(
            a.routes.iter().map(|r| r.route).collect::<Vec<_>>(),
            [AdminRoute::PassRoleCompute],
            "{combo:?}"
        );
        assert!(
            a.routes[0]
                .actions
                .contains(&format!("iam:PassRole + {}", combo.join(" + ")))
        );
        // Without PassRole, compute alone is not admin.
        let without = doc(&format!(
            r#"{{"Effect":"Allow","Action":[{}],"Resource":"*"}}"#,
            actions.join(",")
        ));
        assert!(
            !assess_admin(&Permissions::from_documents(&[without], None, cat()), cat()).is_admin()
        );
    }
    // Only part of a combination is not enough.
    let half = doc(
        r#"{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction"],"Resource":"*"}"#,
    );
    assert!(!assess_admin(&Permissions::from_documents(&[half], None, cat()), cat()).is_admin());
}

#[test]
fn broad_but_not_admin() {
    for who in [
        "dave",
        "alice",
        "frank",
        "app",
        "AWSReservedSSO_PowerUser_0123456789abcdef",
    ] {
        let a = assess(who);
        assert!(!a.is_admin(), "{who}: {a:?}");
    }
    // A hard Deny of one action makes `*` no longer everything.
    let p = Permissions::from_documents(
        &[doc(
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}"#,
        )],
        None,
        cat(),
    );
    let a = assess_admin(&p, cat());
    assert!(!a.is_admin(), "{a:?}");
}
