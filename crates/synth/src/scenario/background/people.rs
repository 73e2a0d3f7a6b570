//! People's background activity: each person works in the console and in
//! their terminal in bursts during their office hours, and runs Terraform
//! now and then, at rates set by their habits per tool and account.

use crate::rng::{Rng, Weighted, mix};
use crate::scenario::background::generator::Gen;
use crate::scenario::cast::{self, CliKind, HUMANS, USE1};
use crate::scenario::ops::O;
use crate::scenario::resources::World;
use crate::scenario::spec::{Case, Err, Truth, Who};
use crate::scenario::terraform::terraform_reads;
use crate::scenario::user_agent::Ua;

/// A person's habits with one tool: events per weekday at scale 1, and
/// the share of them per account.
struct Habit {
    human: u8,
    tool: Tool,
    per_day: u32,
    accounts: [u32; 3],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    Console,
    Cli,
    /// Terraform plan runs per weekday (as a share of 100).
    Terraform,
}

const HABITS: [Habit; 12] = [
    Habit {
        human: cast::ALICE,
        tool: Tool::Console,
        per_day: 66,
        accounts: [60, 0, 40],
    },
    Habit {
        human: cast::ALICE,
        tool: Tool::Cli,
        per_day: 55,
        accounts: [20, 30, 50],
    },
    Habit {
        human: cast::ALICE,
        tool: Tool::Terraform,
        per_day: 66,
        accounts: [0, 0, 100],
    },
    Habit {
        human: cast::BOB,
        tool: Tool::Cli,
        per_day: 99,
        accounts: [0, 60, 40],
    },
    Habit {
        human: cast::BOB,
        tool: Tool::Console,
        per_day: 22,
        accounts: [0, 100, 0],
    },
    Habit {
        human: cast::CAROL,
        tool: Tool::Console,
        per_day: 44,
        accounts: [0, 70, 30],
    },
    Habit {
        human: cast::CAROL,
        tool: Tool::Cli,
        per_day: 28,
        accounts: [0, 60, 40],
    },
    Habit {
        human: cast::DAVE,
        tool: Tool::Cli,
        per_day: 44,
        accounts: [40, 30, 30],
    },
    Habit {
        human: cast::DAVE,
        tool: Tool::Console,
        per_day: 33,
        accounts: [100, 0, 0],
    },
    Habit {
        human: cast::ERIN,
        tool: Tool::Console,
        per_day: 44,
        accounts: [50, 50, 0],
    },
    Habit {
        human: cast::ERIN,
        tool: Tool::Cli,
        per_day: 33,
        accounts: [40, 40, 20],
    },
    Habit {
        human: cast::ERIN,
        tool: Tool::Terraform,
        per_day: 55,
        accounts: [0, 100, 0],
    },
];

const CLI_OPS: &[(O, u64)] = &[
    (O::GetCallerIdentity, 4),
    (O::ListBuckets, 5),
    (O::ListObjects, 7),
    (O::GetObject, 4),
    (O::PutObject, 2),
    (O::DescribeInstances, 6),
    (O::FilterLogEvents, 6),
    (O::GetFunction, 5),
    (O::ListFunctions, 3),
    (O::GetFunctionConfiguration, 3),
    (O::DescribeStacks, 5),
    (O::DescribeStackEvents, 2),
    (O::DescribeTable, 2),
    (O::GetQueueAttributes, 2),
    (O::GetParameter, 3),
    (O::GetRole, 2),
    (O::ListAttachedRolePolicies, 1),
    (O::DescribeSecurityGroups, 2),
    (O::GetMetricStatistics, 2),
    (O::GetAuthorizationToken, 2),
    (O::UpdateFunctionCode, 1),
    (O::DescribeLogGroups, 2),
    (O::GetParametersByPath, 1),
    (O::DescribeRepositories, 1),
];

const CONSOLE_OPS: &[(O, u64)] = &[
    (O::DescribeInstances, 6),
    (O::DescribeSecurityGroups, 3),
    (O::DescribeVpcs, 2),
    (O::DescribeSubnets, 2),
    (O::DescribeInstanceStatus, 3),
    (O::ListBuckets, 4),
    (O::GetBucketLocation, 3),
    (O::GetBucketPolicy, 2),
    (O::GetBucketAcl, 2),
    (O::GetBucketVersioning, 2),
    (O::ListObjects, 3),
    (O::ListFunctions, 4),
    (O::GetFunction, 3),
    (O::DescribeLogGroups, 3),
    (O::DescribeLogStreams, 2),
    (O::GetLogEvents, 3),
    (O::DescribeAlarms, 3),
    (O::GetMetricData, 6),
    (O::DescribeStacks, 3),
    (O::ListStacks, 2),
    (O::DescribeStackEvents, 2),
    (O::ListRoles, 1),
    (O::GetRole, 1),
    (O::DescribeTable, 2),
    (O::ListTables, 2),
    (O::ListQueues, 1),
    (O::GetCostAndUsage, 1),
    (O::DescribeImages, 1),
    (O::DescribeStackResources, 1),
    (O::DescribeRule, 1),
    (O::GetRestApis, 1),
    (O::DescribeKey, 1),
    (O::DescribeAutoScalingGroups, 1),
    (O::UpdateAutoScalingGroup, 1),
    (O::DescribeLoadBalancers, 2),
    (O::DescribeTargetHealth, 2),
];

fn region_share(region: u8) -> f64 {
    if region == USE1 { 0.85 } else { 0.15 }
}

/// Every person's activity in this job.
pub(super) fn people(g: &mut Gen<'_>, world: &World) {
    for (hi, h) in HABITS.iter().enumerate() {
        person(g, world, hi, h);
    }
}

fn person(g: &mut Gen<'_>, world: &World, hi: usize, h: &Habit) {
    let share = f64::from(h.accounts[g.acct as usize]) / 100.0 * region_share(g.region);
    if share == 0.0 {
        return;
    }
    // A person's working day can straddle midnight UTC: plan each local day
    // from its own seed, and keep the events that fall in this job's day.
    for ld in i64::from(g.day) - 1..=i64::from(g.day) + 1 {
        if ld < 0 || ld >= i64::from(g.plan.days) {
            continue;
        }
        let label =
            (hi as u64) << 40 | u64::from(g.acct) << 32 | u64::from(g.region) << 24 | ld as u64;
        let mut rng = Rng::new(mix(g.plan.seed ^ 0x9E0_91E0, label));
        let weekday = g.plan.weekday(ld as u32) < 5;
        person_day(g, world, h, share, ld, weekday, &mut rng);
    }
}

/// Events at scale for a person's weekday rate.
fn count(rng: &mut Rng, per_day: f64, weekday: bool, scale: u32) -> u64 {
    let f = if weekday { 1.0 } else { 0.04 };
    let x = per_day * f * f64::from(scale) * (0.75 + 0.5 * rng.f64());
    x.floor() as u64 + u64::from(rng.chance(x.fract()))
}

fn person_day(
    g: &mut Gen<'_>,
    world: &World,
    h: &Habit,
    share: f64,
    ld: i64,
    weekday: bool,
    rng: &mut Rng,
) {
    let human = h.human;
    let local0 = g.plan.start + ld * 86_400 - cast::offset_secs(human);
    if h.tool == Tool::Terraform {
        if g.region != USE1 {
            return;
        }
        let runs = count(
            rng,
            f64::from(h.per_day) / 100.0 * f64::from(h.accounts[g.acct as usize]) / 100.0,
            weekday,
            g.scale,
        );
        for _ in 0..runs {
            let mut t = local0 + 9 * 3600 + rng.below(8 * 3600) as i64;
            for (op, res, aux) in terraform_reads(world, g.acct, rng) {
                t += rng.below(2) as i64;
                let who = Who::Sso {
                    human,
                    console: false,
                };
                g.push_res(
                    t,
                    op,
                    who,
                    Ua::Terraform { build: 0 },
                    Err::None,
                    Truth::human(human, Case::HumanTerraform),
                    &res,
                    &aux,
                );
            }
        }
        return;
    }
    let n = count(rng, f64::from(h.per_day) * share, weekday, g.scale);
    let ops = if h.tool == Tool::Console {
        CONSOLE_OPS
    } else {
        CLI_OPS
    };
    let pick = Weighted::new(ops.iter().map(|o| o.1));
    let console = h.tool == Tool::Console;
    let perm = cast::perm_of(human, g.acct, console);
    let mut left = n;
    let mut burst = 0u64;
    while left > 0 {
        let size = left.min(6 + rng.below(20));
        left -= size;
        burst += 1;
        // Office hours with a lunch dip.
        let mut minute = 9 * 60 + rng.below(9 * 60) as i64;
        if (12 * 60..13 * 60).contains(&minute) && rng.chance(0.6) {
            minute += 60;
        }
        let mut t = local0 + minute * 60 + rng.below(60) as i64;
        let ua = match (console, HUMANS[human as usize].cli) {
            (true, _) => Ua::Console { human },
            (false, CliKind::Old(b)) => Ua::CliOld { build: b },
            (false, CliKind::New(b)) => Ua::Cli {
                build: b,
                agent: None,
                exec_env: false,
                sid: cast::sid(
                    human,
                    "tty",
                    ld as u64 * 1000 + u64::from(g.acct) * 100 + burst,
                ),
            },
        };
        let case = match ua {
            Ua::Console { .. } => Case::Console,
            Ua::CliOld { .. } => Case::HumanCliOld,
            _ => Case::HumanCli,
        };
        let who = Who::Sso { human, console };
        if console && burst == 1 && g.region == USE1 {
            g.push(
                t - 20,
                O::ConsoleLogin,
                who,
                Ua::Browser { human },
                Err::None,
                Truth::human(human, case),
            );
        }
        let mut k = 0;
        while k < size {
            let op = ops[pick.sample(rng)].0;
            let read_only_denied = !op.def().read_only() && perm == "ReadOnlyAccess";
            let err = if read_only_denied || rng.chance(0.015) {
                Err::AccessDenied
            } else if rng.chance(0.01) {
                Err::NotFound
            } else {
                Err::None
            };
            g.push(t, op, who, ua, err, Truth::human(human, case));
            k += 1;
            if console && k < size && rng.chance(0.6) {
                // A console page makes several calls at once.
                t += rng.below(2) as i64;
            } else {
                t += if console {
                    8 + rng.below(80)
                } else {
                    5 + rng.below(150)
                } as i64;
            }
        }
    }
}
