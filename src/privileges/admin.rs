//! Administrator-equivalence: can a principal do anything, or make itself
//! able to?
//!
//! A principal is admin-equivalent by any of these routes, strongest first:
//! 1. [`AdminRoute::AdministratorAccess`] / [`AdminRoute::AllActions`]:
//!    every catalog action is granted on every resource without condition
//!    (AWS's `AdministratorAccess`, or any `*` on `*`). An attached
//!    `AdministratorAccess` that a boundary or a Deny cuts down does not
//!    count here (a note says so) but may still count below.
//! 2. [`AdminRoute::Escalation`]: an IAM action that rewrites permissions or
//!    takes over another identity ([`ESCALATION_ACTIONS`]) is granted on
//!    every resource without condition.
//! 3. [`AdminRoute::PassRoleCompute`]: `iam:PassRole` on every resource
//!    without condition, together with every action of one of
//!    [`PASSROLE_COMPUTE`] (compute that runs code as the passed role); the
//!    compute actions may be scoped or conditional.
//!
//! Escalation actions or `iam:PassRole` granted only with a resource scope or
//! a condition are listed as [`AdminAssessment::possible`]: the evaluator
//! cannot tell whether the scope includes an admin role or policy.

use super::actions::{ActionCatalog, ActionId};
use super::eval::Permissions;

/// IAM actions that let a principal grant itself any permission or act as
/// another identity.
pub const ESCALATION_ACTIONS: [&str; 13] = [
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
];

/// Action combinations that, with `iam:PassRole`, run code as any role.
pub const PASSROLE_COMPUTE: [&[&str]; 18] = [
    &["ec2:RunInstances"],
    &["lambda:CreateFunction", "lambda:InvokeFunction"],
    &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    &["cloudformation:CreateStack"],
    &[
        "cloudformation:CreateChangeSet",
        "cloudformation:ExecuteChangeSet",
    ],
    &["glue:CreateDevEndpoint"],
    &["glue:CreateJob", "glue:StartJobRun"],
    &["glue:CreateSession", "glue:RunStatement"],
    &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
    &["ecs:RegisterTaskDefinition", "ecs:StartTask"],
    &["ecs:RegisterTaskDefinition", "ecs:CreateService"],
    &[
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
        "datapipeline:ActivatePipeline",
    ],
    &[
        "sagemaker:CreateNotebookInstance",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
    ],
    &["sagemaker:CreateTrainingJob"],
    &["sagemaker:CreateProcessingJob"],
    &["codebuild:CreateProject", "codebuild:StartBuild"],
    &[
        "autoscaling:CreateLaunchConfiguration",
        "autoscaling:CreateAutoScalingGroup",
    ],
    &["states:CreateStateMachine", "states:StartExecution"],
];

/// Which route makes a principal admin-equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdminRoute {
    /// AWS's `AdministratorAccess` is attached and in full effect.
    AdministratorAccess,
    /// Every action on every resource, from other policies.
    AllActions,
    /// An unscoped IAM escalation action.
    Escalation,
    /// Unscoped `iam:PassRole` with compute that runs as the passed role.
    PassRoleCompute,
}

impl AdminRoute {
    /// `administrator_access`, `all_actions`, `escalation`, `passrole_compute`.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminRoute::AdministratorAccess => "administrator_access",
            AdminRoute::AllActions => "all_actions",
            AdminRoute::Escalation => "escalation",
            AdminRoute::PassRoleCompute => "passrole_compute",
        }
    }
}

/// One route that holds, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminVerdict {
    pub route: AdminRoute,
    /// The actions that make it so (`*` for the first two routes;
    /// `iam:PassRole + ec2:RunInstances` entries for the third).
    pub actions: Vec<String>,
    /// Labels of the policies that grant them.
    pub policies: Vec<String>,
}

impl AdminVerdict {
    /// One sentence for reports.
    pub fn reason(&self) -> String {
        let what = match self.route {
            AdminRoute::AdministratorAccess => {
                "AdministratorAccess grants every action".to_string()
            }
            AdminRoute::AllActions => "grants every action on every resource".to_string(),
            AdminRoute::Escalation => format!(
                "can grant itself anything: {} on every resource",
                self.actions.join(", ")
            ),
            AdminRoute::PassRoleCompute => {
                format!("can run code as any role: {}", self.actions.join("; "))
            }
        };
        if self.policies.is_empty() {
            what
        } else {
            format!("{what} (from {})", self.policies.join("; "))
        }
    }
}

/// Everything known about a principal's administrator-equivalence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminAssessment {
    /// Routes that hold, strongest first; empty when not admin-equivalent.
    /// When every action is granted, only that route is listed.
    pub routes: Vec<AdminVerdict>,
    /// Escalation paths granted only with a resource scope or a condition.
    pub possible: Vec<String>,
    /// Observations (an `AdministratorAccess` cut down by a boundary …).
    pub notes: Vec<String>,
}

impl AdminAssessment {
    /// True when some route holds.
    pub fn is_admin(&self) -> bool {
        !self.routes.is_empty()
    }

    /// The strongest route's reason.
    pub fn reason(&self) -> Option<String> {
        self.routes.first().map(AdminVerdict::reason)
    }
}

/// Assesses one principal's permissions.
pub fn assess_admin(p: &Permissions, catalog: &ActionCatalog) -> AdminAssessment {
    let mut out = AdminAssessment::default();
    let labels = |ids: &[ActionId]| {
        let mut v: Vec<String> = ids
            .iter()
            .flat_map(|&id| p.sources_allowing(id))
            .map(|s| s.label())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let admin_access: Vec<String> = p
        .policies()
        .filter(|s| {
            s.arn
                .as_deref()
                .is_some_and(super::managed::is_administrator_access)
        })
        .map(|s| s.label())
        .collect();
    let all = p.unlimited().count() == catalog.len() && !catalog.is_empty();
    if all {
        let (route, policies) = if admin_access.is_empty() {
            let everything: Vec<String> = p
                .sources_granting_everything()
                .iter()
                .map(|s| s.label())
                .collect();
            (AdminRoute::AllActions, everything)
        } else {
            (AdminRoute::AdministratorAccess, admin_access)
        };
        out.routes.push(AdminVerdict {
            route,
            actions: vec!["*".to_string()],
            policies,
        });
        return out;
    }
    if !admin_access.is_empty() {
        out.notes.push(format!(
            "AdministratorAccess is attached but {} of {} actions are not granted on every \
             resource without condition (a boundary or a Deny limits it)",
            catalog.len() - p.unlimited().count(),
            catalog.len()
        ));
    }
    let mut escalation = Vec::new();
    for name in ESCALATION_ACTIONS {
        let Some(id) = catalog.id(name) else { continue };
        if p.unlimited().contains(id) {
            escalation.push(id);
        } else if let Some(g) = p.grant(id) {
            out.possible.push(format!("{name} ({})", marks(g)));
        }
    }
    if !escalation.is_empty() {
        out.routes.push(AdminVerdict {
            route: AdminRoute::Escalation,
            actions: escalation
                .iter()
                .map(|&id| catalog.name(id).to_string())
                .collect(),
            policies: labels(&escalation),
        });
    }
    if let Some(pass) = catalog.id("iam:PassRole") {
        let unlimited = p.unlimited().contains(pass);
        let mut combos = Vec::new();
        let mut ids = vec![pass];
        for combo in PASSROLE_COMPUTE {
            let found: Option<Vec<ActionId>> = combo
                .iter()
                .map(|a| catalog.id(a).filter(|&id| p.granted().contains(id)))
                .collect();
            if let Some(found) = found {
                combos.push(format!("iam:PassRole + {}", combo.join(" + ")));
                ids.extend(found);
            }
        }
        match (unlimited, p.grant(pass)) {
            (true, _) if !combos.is_empty() => out.routes.push(AdminVerdict {
                route: AdminRoute::PassRoleCompute,
                actions: combos,
                policies: labels(&ids),
            }),
            (false, Some(g)) if !combos.is_empty() => out.possible.extend(
                combos
                    .into_iter()
                    .map(|c| format!("{c} (iam:PassRole {})", marks(g))),
            ),
            _ => {}
        }
    }
    out
}

fn marks(g: super::eval::Grant) -> &'static str {
    match (g.scoped, g.conditional) {
        (true, true) => "scoped and conditional",
        (true, false) => "scoped",
        (false, true) => "conditional",
        (false, false) => "limited by a Deny",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privileges::actions::action_catalog;

    #[test]
    fn every_listed_action_is_in_the_catalog() {
        let c = action_catalog().unwrap();
        for a in ESCALATION_ACTIONS
            .iter()
            .chain(PASSROLE_COMPUTE.iter().flat_map(|c| c.iter()))
        {
            assert!(c.id(a).is_some(), "{a} is not an IAM action");
        }
        assert!(c.id("iam:PassRole").is_some());
    }
}
