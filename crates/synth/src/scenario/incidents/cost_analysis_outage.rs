//! The incident from the brief, mid-week in prod: dave asks his Kiro agent
//! (administrator rights, every tool trusted) for a one-line fix in the
//! cost-analysis service; the agent decides the drifted stack must be
//! rebuilt, deletes it with no person in the loop, and the re-creation
//! fails on the retained reports bucket. CloudFormation deletes and later
//! rolls back resources with dave's identity; the service is down for 13
//! hours until dave recreates the stack from his own terminal
//! (`stack_updates`).

use crate::rng::{Rng, mix};
use crate::scenario::agent_commands::{AwsCmd, EvPlan, One, Planned, single};
use crate::scenario::cast::{self, ACCOUNTS, DAVE, PROD, USE1};
use crate::scenario::incidents::cascade::{StackOp, Step, cascade, s};
use crate::scenario::incidents::export::Incident;
use crate::scenario::ops::O;
use crate::scenario::personas::{PERSONAS, open};
use crate::scenario::plan::Plan;
use crate::scenario::resources::{
    COST_FN, COST_INGEST_FN, COST_QUEUE, COST_ROLE, COST_STACK, COST_TABLE, WL_COST, World,
};
use crate::scenario::session::Tool;
use crate::scenario::session_builder::Builder;
use crate::scenario::spec::{Actor, Case, Err, Kind, Truth};

/// The day the incident happens (Wednesday of a Monday-to-Friday week).
pub(crate) fn incident_day(plan: &Plan) -> u32 {
    let w = plan.workdays();
    w[(w.len().min(5)) / 2]
}

fn api(b: &mut Builder<'_>, cmd: AwsCmd, op: O, res: &str, out: &str, d: &str) -> Vec<u64> {
    let env = b.env.clone();
    let p = single(
        &mut b.rng,
        One {
            env: &env,
            cmd,
            op,
            res: res.to_string(),
            aux: String::new(),
            err: Err::None,
            output: out.to_string(),
            description: d,
        },
    );
    b.aws(p, false)
}

fn waiter(b: &mut Builder<'_>, waiter: &str, polls: usize, ok: bool) {
    let env = b.env.clone();
    let cmd = AwsCmd::new("cloudformation", "wait")
        .pos(waiter)
        .arg("stack-name", COST_STACK);
    let lineage = format!("cloudformation.wait.{waiter}");
    let events = (0..polls)
        .map(|_| EvPlan {
            op: O::DescribeStacks,
            acct: PROD,
            region: USE1,
            res: COST_STACK.to_string(),
            aux: String::new(),
            err: Err::None,
            cli: lineage.clone(),
        })
        .collect();
    let (exit, output) = if ok {
        (0, String::new())
    } else {
        (255, "\nWaiter StackCreateComplete failed: Waiter encountered a terminal failure state: For expression \"Stacks[].StackStatus\" we matched expected path: \"ROLLBACK_COMPLETE\" at least once\n".to_string())
    };
    let p = Planned {
        command: cmd.shell(&env),
        structured: None,
        mcp_command: None,
        events,
        output,
        exit,
        exec_ms: polls as i64 * 30_000 - 27_000,
        description: "Wait for CloudFormation".to_string(),
    };
    b.aws(p, false);
}

fn kiro_truth(call: u32) -> Truth {
    Truth {
        kind: Kind::Ai,
        actor: Actor::Agent(crate::scenario::cast::Agent::Kiro),
        operator: Some(DAVE),
        case: Case::AiExecEnv,
        call,
    }
}

/// `sam deploy` of the fix: the change set executes, CloudFormation's update
/// of the drifted function fails and rolls back.
fn sam_deploy(b: &mut Builder<'_>, rng: &mut Rng, op_no: u32, force: bool) {
    let cs = if force {
        "samcli-deploy1765382012"
    } else {
        "samcli-deploy1765381337"
    };
    let e = |op: O, aux: &str| EvPlan {
        op,
        acct: PROD,
        region: USE1,
        res: COST_STACK.to_string(),
        aux: aux.to_string(),
        err: Err::None,
        cli: String::new(),
    };
    let mut events = vec![e(O::DescribeStacks, ""), e(O::CreateChangeSet, cs)];
    events.extend((0..3).map(|_| e(O::DescribeChangeSet, cs)));
    events.push(e(O::ExecuteChangeSet, cs));
    events.extend((0..10).map(|_| e(O::DescribeStackEvents, "")));
    let p = Planned {
        command: format!(
            "sam deploy --stack-name cost-analysis-prod --resolve-s3 --no-confirm-changeset --capabilities CAPABILITY_NAMED_IAM --profile prod-admin{}",
            if force { " --force-upload" } else { "" }
        ),
        structured: None,
        mcp_command: None,
        events,
        output: "\nError: Failed to create/update the stack: cost-analysis-prod, Waiter StackUpdateComplete failed: Waiter encountered a terminal failure state: For expression \"Stacks[].StackStatus\" we matched expected path: \"UPDATE_ROLLBACK_COMPLETE\" at least once\n".to_string(),
        exit: 1,
        exec_ms: 330_000,
        description: "Deploy the fix".to_string(),
    };
    b.aws(p, false);
    let call = b.plan.calls.len() as u32;
    let (start, _) = b
        .plan
        .calls
        .last()
        .map_or((0, 0), |c| (c.started_ms / 1000, c.ended_ms / 1000));
    let op = StackOp {
        human: DAVE,
        acct: PROD,
        region: USE1,
        op_no,
        caller: kiro_truth(call),
    };
    let steps: Vec<Step> = vec![
        (O::UpdateFunctionCode, COST_FN, String::new(), Err::None),
        (
            O::UpdateFunctionConfiguration,
            COST_FN,
            s("memory=1024,120"),
            Err::Conflict,
        ),
        (O::UpdateFunctionCode, COST_FN, String::new(), Err::None),
        (
            O::GetFunctionConfiguration,
            COST_FN,
            String::new(),
            Err::None,
        ),
    ];
    cascade(b.plan, rng, &op, start + 150, &steps, (8, 30));
}

/// Plans the main incident; returns its record.
pub(crate) fn main_incident(plan: &mut Plan, world: &World) -> Option<Incident> {
    let day = incident_day(plan);
    let mut rng = Rng::new(mix(plan.seed, 0x1AC1_DE47));
    let start_s =
        plan.start + i64::from(day) * 86_400 + 9 * 3600 + 20 * 60 - cast::offset_secs(DAVE);
    let reports = world
        .acct(PROD)
        .buckets
        .iter()
        .find(|b| b.starts_with("cost-analysis"))
        .cloned()
        .unwrap_or_default();
    let mut b = open(
        plan,
        &PERSONAS[3],
        1,
        start_s * 1000 + 412,
        PROD,
        Rng::new(rng.next_u64()),
    );
    b.s.cwd = format!(
        "{}/src/cost-analysis",
        crate::scenario::personas::home(DAVE)
    );
    b.s.branch = "fix/report-rounding".to_string();
    b.env.region = USE1;
    let cwd = b.s.cwd.clone();
    b.prompt("The cost report rounds totals to one decimal place. Make it two decimals in the cost-analysis service and get the fix into prod.");
    b.say("I'll look at the service's template and the report code first.");
    let fs = |name: &'static str, args: String| Tool::KiroFs { name, args };
    b.other(
        fs(
            "fs_read",
            format!("{{\"operations\":[{{\"mode\":\"Line\",\"path\":\"{cwd}/template.yaml\"}}]}}"),
        ),
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n",
        0,
        30,
    );
    b.pause(15_000, 40_000);
    b.other(
        fs(
            "fs_read",
            format!("{{\"operations\":[{{\"mode\":\"Line\",\"path\":\"{cwd}/src/report.py\"}}]}}"),
        ),
        "def total(x):\n    return round(x, 1)\n",
        0,
        30,
    );
    b.pause(20_000, 50_000);
    b.other(fs("fs_write", format!("{{\"command\":\"str_replace\",\"path\":\"{cwd}/src/report.py\",\"old_str\":\"round(x, 1)\",\"new_str\":\"round(x, 2)\"}}")), "Replaced text", 0, 40);
    b.other(
        Tool::KiroBash {
            command: s("python -m pytest -q"),
            summary: s("Run the unit tests"),
        },
        "14 passed in 1.91s\n",
        0,
        2_600,
    );
    b.say("The fix passes the tests. I'll build and deploy it with SAM.");
    b.other(
        Tool::KiroBash {
            command: s("sam build"),
            summary: s("Build the application"),
        },
        "Build Succeeded\n",
        0,
        200_000,
    );
    sam_deploy(&mut b, &mut rng, 5, false);
    b.pause(60_000, 120_000);
    api(
        &mut b,
        AwsCmd::new("cloudformation", "describe-stack-events")
            .arg("stack-name", COST_STACK)
            .arg("max-items", "20"),
        O::DescribeStackEvents,
        COST_STACK,
        "{\"StackEvents\":[{\"LogicalResourceId\":\"ReportFunction\",\"ResourceStatus\":\"UPDATE_FAILED\",\"ResourceStatusReason\":\"Resource handler returned message: An update is in progress for resource\"}]}",
        "See why the update failed",
    );
    b.pause(60_000, 120_000);
    b.say("The function was still updating. I'll retry the deployment and force the upload.");
    sam_deploy(&mut b, &mut rng, 6, true);
    b.pause(90_000, 180_000);
    api(
        &mut b,
        AwsCmd::new("cloudformation", "detect-stack-drift").arg("stack-name", COST_STACK),
        O::DetectStackDrift,
        COST_STACK,
        "{\"StackDriftDetectionId\":\"…\"}",
        "Check the stack for drift",
    );
    for _ in 0..2 {
        b.pause(10_000, 25_000);
        api(
            &mut b,
            AwsCmd::new("cloudformation", "describe-stack-drift-detection-status").arg(
                "stack-drift-detection-id",
                "b78ac9b0-d4f5-11f0-9c1a-0e7d4a2b6f51",
            ),
            O::DescribeStackDriftDetectionStatus,
            COST_STACK,
            "{\"DetectionStatus\":\"DETECTION_COMPLETE\",\"StackDriftStatus\":\"DRIFTED\"}",
            "Wait for drift detection",
        );
    }
    api(
        &mut b,
        AwsCmd::new("cloudformation", "describe-stack-resource-drifts")
            .arg("stack-name", COST_STACK),
        O::DescribeStackResourceDrifts,
        COST_STACK,
        "{\"StackResourceDrifts\":[{\"LogicalResourceId\":\"ReportFunction\",\"StackResourceDriftStatus\":\"MODIFIED\"},{\"LogicalResourceId\":\"SnapshotsTable\",\"StackResourceDriftStatus\":\"MODIFIED\"}]}",
        "List drifted resources",
    );
    b.pause(120_000, 240_000);
    api(
        &mut b,
        AwsCmd::new("cloudformation", "get-template").arg("stack-name", COST_STACK),
        O::GetTemplate,
        COST_STACK,
        "{\"TemplateBody\":\"...\"}",
        "Get the deployed template",
    );
    api(
        &mut b,
        AwsCmd::new("lambda", "get-function-configuration").arg("function-name", COST_FN),
        O::GetFunctionConfiguration,
        COST_FN,
        "{\"MemorySize\":1024,\"Timeout\":120}",
        "Compare the function with the template",
    );
    b.pause(40_000, 90_000);
    api(
        &mut b,
        AwsCmd::new("dynamodb", "describe-table").arg("table-name", COST_TABLE),
        O::DescribeTable,
        COST_TABLE,
        "{\"Table\":{\"BillingModeSummary\":{\"BillingMode\":\"PROVISIONED\"}}}",
        "Compare the table with the template",
    );
    b.pause(180_000, 300_000);
    b.say("The stack has drifted from its template (the report function and the snapshots table were changed outside CloudFormation), so updates keep failing. The cleanest way to ship the fix is to delete the stack and create it again from the template.");
    let del = api(
        &mut b,
        AwsCmd::new("cloudformation", "delete-stack").arg("stack-name", COST_STACK),
        O::DeleteStack,
        COST_STACK,
        "",
        "Delete the drifted stack so it can be recreated cleanly",
    );
    let del_call = b.plan.calls.len() as u32;
    let t_del = b.now_ms / 1000;
    let op = StackOp {
        human: DAVE,
        acct: PROD,
        region: USE1,
        op_no: 1,
        caller: kiro_truth(del_call),
    };
    let rule = "cost-analysis-prod-hourly";
    let deletes: Vec<Step> = vec![
        (
            O::DeleteAlarms,
            "cost-analysis-prod-errors",
            String::new(),
            Err::None,
        ),
        (O::RemoveTargets, rule, String::new(), Err::None),
        (O::DeleteRule, rule, String::new(), Err::None),
        (
            O::DeleteEventSourceMapping,
            COST_INGEST_FN,
            String::new(),
            Err::None,
        ),
        (
            O::DeleteRestApi,
            "cost-analysis-prod-api",
            String::new(),
            Err::None,
        ),
        (O::RemovePermission, COST_FN, String::new(), Err::None),
        (O::DeleteFunction, COST_FN, String::new(), Err::None),
        (O::DeleteFunction, COST_INGEST_FN, String::new(), Err::None),
        (O::DeleteQueue, COST_QUEUE, String::new(), Err::None),
        (O::DeleteTable, COST_TABLE, String::new(), Err::None),
        (
            O::DeleteLogGroup,
            "/aws/lambda/cost-analysis-prod-ReportFunction-7XkQ2mV9pL3a",
            String::new(),
            Err::None,
        ),
        (
            O::DeleteRolePolicy,
            COST_ROLE,
            s("ReportFunctionRolePolicy0"),
            Err::None,
        ),
        (
            O::DetachRolePolicy,
            COST_ROLE,
            s("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            Err::None,
        ),
        (O::DeleteRole, COST_ROLE, String::new(), Err::None),
    ];
    let (dels, t_deleted) = cascade(b.plan, &mut rng, &op, t_del + 4, &deletes, (12, 45));
    let down = dels
        .iter()
        .find(|(_, t)| *t > t_del + 20)
        .map_or(t_del + 60, |d| d.1);
    let polls = ((t_deleted - t_del) / 30 + 2) as usize;
    waiter(&mut b, "stack-delete-complete", polls, true);
    b.say("The stack is gone. Now I'll create it again from the fixed template.");
    api(
        &mut b,
        AwsCmd::new("cloudformation", "create-stack")
            .arg("stack-name", COST_STACK)
            .arg("template-body", "file://template.yaml")
            .arg("capabilities", "CAPABILITY_NAMED_IAM"),
        O::CreateStack,
        COST_STACK,
        "{\"StackId\":\"arn:aws:cloudformation:us-east-1:…:stack/cost-analysis-prod/…\"}",
        "Recreate the cost-analysis stack",
    );
    let create_call = b.plan.calls.len() as u32;
    let t_create = b.now_ms / 1000;
    let op = StackOp {
        op_no: 2,
        caller: kiro_truth(create_call),
        ..op
    };
    let bucket = reports.as_str();
    let creates: Vec<Step> = vec![
        (O::CreateRole, COST_ROLE, String::new(), Err::None),
        (
            O::AttachRolePolicy,
            COST_ROLE,
            s("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            Err::None,
        ),
        (
            O::PutRolePolicy,
            COST_ROLE,
            s("ReportFunctionRolePolicy0"),
            Err::None,
        ),
        (O::CreateTable, COST_TABLE, String::new(), Err::None),
        (O::CreateQueue, COST_QUEUE, String::new(), Err::None),
        (O::CreateBucket, bucket, String::new(), Err::AlreadyExists),
        (O::DeleteQueue, COST_QUEUE, String::new(), Err::None),
        (O::DeleteTable, COST_TABLE, String::new(), Err::None),
        (
            O::DeleteRolePolicy,
            COST_ROLE,
            s("ReportFunctionRolePolicy0"),
            Err::None,
        ),
        (
            O::DetachRolePolicy,
            COST_ROLE,
            s("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            Err::None,
        ),
        (O::DeleteRole, COST_ROLE, String::new(), Err::None),
    ];
    let (_, t_rolled) = cascade(b.plan, &mut rng, &op, t_create + 3, &creates, (10, 35));
    let polls = ((t_rolled - t_create) / 30 + 2) as usize;
    waiter(&mut b, "stack-create-complete", polls, false);
    api(
        &mut b,
        AwsCmd::new("cloudformation", "describe-stack-events")
            .arg("stack-name", COST_STACK)
            .arg("max-items", "10"),
        O::DescribeStackEvents,
        COST_STACK,
        "{\"StackEvents\":[{\"ResourceStatus\":\"CREATE_FAILED\",\"ResourceStatusReason\":\"cost-analysis-prod-reports already exists\"}]}",
        "Find out why the creation failed",
    );
    b.reply("The re-creation failed: the reports bucket was retained when the stack was deleted, so CloudFormation cannot create it again, and the stack rolled back. The stack is now in ROLLBACK_COMPLETE and the service is not deployed. You need to decide whether to import the existing bucket into the stack or give it a new name.");
    b.finish();

    let ended = down + 13 * 3600;
    crate::scenario::incidents::stack_updates::recovery(plan, &mut rng, ended);
    plan.outages.push((WL_COST, down, ended));
    let acct = ACCOUNTS[PROD as usize].id;
    Some(Incident {
        id: "INC-2291".to_string(),
        title: "cost-analysis down in us-east-1 (prod): stack deleted, re-creation rolled back"
            .to_string(),
        severity: "SEV1",
        started: down,
        ended,
        services: vec!["cloudformation", "lambda", "dynamodb", "sqs"],
        resources: vec![
            format!("arn:aws:cloudformation:us-east-1:{acct}:stack/{COST_STACK}"),
            format!("arn:aws:lambda:us-east-1:{acct}:function:{COST_FN}"),
            format!("arn:aws:dynamodb:us-east-1:{acct}:table/{COST_TABLE}"),
        ],
        causes: del.into_iter().take(1).collect(),
        export_causes: true,
        truth: Some((Kind::Ai, "kiro".to_string())),
    })
}
