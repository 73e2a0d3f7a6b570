//! Who runs which agent, how, and on what: the five agent setups of the
//! scenario (alice's Claude Code with a marker-sending CLI, bob's Claude
//! Code with the old CLI, carol's Codex on its own role, dave's Kiro with
//! administrator rights, erin's Claude Code through the aws-api MCP
//! server), their projects, prompts, repertoire of commands, and the plain
//! work (git, tests, file edits) that fills the rest of a session. Also
//! the launcher that gets carol's Codex its role credentials, and bob's own
//! CLI calls that land inside his agent's tool-call windows.

use crate::rng::{Rng, Weighted, mix};
use crate::scenario::agent_commands::{Env, Target};
use crate::scenario::cast::Agent;
use crate::scenario::cast::{
    self, ALICE, BOB, CAROL, CODEX_ROLE, DAVE, DEV, ERIN, PROD, STAGING, USE1,
};
use crate::scenario::ops::O;
use crate::scenario::plan::Plan;
use crate::scenario::record::RoleSession;
use crate::scenario::resources::World;
use crate::scenario::session::{Flavour, Session, Tool};
use crate::scenario::session_builder::{Builder, deny_writes_if_read_only, uuid4, uuid7};
use crate::scenario::spec::{Case, Err, Spec, Truth, Who};
use crate::scenario::templates::{self, T};
use crate::scenario::user_agent::Ua;

/// One agent setup.
pub(crate) struct Persona {
    pub human: u8,
    pub agent: Agent,
    pub flavour: Flavour,
    /// Sessions in the week at `agent_scale` 1.
    pub sessions: u32,
    pub projects: &'static [&'static str],
    pub prompts: &'static [&'static str],
    pub accounts: &'static [(u8, u64)],
    pub profiles: [Option<&'static str>; 3],
    pub templates: &'static [(T, u64)],
    pub model: &'static str,
    pub mode: &'static str,
    /// (probability, min ms, max ms) of waiting for a person's approval.
    pub approval: (f64, i64, i64),
}

pub(crate) const PERSONAS: [Persona; 5] = [
    Persona {
        human: ALICE,
        agent: Agent::ClaudeCode,
        flavour: Flavour::Marker,
        sessions: 5,
        projects: &["src/billing-api", "src/platform-infra"],
        prompts: &[
            "The invoice export Lambda in dev times out on big accounts. Find out why and fix it.",
            "Check that billing-api is healthy in staging after yesterday's deploy.",
            "Clean up the scratch data we left in dev and make sure the site build is published.",
            "Why is the report-generator erroring? Look at the logs and metrics.",
            "Run the terraform plan for dev and tell me what would change.",
        ],
        accounts: &[(DEV, 55), (STAGING, 25), (PROD, 20)],
        profiles: [Some("prod-ro"), Some("staging"), Some("dev")],
        templates: &[
            (T::Identity, 3),
            (T::S3Ls, 3),
            (T::S3LsPrefix, 4),
            (T::S3CpDown, 2),
            (T::LambdaGet, 5),
            (T::LambdaList, 3),
            (T::LambdaConfig, 3),
            (T::LogsTail, 5),
            (T::LogsFilter, 3),
            (T::CfnDescribe, 4),
            (T::CfnEvents, 2),
            (T::Ec2Describe, 3),
            (T::Ec2Sg, 2),
            (T::Ec2DryRun, 2),
            (T::DdbDescribe, 2),
            (T::SqsAttrs, 2),
            (T::SsmGet, 2),
            (T::SecretGet, 1),
            (T::IamRole, 2),
            (T::Metrics, 2),
            (T::LambdaUpdateCode, 2),
            (T::LambdaConfigDenied, 2),
            (T::EcrLogin, 1),
            (T::S3Sync, 1),
            (T::S3ScratchCycle, 1),
            (T::TfPlan, 2),
            (T::TfApply, 1),
            (T::TfDestroy, 1),
            (T::S3RmRecursive, 1),
            (T::CfnWait, 1),
            (T::NoCreds, 1),
            (T::NotFound, 1),
        ],
        model: "claude-sonnet-4-5-20250929",
        mode: "default",
        approval: (0.7, 1_500, 20_000),
    },
    Persona {
        human: BOB,
        agent: Agent::ClaudeCode,
        flavour: Flavour::SharedNoMarker,
        sessions: 6,
        projects: &["work/checkout", "work/ci-tools"],
        prompts: &[
            "The checkout staging deploy failed, figure out what's wrong with the artifacts.",
            "List what we have in the staging buckets and tidy up old build outputs.",
            "Check the checkout queue in staging, messages seem stuck.",
            "Look at the checkout lambda config in staging and compare it with dev.",
            "Why does the CI job fail to push to ECR?",
        ],
        accounts: &[(STAGING, 60), (DEV, 40)],
        profiles: [Some("bob-prod"), Some("bob-staging"), Some("bob-dev")],
        templates: &[
            (T::Identity, 3),
            (T::S3Ls, 4),
            (T::S3LsPrefix, 6),
            (T::S3CpDown, 3),
            (T::S3CpUp, 2),
            (T::LambdaGet, 4),
            (T::LambdaConfig, 4),
            (T::LogsTail, 4),
            (T::LogsFilter, 2),
            (T::CfnDescribe, 3),
            (T::Ec2Describe, 2),
            (T::Ec2DryRun, 1),
            (T::DdbDescribe, 2),
            (T::SqsAttrs, 4),
            (T::SsmGet, 2),
            (T::IamPolicies, 2),
            (T::Metrics, 2),
            (T::LambdaUpdateCode, 2),
            (T::EcrLogin, 2),
            (T::S3Sync, 1),
            (T::S3ScratchCycle, 1),
            (T::S3RmRecursive, 1),
            (T::TfPlan, 1),
            (T::NoCreds, 1),
            (T::NotFound, 1),
        ],
        model: "claude-sonnet-4-5-20250929",
        mode: "acceptEdits",
        approval: (0.8, 1_000, 15_000),
    },
    Persona {
        human: CAROL,
        agent: Agent::Codex,
        flavour: Flavour::SourceIdentity,
        sessions: 4,
        projects: &["code/checkout-service"],
        prompts: &[
            "Checkout in staging returns 502s since this morning. Investigate.",
            "Make the checkout lambda read its DB host from SSM instead of the env var, and check staging.",
            "Summarise the DynamoDB and SQS setup of checkout in staging.",
        ],
        accounts: &[(STAGING, 70), (DEV, 30)],
        profiles: [None, None, None],
        templates: &[
            (T::Identity, 3),
            (T::S3LsPrefix, 2),
            (T::S3CpDown, 1),
            (T::LambdaGet, 5),
            (T::LambdaConfig, 4),
            (T::LogsTail, 4),
            (T::LogsFilter, 4),
            (T::CfnDescribe, 3),
            (T::DdbDescribe, 3),
            (T::SqsAttrs, 3),
            (T::SsmGet, 3),
            (T::IamRole, 2),
            (T::Metrics, 2),
            (T::Ec2DryRun, 1),
            (T::NoCreds, 1),
            (T::NotFound, 1),
        ],
        model: "gpt-5.1-codex",
        mode: "on-request",
        approval: (0.9, 3_000, 30_000),
    },
    Persona {
        human: DAVE,
        agent: Agent::Kiro,
        flavour: Flavour::ExecEnv,
        sessions: 3,
        projects: &["src/cost-analysis", "src/finops-reports"],
        prompts: &[
            "What did we spend on Lambda last week per function? Check the cost-analysis outputs.",
            "Check the cost-analysis stack in prod is healthy.",
            "List the alarms on billing-api and whether any fired this week.",
        ],
        accounts: &[(PROD, 50), (STAGING, 30), (DEV, 20)],
        profiles: [Some("prod-admin"), Some("staging-admin"), Some("dev-admin")],
        templates: &[
            (T::Identity, 2),
            (T::S3Ls, 2),
            (T::LambdaGet, 4),
            (T::LambdaList, 3),
            (T::LambdaConfig, 3),
            (T::LogsTail, 2),
            (T::LogsFilter, 3),
            (T::CfnDescribe, 5),
            (T::CfnEvents, 3),
            (T::Ec2Describe, 2),
            (T::DdbDescribe, 3),
            (T::SqsAttrs, 2),
            (T::IamRole, 2),
            (T::IamPolicies, 2),
            (T::Metrics, 3),
        ],
        model: "claude-sonnet-4.5",
        mode: "trust-all",
        approval: (0.0, 0, 0),
    },
    Persona {
        human: ERIN,
        agent: Agent::ClaudeCode,
        flavour: Flavour::Mcp,
        sessions: 4,
        projects: &["src/observability"],
        prompts: &[
            "Give me an overview of the Lambda functions in staging and their error rates.",
            "Which security groups in prod allow 443 from outside the VPC?",
            "Check the billing queue and DynamoDB table in staging.",
        ],
        accounts: &[(STAGING, 50), (PROD, 30), (DEV, 20)],
        profiles: [Some("prod"), Some("staging"), Some("dev")],
        templates: &[
            (T::Identity, 2),
            (T::LambdaList, 4),
            (T::LambdaConfig, 3),
            (T::LogsFilter, 3),
            (T::CfnDescribe, 3),
            (T::Ec2Describe, 3),
            (T::Ec2Sg, 3),
            (T::DdbDescribe, 2),
            (T::SqsAttrs, 2),
            (T::Metrics, 3),
        ],
        model: "claude-opus-4-5-20251101",
        mode: "default",
        approval: (0.0, 0, 0),
    },
];

/// carol also tries GitHub Copilot CLI on the checkout service, on her own
/// SSO credentials (her CLI, 2.35.30, sends `AV` in `m/` when the agent's
/// environment says so). Planned after everything else, so that adding it
/// left the other setups' events as they were.
pub(crate) const COPILOT_CLI: Persona = Persona {
    human: CAROL,
    agent: Agent::CopilotCli,
    flavour: Flavour::Marker,
    sessions: 3,
    projects: &["code/checkout-service"],
    prompts: &[
        "Is the checkout lambda in staging healthy? Check its config and recent errors.",
        "List the staging buckets and check the artifacts from the last build are there.",
        "Compare the checkout queue and table settings between staging and dev.",
    ],
    accounts: &[(STAGING, 60), (DEV, 40)],
    profiles: [Some("carol-prod"), Some("carol-staging"), Some("carol-dev")],
    templates: &[
        (T::Identity, 3),
        (T::S3Ls, 2),
        (T::S3LsPrefix, 3),
        (T::LambdaGet, 4),
        (T::LambdaConfig, 3),
        (T::LogsTail, 3),
        (T::LogsFilter, 2),
        (T::CfnDescribe, 2),
        (T::DdbDescribe, 2),
        (T::SqsAttrs, 3),
        (T::SsmGet, 1),
        (T::Metrics, 2),
        (T::NotFound, 1),
    ],
    model: "claude-sonnet-4.5",
    mode: "manual",
    approval: (0.85, 1_200, 12_000),
};

/// Home directory of a person (erin works on macOS).
pub(crate) fn home(human: u8) -> String {
    let u = cast::HUMANS[human as usize].user;
    if human == ERIN {
        format!("/Users/{u}")
    } else {
        format!("/home/{u}")
    }
}

/// Starts a session of `p` at `start_ms`; the caller fills it.
pub(crate) fn open<'p>(
    plan: &'p mut Plan,
    p: &Persona,
    n: u64,
    start_ms: i64,
    acct: u8,
    rng: Rng,
) -> Builder<'p> {
    let mut rng = rng;
    let project = *rng.pick(p.projects);
    let id = match p.agent {
        Agent::Codex => uuid7(&mut rng, start_ms),
        _ => uuid4(&mut rng),
    };
    let branch = rng
        .pick(&[
            "main",
            "main",
            "fix/timeouts",
            "feat/report-export",
            "chore/cleanup",
        ])
        .to_string();
    let s = Session {
        agent: p.agent,
        flavour: p.flavour,
        operator: p.human,
        id,
        cwd: format!("{}/{project}", home(p.human)),
        branch,
        model: p.model,
        mode: p.mode,
        start_ms,
        turns: Vec::new(),
    };
    let region = if rng.chance(0.85) {
        cast::USE1
    } else {
        cast::EUW1
    };
    let env = Env {
        human: p.human,
        acct,
        region,
        profiles: p.profiles,
        env_prefix: p.human == BOB && rng.chance(0.5),
    };
    let mut b = Builder::new(plan, rng, s, env);
    // Each agent's shell is a terminal of its own (its own `sid/`).
    let shell = if p.agent == Agent::CopilotCli {
        "copilot-shell"
    } else {
        "agent-shell"
    };
    b.sid = cast::sid(p.human, shell, n);
    b.approval = p.approval;
    if p.flavour == Flavour::SourceIdentity {
        codex_credentials(&mut b, n);
    }
    b
}

/// Carol's launcher assumes the Codex role with `sourceIdentity` just before
/// the session starts; the session then runs on those credentials.
pub(crate) fn codex_credentials(b: &mut Builder<'_>, n: u64) {
    let id = b.s.id.clone();
    let short = &id[id.len().saturating_sub(8)..];
    let name = format!("codex-{short}");
    let t = b.now_ms / 1000 - 5 - b.rng.below(40) as i64;
    let acct = b.env.acct;
    let key = cast::upper_id("ASIA", cast::hash(&["codex-key", &id]), 16);
    b.plan.codex.push(RoleSession {
        name: name.clone(),
        source_identity: "codex@carol".to_string(),
        key,
        created: t,
    });
    b.codex = Some(b.plan.codex.len() as u32 - 1);
    let day = (t - b.plan.start).div_euclid(86_400) as u64;
    let sid = cast::sid(CAROL, "tty", day * 10 + n % 3);
    let res = b.plan.names.id(CODEX_ROLE);
    let aux = b.plan.names.id(&format!("{name}|codex@carol"));
    let cli = b.plan.names.id("sts.assume-role");
    b.plan.push(Spec {
        uid: 0,
        t,
        acct,
        region: USE1,
        op: O::AssumeRole,
        who: Who::Sso {
            human: CAROL,
            console: false,
        },
        ua: Ua::Cli {
            build: 1,
            agent: None,
            exec_env: false,
            sid,
        },
        err: Err::None,
        res,
        aux,
        cli,
        truth: Truth::human(CAROL, Case::AgentCredentials),
    });
}

/// Plain work that never reaches AWS.
pub(crate) fn busywork(b: &mut Builder<'_>) {
    let cwd = b.s.cwd.clone();
    let r = b.rng.below(6);
    if b.s.flavour == Flavour::Mcp && r == 5 {
        let q = *b.rng.pick(&[
            "list lambda functions with their runtimes",
            "error count of a lambda function over the last day",
            "security groups that allow inbound 443",
        ]);
        let tool = Tool::McpOther {
            tool: "mcp__awslabs_aws-api-mcp-server__suggest_aws_commands",
            input: format!("{{\"query\":\"{q}\"}}"),
        };
        b.other(
            tool,
            "{\"suggestions\":[{\"command\":\"aws lambda list-functions\",\"confidence\":0.93}]}",
            0,
            1_800,
        );
        return;
    }
    let (tool, out, exit, ms): (Tool, String, i32, i64) = match b.s.agent {
        Agent::ClaudeCode => match r {
            0 => (
                Tool::ClaudeOther {
                    name: "Read",
                    input: format!("{{\"file_path\":\"{cwd}/src/handler.py\"}}"),
                },
                "     1\timport json\n     2\timport os\n".into(),
                0,
                40,
            ),
            1 => (
                Tool::ClaudeOther {
                    name: "Grep",
                    input: "{\"pattern\":\"timeout\",\"path\":\"src\",\"output_mode\":\"files_with_matches\"}".into(),
                },
                "Found 2 files\nsrc/handler.py\nsrc/config.py".into(),
                0,
                120,
            ),
            2 => (
                Tool::ClaudeOther {
                    name: "Edit",
                    input: format!("{{\"file_path\":\"{cwd}/src/config.py\",\"old_string\":\"TIMEOUT = 10\",\"new_string\":\"TIMEOUT = 30\"}}"),
                },
                format!("The file {cwd}/src/config.py has been updated."),
                0,
                60,
            ),
            3 => bash("git status --short", " M src/config.py\n", 0, 150, "Show working tree status"),
            4 => {
                let fail = b.rng.chance(0.25);
                if fail {
                    bash("npm test", "FAIL src/export.test.js\nTests: 1 failed, 41 passed", 1, 9_000, "Run the tests")
                } else {
                    bash("npm test", "Tests: 42 passed, 42 total", 0, 8_000, "Run the tests")
                }
            }
            5 if b.rng.chance(0.5) => bash(
                "cat README.md",
                "# billing-api\n\nInvoice generation and export.\n",
                0,
                30,
                "Read the README",
            ),
            _ => bash("git diff --stat", " src/config.py | 2 +-\n 1 file changed", 0, 120, "Show the diff"),
        },
        Agent::Codex => match r {
            0 => codex("rg -n 'DB_HOST' src", "src/db.py:12:    host = os.environ[\"DB_HOST\"]\n", 0, 90),
            1 => codex("sed -n '1,160p' src/handler.py", "import json\n", 0, 40),
            2 => codex("git status --short", " M src/db.py\n", 0, 60),
            3 => (
                Tool::CodexPatch {
                    patch: "*** Begin Patch\n*** Update File: src/db.py\n@@\n-    host = os.environ[\"DB_HOST\"]\n+    host = ssm_param(\"/billing/staging/db-host\")\n*** End Patch".into(),
                },
                "Success. Updated the following files:\nM src/db.py\n".into(),
                0,
                50,
            ),
            4 => codex("pytest -q tests/test_checkout.py", "12 passed in 3.41s\n", 0, 4_000),
            _ => codex("ls -la", "total 48\n", 0, 20),
        },
        Agent::CopilotCli | Agent::CopilotCoding | Agent::AwsMcp => match r {
            0 => bash("git status --short", " M src/handler.py\n", 0, 120, "Show working tree status"),
            1 => bash("rg -n 'QUEUE_URL' src", "src/handler.py:8:QUEUE_URL = os.environ[\"QUEUE_URL\"]\n", 0, 90, "Find the queue setting"),
            2 => bash("cat src/handler.py", "import json\nimport os\n", 0, 40, "Read the handler"),
            3 => bash("git log --oneline -5", "4f1c2ab retry on throttling\n", 0, 70, "Recent commits"),
            4 => bash("pytest -q", "23 passed in 2.87s\n", 0, 3_500, "Run the tests"),
            _ => bash("ls", "README.md\nsrc\ntests\n", 0, 20, "List the project"),
        },
        Agent::Kiro => match r {
            0 | 1 => (
                Tool::KiroFs {
                    name: "fs_read",
                    args: format!("{{\"operations\":[{{\"mode\":\"Line\",\"path\":\"{cwd}/template.yaml\"}}]}}"),
                },
                "AWSTemplateFormatVersion: '2010-09-09'\n".into(),
                0,
                30,
            ),
            2 => (
                Tool::KiroBash {
                    command: "git log --oneline -5".into(),
                    summary: "Recent commits".into(),
                },
                "a1b2c3d fix rounding in report totals\n".into(),
                0,
                80,
            ),
            3 => (
                Tool::KiroFs {
                    name: "fs_write",
                    args: format!("{{\"command\":\"str_replace\",\"path\":\"{cwd}/src/report.py\",\"old_str\":\"round(x, 1)\",\"new_str\":\"round(x, 2)\"}}"),
                },
                "Replaced text".into(),
                0,
                40,
            ),
            _ => (
                Tool::KiroBash {
                    command: "python -m pytest -q".into(),
                    summary: "Run the unit tests".into(),
                },
                "8 passed in 1.20s\n".into(),
                0,
                2_500,
            ),
        },
    };
    b.other(tool, &out, exit, ms);
}

fn bash(cmd: &str, out: &str, exit: i32, ms: i64, d: &str) -> (Tool, String, i32, i64) {
    (
        Tool::Bash {
            command: cmd.to_string(),
            description: d.to_string(),
        },
        out.to_string(),
        exit,
        ms,
    )
}

fn codex(cmd: &str, out: &str, exit: i32, ms: i64) -> (Tool, String, i32, i64) {
    (
        Tool::CodexShell {
            command: cmd.to_string(),
            escalated: false,
        },
        out.to_string(),
        exit,
        ms,
    )
}

/// Plans every ordinary (non-incident) session of every persona.
pub(crate) fn plan_sessions(plan: &mut Plan, world: &World) {
    for (pi, p) in PERSONAS.iter().enumerate() {
        plan_persona(plan, world, pi as u64, p);
    }
}

/// Plans carol's Copilot CLI sessions (after the rest of the plan).
pub(crate) fn plan_copilot_cli(plan: &mut Plan, world: &World) {
    plan_persona(plan, world, PERSONAS.len() as u64, &COPILOT_CLI);
}

/// Plans the ordinary sessions of one persona; `pi` seeds them.
fn plan_persona(plan: &mut Plan, world: &World, pi: u64, p: &Persona) {
    let workdays = plan.workdays();
    let count = p.sessions * plan.agent_scale.max(1);
    let acct_pick = Weighted::new(p.accounts.iter().map(|a| a.1));
    let tpl_pick = Weighted::new(p.templates.iter().map(|t| t.1));
    for n in 0..count {
        let mut rng = Rng::new(mix(plan.seed ^ 0x5E55_1011, pi << 32 | u64::from(n)));
        let day = workdays[rng.index(workdays.len())];
        let local_min = 9 * 60 + rng.below(7 * 60 + 30) as i64;
        let start_s =
            plan.start + i64::from(day) * 86_400 + local_min * 60 - cast::offset_secs(p.human);
        let start_ms = (start_s + rng.below(60) as i64) * 1000 + rng.below(1000) as i64;
        let acct = p.accounts[acct_pick.sample(&mut rng)].0;
        let sub = Rng::new(rng.next_u64());
        let mut b = open(plan, p, u64::from(n) + 1000, start_ms, acct, sub);
        let turns = 1 + rng.below(3);
        for _ in 0..turns {
            let prompt = *rng.pick(p.prompts);
            b.prompt(prompt);
            b.say("I'll start by looking at the current state.");
            let calls = 4 + rng.below(9);
            for _ in 0..calls {
                if rng.chance(0.4) {
                    busywork(&mut b);
                    continue;
                }
                let t = p.templates[tpl_pick.sample(&mut rng)].0;
                run_template(&mut b, world, t);
            }
            b.reply("Here is what I found and changed.");
        }
        b.finish();
    }
}

/// Runs one template in the session's account (writes that fan out go to dev).
pub(crate) fn run_template(b: &mut Builder<'_>, world: &World, t: T) {
    if b.s.flavour == Flavour::Mcp && !t.is_api_call() {
        busywork(b);
        return;
    }
    let mut env = b.env.clone();
    if matches!(
        t,
        T::S3Sync
            | T::S3ScratchCycle
            | T::S3RmRecursive
            | T::TfApply
            | T::TfDestroy
            | T::LambdaUpdateCode
    ) && b.s.flavour != Flavour::SourceIdentity
    {
        env.acct = DEV;
    }
    let tg = Target {
        world,
        acct: env.acct,
    };
    let planned = templates::plan(t, &mut b.rng, &env, &tg);
    for mut p in planned {
        deny_writes_if_read_only(&mut p, &env);
        let writes = p.events.iter().any(|e| !e.op.def().read_only());
        let rejected = b.s.agent == Agent::ClaudeCode
            && b.s.flavour != Flavour::Mcp
            && writes
            && b.rng.chance(0.08);
        b.aws(p, rejected);
        if rejected {
            // Claude stops after a rejection; the person writes next.
            b.prompt("Don't change anything for now, stick to read-only checks.");
            break;
        }
    }
}

/// About one in a hundred of bob's agent events gets a call of the same
/// operation by bob himself, from his own terminal, inside the agent's
/// tool-call window.
pub(crate) fn bob_in_agent_windows(plan: &mut Plan) {
    let mut rng = Rng::new(mix(plan.seed, 0xB0B_1A1A));
    let candidates: Vec<usize> = plan
        .specs
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.truth.case == Case::AiSharedNoMarker
                && matches!(s.ua, Ua::CliOld { .. })
                && s.truth.call > 0
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let want = (candidates.len() as f64 / 100.0).round().max(1.0) as usize;
    let mut chosen = std::collections::BTreeSet::new();
    while chosen.len() < want.min(candidates.len()) {
        chosen.insert(candidates[rng.index(candidates.len())]);
    }
    for i in chosen {
        let s = plan.specs[i];
        let call = &plan.calls[(s.truth.call - 1) as usize];
        let (a, z) = (call.started_ms / 1000, call.ended_ms / 1000);
        let t = a + rng.below((z - a + 1).max(1) as u64) as i64;
        plan.push(Spec {
            uid: 0,
            t,
            cli: 0,
            res: 0,
            aux: 0,
            truth: Truth::human(BOB, Case::HumanCliInAiWindow),
            ..s
        });
    }
}
