//! Agents that reach AWS through a service rather than from a person's
//! terminal, and leave no transcript trailblame reads; only what AWS writes
//! about them tells them apart (research/agent-formats-2026.md, section 2).
//!
//! - alice asks Claude Desktop about staging and prod in the evening,
//!   through the managed AWS MCP Server: each call is made with her own SSO
//!   credentials (the MCP proxy signs with her CLI's cached keys), and
//!   CloudTrail records `userIdentity.invokedBy`, `sourceIPAddress` and
//!   `userAgent` as `aws-mcp.amazonaws.com`. Read-only questions.
//! - GitHub's Copilot coding agent, assigned a billing-api issue, deploys
//!   its fix to dev from the repository's `copilot` Actions environment:
//!   `AssumeRoleWithWebIdentity` with the OIDC subject
//!   `repo:acme-corp/billing-api:environment:copilot`, then the AWS CLI on
//!   the runner with the keys it returned (`lambda update-function-code`
//!   and its waiter).

use crate::rng::{Rng, mix};
use crate::scenario::cast::{
    self, ACCOUNTS, ALICE, Agent, COPILOT_ROLE, COPILOT_SUBJECT, DEV, PROD, STAGING, USE1,
};
use crate::scenario::ops::O;
use crate::scenario::plan::Plan;
use crate::scenario::record::CiRun;
use crate::scenario::resources::World;
use crate::scenario::spec::{Actor, Case, Err, Kind, Spec, Truth, Who};
use crate::scenario::user_agent::{RUNNER_CLI, Ua};

/// One planned call: operation, main resource.
type Step = (O, &'static str);

/// One session of questions through the managed MCP server.
struct McpSession {
    day: u32,
    /// Minutes after local midnight (alice's time).
    local_min: i64,
    acct: u8,
    /// Operation and main resource of each call.
    calls: Vec<(O, String)>,
}

fn mcp_sessions(world: &World) -> [McpSession; 2] {
    let st = world.acct(STAGING);
    let pr = world.acct(PROD);
    let f = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    [
        McpSession {
            day: 1,
            local_min: 17 * 60 + 40,
            acct: STAGING,
            calls: vec![
                (O::GetCallerIdentity, String::new()),
                (O::ListFunctions, String::new()),
                (O::GetFunctionConfiguration, f(&st.functions, 0)),
                (O::GetFunctionConfiguration, f(&st.functions, 1)),
                (O::DescribeAlarms, String::new()),
                (O::GetMetricData, String::new()),
                (O::FilterLogEvents, f(&st.log_groups, 1)),
                (O::GetMetricData, String::new()),
            ],
        },
        McpSession {
            day: 3,
            local_min: 18 * 60 + 5,
            acct: PROD,
            calls: vec![
                (O::GetCallerIdentity, String::new()),
                (O::DescribeSecurityGroups, String::new()),
                (O::DescribeSecurityGroupRules, String::new()),
                (O::ListFunctions, String::new()),
                (O::GetFunctionConfiguration, f(&pr.functions, 0)),
                (O::DescribeAlarms, String::new()),
            ],
        },
    ]
}

/// alice's evening questions through the managed AWS MCP Server.
pub(crate) fn managed_mcp(plan: &mut Plan, world: &World) {
    let truth = Truth {
        kind: Kind::Ai,
        actor: Actor::Agent(Agent::AwsMcp),
        operator: Some(ALICE),
        case: Case::AiManagedMcp,
        call: 0,
    };
    for (n, session) in mcp_sessions(world).into_iter().enumerate() {
        let McpSession {
            day,
            local_min,
            acct,
            calls,
        } = session;
        let mut rng = Rng::new(mix(plan.seed ^ 0xA3_3C9, n as u64));
        let mut t = plan.start + i64::from(day) * 86_400 + local_min * 60
            - cast::offset_secs(ALICE)
            + rng.below(60) as i64;
        for (op, res) in calls {
            // The model reads each answer before it asks the next question.
            t += 4 + rng.below(20) as i64;
            let res = plan.names.id(&res);
            plan.push(Spec {
                uid: 0,
                t,
                acct,
                region: USE1,
                op,
                who: Who::SsoViaMcp { human: ALICE },
                ua: Ua::AwsMcp,
                err: Err::None,
                res,
                aux: 0,
                cli: 0,
                truth,
            });
        }
    }
}

/// The Copilot coding agent's deploys of billing-api to dev: (day, UTC
/// minute).
const COPILOT_RUNS: [(u32, i64); 2] = [(2, 15 * 60 + 12), (4, 10 * 60 + 47)];

/// The calls one deploy makes on the role's keys after federation, with
/// the `md/command#` lineage the CLI sends.
const DEPLOY: [(Step, &str); 5] = [
    ((O::GetCallerIdentity, ""), "sts.get-caller-identity"),
    ((O::GetFunction, "billing-api-dev"), "lambda.get-function"),
    (
        (O::UpdateFunctionCode, "billing-api-dev"),
        "lambda.update-function-code",
    ),
    (
        (O::GetFunction, "billing-api-dev"),
        "lambda.wait.function-updated-v2",
    ),
    (
        (O::GetFunction, "billing-api-dev"),
        "lambda.wait.function-updated-v2",
    ),
];

/// The Copilot coding agent deploying its billing-api fix to dev.
pub(crate) fn copilot_coding_agent(plan: &mut Plan) {
    let truth = Truth {
        kind: Kind::Ai,
        actor: Actor::Agent(Agent::CopilotCoding),
        operator: None,
        case: Case::AiCopilotCodingAgent,
        call: 0,
    };
    for (n, (day, minute)) in COPILOT_RUNS.into_iter().enumerate() {
        let mut rng = Rng::new(mix(plan.seed ^ 0xC0_B1107, n as u64));
        let t0 = plan.start + i64::from(day) * 86_400 + minute * 60 + rng.below(60) as i64;
        let run = plan.ci.len() as u32;
        let key = cast::upper_id(
            "ASIA",
            mix(
                cast::hash(&["copilot-key", ACCOUNTS[DEV as usize].id]),
                n as u64,
            ),
            16,
        );
        let ip = format!(
            "172.{}.{}.{}",
            178 + rng.below(8),
            rng.below(256),
            1 + rng.below(254)
        );
        plan.ci.push(CiRun {
            start: t0,
            key: key.clone(),
            ip,
            role: COPILOT_ROLE,
            subject: COPILOT_SUBJECT,
        });
        let res = plan.names.id(COPILOT_ROLE);
        let aux = plan
            .names
            .id(&format!("GitHubActions|{COPILOT_SUBJECT}|{key}"));
        plan.push(Spec {
            uid: 0,
            t: t0,
            acct: DEV,
            region: USE1,
            op: O::AssumeRoleWithWebIdentity,
            who: Who::CiFederation { run },
            ua: Ua::GhAction,
            err: Err::None,
            res,
            aux,
            cli: 0,
            truth,
        });
        // The agent builds and tests first, then deploys.
        let mut t = t0 + 240 + rng.below(300) as i64;
        for ((op, res), cli) in DEPLOY {
            t += if cli.contains(".wait.") {
                5
            } else {
                2 + rng.below(6) as i64
            };
            let res = plan.names.id(res);
            let cli = plan.names.id(cli);
            plan.push(Spec {
                uid: 0,
                t,
                acct: DEV,
                region: USE1,
                op,
                who: Who::Ci { run },
                ua: Ua::Cli {
                    build: RUNNER_CLI,
                    agent: None,
                    exec_env: false,
                    sid: 0,
                },
                err: Err::None,
                res,
                aux: 0,
                cli,
                truth,
            });
        }
    }
}
