//! CloudFormation stack operations people run: dave recreating the
//! cost-analysis stack from his own terminal the night after the SEV1
//! (`cloudformation deploy`, his CLI, no agent), and erin updating the
//! billing-api stack in staging from the console. CloudFormation's own
//! calls carry the person's identity and inherit them as actor.

use crate::rng::{Rng, mix};
use crate::scenario::cast::{self, DAVE, ERIN, PROD, STAGING, USE1};
use crate::scenario::incidents::cascade::{StackOp, Step, cascade, human_call, s};
use crate::scenario::ops::O;
use crate::scenario::plan::Plan;
use crate::scenario::resources::{
    COST_FN, COST_INGEST_FN, COST_QUEUE, COST_ROLE, COST_STACK, COST_TABLE,
};
use crate::scenario::spec::{Case, Err, Truth};
use crate::scenario::user_agent::Ua;

/// Dave recreates the stack from his own terminal that night (no agent).
pub(crate) fn recovery(plan: &mut Plan, rng: &mut Rng, ended: i64) {
    let t0 = ended - 14 * 60;
    let sid = cast::sid(DAVE, "tty", (t0 / 86_400) as u64);
    let ua = Ua::Cli {
        build: 2,
        agent: None,
        exec_env: false,
        sid,
    };
    let calls: [(i64, O, &str); 4] = [
        (0, O::DescribeStacks, "cloudformation.describe-stacks"),
        (
            40,
            O::DescribeStackEvents,
            "cloudformation.describe-stack-events",
        ),
        (95, O::DeleteStack, "cloudformation.delete-stack"),
        (130, O::DescribeStacks, "cloudformation.describe-stacks"),
    ];
    for (dt, o, cli) in calls {
        human_call(plan, DAVE, PROD, USE1, t0 + dt, o, ua, COST_STACK, "", cli);
    }
    let deploy = "cloudformation.deploy";
    let cs = "samcli-deploy1765448000";
    let t1 = t0 + 260;
    human_call(
        plan,
        DAVE,
        PROD,
        USE1,
        t1,
        O::DescribeStacks,
        ua,
        COST_STACK,
        "",
        deploy,
    );
    human_call(
        plan,
        DAVE,
        PROD,
        USE1,
        t1 + 2,
        O::CreateChangeSet,
        ua,
        COST_STACK,
        cs,
        deploy,
    );
    human_call(
        plan,
        DAVE,
        PROD,
        USE1,
        t1 + 8,
        O::DescribeChangeSet,
        ua,
        COST_STACK,
        cs,
        deploy,
    );
    human_call(
        plan,
        DAVE,
        PROD,
        USE1,
        t1 + 13,
        O::DescribeChangeSet,
        ua,
        COST_STACK,
        cs,
        deploy,
    );
    let exec = human_call(
        plan,
        DAVE,
        PROD,
        USE1,
        t1 + 15,
        O::ExecuteChangeSet,
        ua,
        COST_STACK,
        cs,
        deploy,
    );
    if exec.is_none() {
        return;
    }
    let op = StackOp {
        human: DAVE,
        acct: PROD,
        region: USE1,
        op_no: 3,
        caller: Truth::human(DAVE, Case::HumanCli),
    };
    let rule = "cost-analysis-prod-hourly";
    let steps: Vec<Step> = vec![
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
        (
            O::CreateLogGroup,
            "/aws/lambda/cost-analysis-prod-ReportFunction-7XkQ2mV9pL3a",
            String::new(),
            Err::None,
        ),
        (O::CreateFunction, COST_FN, String::new(), Err::None),
        (O::CreateFunction, COST_INGEST_FN, String::new(), Err::None),
        (
            O::CreateEventSourceMapping,
            COST_INGEST_FN,
            String::new(),
            Err::None,
        ),
        (O::PutRule, rule, String::new(), Err::None),
        (O::PutTargets, rule, String::new(), Err::None),
        (
            O::CreateRestApi,
            "cost-analysis-prod-api",
            String::new(),
            Err::None,
        ),
        (O::AddPermission, COST_FN, String::new(), Err::None),
        (
            O::PutMetricAlarm,
            "cost-analysis-prod-errors",
            String::new(),
            Err::None,
        ),
    ];
    let (_, t_done) = cascade(plan, rng, &op, t1 + 20, &steps, (20, 50));
    let mut t = t1 + 45;
    while t < t_done + 30 {
        human_call(
            plan,
            DAVE,
            PROD,
            USE1,
            t,
            O::DescribeStacks,
            ua,
            COST_STACK,
            "",
            deploy,
        );
        t += 30;
    }
}

/// Erin updates the billing-api stack in staging from the console.
pub(crate) fn console_stack_update(plan: &mut Plan) {
    let w = plan.workdays();
    let day = w[1.min(w.len() - 1)];
    let mut rng = Rng::new(mix(plan.seed, 0xC0_501E));
    let t0 = plan.start + i64::from(day) * 86_400 + 15 * 3600 + 10 * 60 - cast::offset_secs(ERIN);
    let stack = "billing-api-staging";
    let ua = Ua::Console { human: ERIN };
    human_call(
        plan,
        ERIN,
        STAGING,
        USE1,
        t0,
        O::DescribeStacks,
        ua,
        stack,
        "",
        "",
    );
    human_call(
        plan,
        ERIN,
        STAGING,
        USE1,
        t0 + 3,
        O::GetTemplate,
        ua,
        stack,
        "",
        "",
    );
    human_call(
        plan,
        ERIN,
        STAGING,
        USE1,
        t0 + 95,
        O::UpdateStack,
        ua,
        stack,
        "",
        "",
    );
    let op = StackOp {
        human: ERIN,
        acct: STAGING,
        region: USE1,
        op_no: 4,
        caller: Truth::human(ERIN, Case::Console),
    };
    let steps: Vec<Step> = vec![
        (O::GetFunctionConfiguration, stack, String::new(), Err::None),
        (
            O::UpdateFunctionConfiguration,
            stack,
            s("memory=1024,60"),
            Err::None,
        ),
        (O::GetFunctionConfiguration, stack, String::new(), Err::None),
        (
            O::GetRolePolicy,
            "billing-api-staging-role",
            s("inline-access"),
            Err::None,
        ),
        (
            O::PutRolePolicy,
            "billing-api-staging-role",
            s("inline-access"),
            Err::None,
        ),
        (
            O::PutMetricAlarm,
            "billing-api-staging-5xx",
            String::new(),
            Err::None,
        ),
    ];
    let (_, t_done) = cascade(plan, &mut rng, &op, t0 + 97, &steps, (3, 20));
    let mut t = t0 + 110;
    while t < t_done + 20 {
        human_call(
            plan,
            ERIN,
            STAGING,
            USE1,
            t,
            O::DescribeStackEvents,
            ua,
            stack,
            "",
            "",
        );
        t += 10 + rng.below(15) as i64;
    }
}
