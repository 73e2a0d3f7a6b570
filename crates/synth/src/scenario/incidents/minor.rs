//! The week's smaller incidents: bob's agent empties the wrong staging
//! bucket with his own credentials; alice revokes a security-group rule in
//! the console; a CI apply shrinks a Lambda's memory and timeout; carol's
//! Codex changes a Lambda's environment in staging; an outage with no
//! traceable cause.

use crate::rng::{Rng, mix};
use crate::scenario::agent_commands::{AwsCmd, EvPlan, One, Planned, single};
use crate::scenario::cast::{self, ACCOUNTS, ALICE, BOB, CAROL, PROD, STAGING, USE1};
use crate::scenario::ci::ci_run;
use crate::scenario::incidents::cascade::human_call;
use crate::scenario::incidents::export::Incident;
use crate::scenario::ops::O;
use crate::scenario::personas::{PERSONAS, busywork, open};
use crate::scenario::plan::Plan;
use crate::scenario::resources::World;
use crate::scenario::spec::{Err, Kind};
use crate::scenario::user_agent::Ua;

fn day_at(plan: &Plan, nth_workday: usize, local_s: i64, h: u8) -> i64 {
    let w = plan.workdays();
    let d = w[nth_workday.min(w.len() - 1)];
    plan.start + i64::from(d) * 86_400 + local_s - cast::offset_secs(h)
}

/// Bob's agent deletes every object of the wrong staging bucket.
pub(crate) fn bob_wrong_bucket(plan: &mut Plan) -> Incident {
    let mut rng = Rng::new(mix(plan.seed, 0xB0B_0B0B));
    let t0 = day_at(plan, 3, 11 * 3600 + 10 * 60, BOB);
    let mut b = open(
        plan,
        &PERSONAS[1],
        2,
        t0 * 1000 + 77,
        STAGING,
        Rng::new(rng.next_u64()),
    );
    b.env.region = USE1;
    b.env.env_prefix = false;
    b.prompt("Clear out the old build outputs from acme-staging-artifacts-tmp, we're over the bucket quota.");
    b.say("Let me see what's in the bucket first.");
    let env = b.env.clone();
    let ls = single(
        &mut b.rng,
        One {
            env: &env,
            cmd: AwsCmd::new("s3", "ls").pos("s3://acme-staging-artifacts-tmp/"),
            op: O::ListObjects,
            res: "acme-staging-artifacts-tmp".into(),
            aux: String::new(),
            err: Err::None,
            output: "                           PRE checkout/\n".into(),
            description: "List the tmp bucket",
        },
    );
    let mut ls = ls;
    ls.events[0].cli = "s3.ls".into();
    b.aws(ls, false);
    busywork(&mut b);
    let bucket = "acme-staging-artifacts";
    let keys: Vec<String> = (0..36)
        .map(|i| {
            format!(
                "checkout/builds/{}/{}",
                cast::hex_id(mix(7, i / 3), 12),
                ["app.zip", "manifest.json", "sbom.json"][(i % 3) as usize]
            )
        })
        .collect();
    let mut events = vec![EvPlan {
        op: O::ListObjects,
        acct: STAGING,
        region: USE1,
        res: bucket.into(),
        aux: String::new(),
        err: Err::None,
        cli: "s3.rm".into(),
    }];
    events.extend(keys.iter().map(|k| EvPlan {
        op: O::DeleteObject,
        acct: STAGING,
        region: USE1,
        res: bucket.into(),
        aux: k.clone(),
        err: Err::None,
        cli: "s3.rm".into(),
    }));
    let output: String = keys
        .iter()
        .map(|k| format!("delete: s3://{bucket}/{k}\n"))
        .collect();
    let cmd = AwsCmd::new("s3", "rm")
        .pos(&format!("s3://{bucket}/"))
        .flag("recursive");
    b.say("I'll remove the old build outputs recursively.");
    b.approval = (1.0, 2_000, 6_000);
    let p = Planned {
        command: cmd.shell(&env),
        structured: None,
        mcp_command: None,
        events,
        output,
        exit: 0,
        exec_ms: 4_000 + 36 * 110,
        description: "Delete old build outputs".into(),
    };
    let uids = b.aws(p, false);
    let t_rm = b.now_ms / 1000;
    let env = b.env.clone();
    let check = single(
        &mut b.rng,
        One {
            env: &env,
            cmd: AwsCmd::new("s3api", "list-objects-v2")
                .arg("bucket", "acme-staging-artifacts-tmp")
                .arg("query", "KeyCount"),
            op: O::ListObjects,
            res: "acme-staging-artifacts-tmp".into(),
            aux: String::new(),
            err: Err::None,
            output: "212\n".into(),
            description: "Check the tmp bucket",
        },
    );
    b.aws(check, false);
    b.reply("I removed 36 objects. The tmp bucket still reports 212 keys; it looks like I deleted from acme-staging-artifacts instead of acme-staging-artifacts-tmp. I'm sorry — those were the checkout build artifacts.");
    b.finish();
    Incident {
        id: "INC-2294".into(),
        title: "checkout staging deploys failing: build artifacts missing".into(),
        severity: "SEV3",
        started: t_rm + 22 * 60,
        ended: t_rm + 22 * 60 + 2 * 3600 + 50 * 60,
        services: vec!["s3", "codedeploy"],
        resources: vec![format!("arn:aws:s3:::{bucket}")],
        causes: uids.into_iter().skip(1).collect(),
        export_causes: false,
        truth: Some((Kind::Ai, "claude-code".into())),
    }
}

/// Alice revokes the partner-VPN rule of the payments security group.
pub(crate) fn alice_sg_revoke(plan: &mut Plan, world: &World) -> Incident {
    let t0 = day_at(plan, 1, 16 * 3600 + 40 * 60, ALICE);
    let sg = world
        .acct(PROD)
        .sgs
        .iter()
        .find(|s| s.1.starts_with("payments"))
        .map(|s| s.0.clone())
        .unwrap_or_default();
    let ua = Ua::Console { human: ALICE };
    human_call(
        plan,
        ALICE,
        PROD,
        USE1,
        t0,
        O::DescribeSecurityGroups,
        ua,
        &sg,
        "",
        "",
    );
    human_call(
        plan,
        ALICE,
        PROD,
        USE1,
        t0 + 2,
        O::DescribeSecurityGroupRules,
        ua,
        &sg,
        "",
        "",
    );
    let revoke = human_call(
        plan,
        ALICE,
        PROD,
        USE1,
        t0 + 48,
        O::RevokeSecurityGroupIngress,
        ua,
        &sg,
        "10.20.0.0/16",
        "",
    );
    let fix = t0 + 48 + 3600 + 45 * 60;
    human_call(
        plan,
        ALICE,
        PROD,
        USE1,
        fix - 30,
        O::DescribeSecurityGroupRules,
        ua,
        &sg,
        "",
        "",
    );
    human_call(
        plan,
        ALICE,
        PROD,
        USE1,
        fix,
        O::AuthorizeSecurityGroupIngress,
        ua,
        &sg,
        "10.20.0.0/16",
        "",
    );
    Incident {
        id: "INC-2289".into(),
        title: "payments-api unreachable from partner VPN (prod)".into(),
        severity: "SEV2",
        started: t0 + 48 + 120,
        ended: fix + 60,
        services: vec!["ec2", "elasticloadbalancing"],
        resources: vec![format!(
            "arn:aws:ec2:us-east-1:{}:security-group/{sg}",
            ACCOUNTS[PROD as usize].id
        )],
        causes: revoke.into_iter().collect(),
        export_causes: true,
        truth: Some((Kind::Human, cast::HUMANS[ALICE as usize].email.into())),
    }
}

/// A CI apply shrinks report-generator's memory and timeout; the next
/// morning's run restores them.
pub(crate) fn ci_lambda_config(plan: &mut Plan, world: &World) -> Incident {
    let mut rng = Rng::new(mix(plan.seed, 0xC1_1A4B));
    let w = plan.workdays();
    let d = w[0];
    let t0 = plan.start + i64::from(d) * 86_400 + 20 * 3600 + 10 * 60;
    let f = "report-generator-prod".to_string();
    let state = world
        .acct(PROD)
        .buckets
        .iter()
        .find(|b| b.contains("tfstate"))
        .cloned()
        .unwrap_or_default();
    let writes = vec![
        (
            O::UpdateFunctionConfiguration,
            f.clone(),
            "memory=128,10".to_string(),
        ),
        (
            O::PutObject,
            state.clone(),
            "envs/prod/terraform.tfstate".to_string(),
        ),
    ];
    let evs = ci_run(plan, world, &mut rng, PROD, t0, &writes);
    let cause: Vec<u64> = evs
        .iter()
        .filter(|e| e.2 == O::UpdateFunctionConfiguration)
        .map(|e| e.0)
        .collect();
    let t_change = evs
        .iter()
        .find(|e| e.2 == O::UpdateFunctionConfiguration)
        .map_or(t0 + 300, |e| e.1);
    let t1 = t_change + 17 * 3600 + 20 * 60;
    let fix = vec![
        (
            O::UpdateFunctionConfiguration,
            f.clone(),
            "memory=512,30".to_string(),
        ),
        (
            O::PutObject,
            state,
            "envs/prod/terraform.tfstate".to_string(),
        ),
    ];
    let evs = ci_run(plan, world, &mut rng, PROD, t1, &fix);
    let t_fixed = evs.last().map_or(t1 + 400, |e| e.1);
    Incident {
        id: "INC-2287".into(),
        title: "report-generator timing out in prod".into(),
        severity: "SEV3",
        started: t_change + 15 * 60,
        ended: t_fixed + 5 * 60,
        services: vec!["lambda"],
        resources: vec![format!(
            "arn:aws:lambda:us-east-1:{}:function:{f}",
            ACCOUNTS[PROD as usize].id
        )],
        causes: cause,
        export_causes: false,
        truth: Some((Kind::Automation, cast::CI_ROLE.into())),
    }
}

/// Carol's Codex points checkout-staging at the wrong database host.
pub(crate) fn codex_env_var(plan: &mut Plan) -> Incident {
    let mut rng = Rng::new(mix(plan.seed, 0x00C0_DEC5));
    let t0 = day_at(plan, 1, 14 * 3600 + 30 * 60, CAROL);
    let mut b = open(
        plan,
        &PERSONAS[2],
        3,
        t0 * 1000 + 310,
        STAGING,
        Rng::new(rng.next_u64()),
    );
    b.env.region = USE1;
    b.prompt("Checkout in staging should log at debug level and use the new database host checkout-db.staging.internal. Update the lambda.");
    busywork(&mut b);
    let env = b.env.clone();
    let f = "checkout-staging";
    let get = single(&mut b.rng, One { env: &env, cmd: AwsCmd::new("lambda", "get-function-configuration").arg("function-name", f), op: O::GetFunctionConfiguration, res: f.into(), aux: String::new(), err: Err::None, output: "{\"Environment\":{\"Variables\":{\"DB_HOST\":\"checkout-db.staging.acme.internal\",\"STRIPE_MODE\":\"test\"}}}\n".into(), description: "Read the current configuration" });
    b.aws(get, false);
    b.say("I'll set the new variables on the function.");
    let cmd = AwsCmd::new("lambda", "update-function-configuration")
        .arg("function-name", f)
        .arg(
            "environment",
            "Variables={DB_HOST=checkout-db.staging.internal,LOG_LEVEL=debug}",
        );
    let upd = single(
        &mut b.rng,
        One {
            env: &env,
            cmd,
            op: O::UpdateFunctionConfiguration,
            res: f.into(),
            aux: "env".into(),
            err: Err::None,
            output: "{\"LastUpdateStatus\":\"InProgress\"}\n".into(),
            description: "Update the environment",
        },
    );
    let uids = b.aws(upd, false);
    let t_upd = b.now_ms / 1000;
    let check = single(
        &mut b.rng,
        One {
            env: &env,
            cmd: AwsCmd::new("lambda", "get-function-configuration")
                .arg("function-name", f)
                .arg("query", "LastUpdateStatus"),
            op: O::GetFunctionConfiguration,
            res: f.into(),
            aux: String::new(),
            err: Err::None,
            output: "\"Successful\"\n".into(),
            description: "Check the update finished",
        },
    );
    b.aws(check, false);
    b.reply("Updated checkout-staging: DB_HOST=checkout-db.staging.internal, LOG_LEVEL=debug.");
    b.finish();
    let fix = t_upd + 52 * 60;
    let ua = Ua::Console { human: CAROL };
    human_call(
        plan,
        CAROL,
        STAGING,
        USE1,
        fix - 40,
        O::GetFunctionConfiguration,
        ua,
        f,
        "",
        "",
    );
    human_call(
        plan,
        CAROL,
        STAGING,
        USE1,
        fix,
        O::UpdateFunctionConfiguration,
        ua,
        f,
        "env",
        "",
    );
    Incident {
        id: "INC-2290".into(),
        title: "checkout-staging cannot reach its database".into(),
        severity: "SEV3",
        started: t_upd + 4 * 60,
        ended: fix + 90,
        services: vec!["lambda"],
        resources: vec![format!(
            "arn:aws:lambda:us-east-1:{}:function:{f}",
            ACCOUNTS[STAGING as usize].id
        )],
        causes: uids,
        export_causes: false,
        truth: Some((Kind::Ai, "codex".into())),
    }
}

/// Elevated errors with no cause in the account's own activity.
pub(crate) fn untraceable(plan: &Plan) -> Incident {
    let w = plan.workdays();
    let d = w[4.min(w.len() - 1)];
    let t0 = plan.start + i64::from(d) * 86_400 + 2 * 3600 + 10 * 60;
    Incident {
        id: "INC-2296".into(),
        title: "Elevated 5xx on billing-api in eu-west-1 (prod)".into(),
        severity: "SEV3",
        started: t0,
        ended: t0 + 42 * 60,
        services: vec!["apigateway", "lambda"],
        resources: vec![format!(
            "arn:aws:lambda:eu-west-1:{}:function:billing-api-prod",
            ACCOUNTS[PROD as usize].id
        )],
        causes: Vec::new(),
        export_causes: false,
        truth: None,
    }
}
