//! Terraform runs: the refresh reads the AWS provider makes for an
//! environment's resources (the same for a person's laptop, the CI runner
//! and an agent's shell), and the few writes an apply adds. Used by agent
//! templates, people's background activity and the CI pipeline.

use crate::rng::Rng;
use crate::scenario::agent_commands::{Env, EvPlan, Planned, Target};
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::ops::O;
use crate::scenario::resources::World;
use crate::scenario::spec::Err;

/// One call of a Terraform run: operation, resource, second resource.
pub(crate) type TfCall = (O, String, String);

/// The reads `terraform plan` makes for an account's stack of resources.
pub(crate) fn terraform_reads(world: &World, acct: u8, rng: &mut Rng) -> Vec<TfCall> {
    let r = world.acct(acct);
    let env = ACCOUNTS[acct as usize].name;
    let state = r
        .buckets
        .iter()
        .find(|b| b.contains("tfstate"))
        .cloned()
        .unwrap_or_default();
    let mut v: Vec<TfCall> = vec![
        (O::GetCallerIdentity, String::new(), String::new()),
        (O::GetObject, state, format!("envs/{env}/terraform.tfstate")),
    ];
    for f in r.functions.iter().take(2) {
        for op in [
            O::GetFunction,
            O::ListVersionsByFunction,
            O::GetFunctionCodeSigningConfig,
            O::GetLambdaPolicy,
        ] {
            v.push((op, f.clone(), String::new()));
        }
    }
    for role in r.roles.iter().take(2) {
        for op in [O::GetRole, O::ListRolePolicies, O::ListAttachedRolePolicies] {
            v.push((op, role.clone(), String::new()));
        }
    }
    let b = r.buckets[0].clone();
    for op in [
        O::GetBucketPolicy,
        O::GetBucketAcl,
        O::GetBucketVersioning,
        O::GetBucketEncryption,
        O::GetBucketTagging,
        O::GetBucketCors,
        O::GetBucketLogging,
        O::GetBucketLifecycle,
        O::GetBucketPublicAccessBlock,
    ] {
        v.push((op, b.clone(), String::new()));
    }
    for op in [
        O::DescribeTable,
        O::DescribeContinuousBackups,
        O::DescribeTimeToLive,
        O::ListTagsOfResource,
    ] {
        v.push((op, r.tables[0].clone(), String::new()));
    }
    v.push((O::GetQueueAttributes, r.queues[0].clone(), String::new()));
    v.push((O::ListQueueTags, r.queues[0].clone(), String::new()));
    v.push((O::DescribeSecurityGroups, r.sgs[0].0.clone(), String::new()));
    v.push((
        O::DescribeSecurityGroupRules,
        r.sgs[0].0.clone(),
        String::new(),
    ));
    v.push((O::DescribeVpcs, String::new(), String::new()));
    v.push((O::DescribeSubnets, String::new(), String::new()));
    v.push((O::DescribeLogGroups, String::new(), String::new()));
    // The provider refreshes in parallel: the order varies from run to run
    // (the identity check and the state read stay first).
    for i in (3..v.len()).rev() {
        let j = 2 + rng.index(i - 1);
        v.swap(i, j);
    }
    v
}

/// The writes an apply makes after its refresh.
pub(crate) fn terraform_writes(world: &World, acct: u8, rng: &mut Rng) -> Vec<TfCall> {
    let r = world.acct(acct);
    let env = ACCOUNTS[acct as usize].name;
    let state = r
        .buckets
        .iter()
        .find(|b| b.contains("tfstate"))
        .cloned()
        .unwrap_or_default();
    let f = r.functions[rng.index(2.min(r.functions.len()))].clone();
    let mut v: Vec<TfCall> = match rng.below(5) {
        0 => vec![(O::UpdateFunctionConfiguration, f, String::new())],
        1 => vec![(
            O::PutRolePolicy,
            r.roles[0].clone(),
            "app-access".to_string(),
        )],
        2 => vec![(O::PutBucketTagging, r.buckets[0].clone(), String::new())],
        3 => vec![(
            O::PutRetentionPolicy,
            r.log_groups[0].clone(),
            String::new(),
        )],
        _ => vec![(O::CreateTags, String::new(), String::new())],
    };
    v.push((O::PutObject, state, format!("envs/{env}/terraform.tfstate")));
    v
}

/// An agent's `terraform plan` or `terraform apply` in the session's account.
pub(crate) fn terraform(rng: &mut Rng, env: &Env, tg: &Target<'_>, apply: bool) -> Planned {
    let name = ACCOUNTS[env.acct as usize].name;
    let mut calls = terraform_reads(tg.world, env.acct, rng);
    if apply {
        calls.extend(terraform_writes(tg.world, env.acct, rng));
    }
    let profile = env.profiles[env.acct as usize];
    let prefix = profile
        .map(|p| format!("AWS_PROFILE={p} "))
        .unwrap_or_default();
    let command = if apply {
        format!("cd infra/envs/{name} && {prefix}terraform apply -auto-approve tfplan")
    } else {
        format!("cd infra/envs/{name} && {prefix}terraform plan -out tfplan")
    };
    let output = if apply {
        "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.\n"
    } else {
        "Plan: 0 to add, 1 to change, 0 to destroy.\n\nSaved the plan to: tfplan\n"
    };
    let events: Vec<EvPlan> = calls
        .into_iter()
        .map(|(op, res, aux)| EvPlan {
            op,
            acct: env.acct,
            region: if op.def().global() { 0 } else { env.region },
            res,
            aux,
            err: Err::None,
            cli: String::new(),
        })
        .collect();
    let n = events.len() as i64;
    Planned {
        command,
        structured: None,
        mcp_command: None,
        events,
        output: output.to_string(),
        exit: 0,
        exec_ms: 6000 + n * 250 + rng.below(8000) as i64,
        description: if apply {
            "Apply the Terraform plan".to_string()
        } else {
            "Run terraform plan".to_string()
        },
    }
}

/// An agent's `terraform destroy` of a pull-request preview environment in
/// dev: the refresh, then the deletes.
pub(crate) fn terraform_destroy(rng: &mut Rng, env: &Env) -> Planned {
    let name = ACCOUNTS[env.acct as usize].name;
    let pr = 400 + rng.below(99);
    let f = format!("billing-api-{name}-pr-{pr}");
    let role = format!("{f}-role");
    let mut calls: Vec<TfCall> = vec![(O::GetCallerIdentity, String::new(), String::new())];
    for op in [
        O::GetFunction,
        O::ListVersionsByFunction,
        O::GetFunctionCodeSigningConfig,
    ] {
        calls.push((op, f.clone(), String::new()));
    }
    for op in [O::GetRole, O::ListRolePolicies, O::ListAttachedRolePolicies] {
        calls.push((op, role.clone(), String::new()));
    }
    calls.push((O::DescribeLogGroups, String::new(), String::new()));
    calls.extend([
        (O::DeleteFunction, f.clone(), String::new()),
        (O::DeleteLogGroup, format!("/aws/lambda/{f}"), String::new()),
        (O::DetachRolePolicy, role.clone(), String::new()),
        (O::DeleteRolePolicy, role.clone(), "app-access".to_string()),
        (O::DeleteRole, role, String::new()),
    ]);
    let events: Vec<EvPlan> = calls
        .into_iter()
        .map(|(op, res, aux)| EvPlan {
            op,
            acct: env.acct,
            region: if op.def().global() { 0 } else { env.region },
            res,
            aux,
            err: Err::None,
            cli: String::new(),
        })
        .collect();
    let profile = env.profiles[env.acct as usize];
    let prefix = profile
        .map(|p| format!("AWS_PROFILE={p} "))
        .unwrap_or_default();
    let n = events.len() as i64;
    Planned {
        command: format!(
            "cd infra/envs/preview && {prefix}terraform destroy -auto-approve -var pr={pr}"
        ),
        structured: None,
        mcp_command: None,
        events,
        output: "Destroy complete! Resources: 5 destroyed.\n".to_string(),
        exit: 0,
        exec_ms: 5000 + n * 400 + rng.below(5000) as i64,
        description: "Tear down the preview environment".to_string(),
    }
}
