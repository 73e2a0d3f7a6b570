//! The AWS commands agents run, and the CloudTrail events each causes.
//!
//! A template builds one invocation of the AWS CLI (`AwsCmd`) — rendered as
//! a shell command for Claude Code and Codex, as a `use_aws` call for Kiro,
//! or as the `cli_command` of the aws-api MCP server — together with the
//! events it causes (`EvPlan`), its output and exit status. The event list
//! follows what the CLI really sends (`aws s3 rm --recursive` lists, then
//! deletes key by key; `aws logs tail` pages `FilterLogEvents`; a waiter
//! polls `Describe*`), which is also what `trailblame::shell_commands` expects: the
//! scenario's tests check every pairing against it.

use crate::rng::Rng;
use crate::scenario::cast::{ACCOUNTS, HUMANS, REGIONS};
use crate::scenario::ops::O;
use crate::scenario::resources::World;
use crate::scenario::spec::Err;

/// One event a command causes.
#[derive(Clone, Debug)]
pub(crate) struct EvPlan {
    pub op: O,
    pub acct: u8,
    pub region: u8,
    pub res: String,
    pub aux: String,
    pub err: Err,
    /// `md/command#` lineage.
    pub cli: String,
}

/// A structured `use_aws` call (Kiro / Amazon Q).
#[derive(Clone, Debug)]
pub(crate) struct UseAws {
    pub service: String,
    pub operation: String,
    /// Parameter names without `--`, in insertion order.
    pub params: Vec<(String, String)>,
    pub region: String,
    pub profile: Option<String>,
    pub label: String,
}

/// What running a command produces.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    /// The command as typed into a shell.
    pub command: String,
    /// The same call as `use_aws` arguments, when it is a single API call.
    pub structured: Option<UseAws>,
    /// The same call as the aws-api MCP server's `cli_command`.
    pub mcp_command: Option<String>,
    pub events: Vec<EvPlan>,
    pub output: String,
    pub exit: i32,
    /// Wall time of the command, milliseconds.
    pub exec_ms: i64,
    /// Short description (Claude's `description`).
    pub description: String,
}

/// Where a session's commands point.
#[derive(Clone, Debug)]
pub(crate) struct Env {
    pub human: u8,
    pub acct: u8,
    pub region: u8,
    /// Name of the CLI profile for each account (`None`: credentials from
    /// the environment).
    pub profiles: [Option<&'static str>; 3],
    /// Put the profile in `AWS_PROFILE=` before the command instead of `--profile`.
    pub env_prefix: bool,
}

/// One AWS CLI invocation.
#[derive(Clone, Debug)]
pub(crate) struct AwsCmd {
    pub service: &'static str,
    pub op: &'static str,
    pub args: Vec<(String, String)>,
    pub positional: Vec<String>,
    pub region: Option<u8>,
    pub pipe: Option<String>,
}

fn quote(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

impl AwsCmd {
    pub(crate) fn new(service: &'static str, op: &'static str) -> AwsCmd {
        AwsCmd {
            service,
            op,
            args: Vec::new(),
            positional: Vec::new(),
            region: None,
            pipe: None,
        }
    }

    pub(crate) fn arg(mut self, k: &str, v: &str) -> AwsCmd {
        self.args.push((k.to_string(), v.to_string()));
        self
    }

    pub(crate) fn flag(mut self, k: &str) -> AwsCmd {
        self.args.push((k.to_string(), String::new()));
        self
    }

    pub(crate) fn pos(mut self, v: &str) -> AwsCmd {
        self.positional.push(v.to_string());
        self
    }

    pub(crate) fn region(mut self, r: u8) -> AwsCmd {
        self.region = Some(r);
        self
    }

    pub(crate) fn pipe(mut self, p: &str) -> AwsCmd {
        self.pipe = Some(p.to_string());
        self
    }

    /// `md/command#` lineage.
    pub(crate) fn lineage(&self) -> String {
        format!("{}.{}", self.service, self.op)
    }

    /// The shell command, with the session's profile.
    pub(crate) fn shell(&self, env: &Env) -> String {
        let profile = env.profiles[env.acct as usize];
        let mut s = String::new();
        if let (Some(p), true) = (profile, env.env_prefix) {
            s.push_str("AWS_PROFILE=");
            s.push_str(p);
            s.push(' ');
        }
        s.push_str("aws ");
        s.push_str(self.service);
        s.push(' ');
        s.push_str(self.op);
        for p in &self.positional {
            s.push(' ');
            s.push_str(&quote(p));
        }
        for (k, v) in &self.args {
            s.push_str(" --");
            s.push_str(k);
            if !v.is_empty() {
                s.push(' ');
                s.push_str(&quote(v));
            }
        }
        if let Some(r) = self.region {
            s.push_str(" --region ");
            s.push_str(REGIONS[r as usize]);
        }
        if let (Some(p), false) = (profile, env.env_prefix) {
            s.push_str(" --profile ");
            s.push_str(p);
        }
        if let Some(p) = &self.pipe {
            s.push_str(" | ");
            s.push_str(p);
        }
        s
    }

    /// The MCP server's `cli_command` (no profile, no pipe).
    pub(crate) fn mcp(&self, env: &Env) -> String {
        let mut c = self.clone();
        c.pipe = None;
        c.region = Some(c.region.unwrap_or(env.region));
        let bare = Env {
            profiles: [None; 3],
            ..env.clone()
        };
        c.shell(&bare)
    }

    /// The call as `use_aws` arguments.
    pub(crate) fn use_aws(&self, env: &Env, label: &str) -> UseAws {
        UseAws {
            service: self.service.to_string(),
            operation: self.op.to_string(),
            params: self.args.clone(),
            region: REGIONS[self.region.unwrap_or(env.region) as usize].to_string(),
            profile: env.profiles[env.acct as usize].map(str::to_string),
            label: label.to_string(),
        }
    }
}

/// Builds the `Planned` of a single API call that succeeds or fails with `err`.
pub(crate) struct One<'a> {
    pub env: &'a Env,
    pub cmd: AwsCmd,
    pub op: O,
    pub res: String,
    pub aux: String,
    pub err: Err,
    pub output: String,
    pub description: &'a str,
}

pub(crate) fn single(rng: &mut Rng, o: One<'_>) -> Planned {
    let region = o.cmd.region.unwrap_or(o.env.region);
    let region = if o.op.def().global() { 0 } else { region };
    let lineage = o.cmd.lineage();
    let (exit, output) = match o.err {
        Err::None => (0, o.output),
        e => (254, cli_error(o.env, o.op, e, &o.res)),
    };
    Planned {
        command: o.cmd.shell(o.env),
        structured: o
            .cmd
            .positional
            .is_empty()
            .then(|| o.cmd.use_aws(o.env, o.description)),
        mcp_command: o.cmd.positional.is_empty().then(|| o.cmd.mcp(o.env)),
        events: vec![EvPlan {
            op: o.op,
            acct: o.env.acct,
            region,
            res: o.res,
            aux: o.aux,
            err: o.err,
            cli: lineage,
        }],
        output,
        exit,
        exec_ms: 700 + rng.below(1800) as i64,
        description: o.description.to_string(),
    }
}

/// One event of a command in the session's account and region.
pub(crate) fn ev(env: &Env, op: O, res: &str, aux: &str, err: Err, cli: &str) -> EvPlan {
    EvPlan {
        op,
        acct: env.acct,
        region: if op.def().global() { 0 } else { env.region },
        res: res.to_string(),
        aux: aux.to_string(),
        err,
        cli: cli.to_string(),
    }
}

/// A command that is not a single API call.
pub(crate) fn fanout(
    command: String,
    events: Vec<EvPlan>,
    output: String,
    exec_ms: i64,
    d: &str,
) -> Planned {
    Planned {
        command,
        structured: None,
        mcp_command: None,
        events,
        output,
        exit: 0,
        exec_ms,
        description: d.to_string(),
    }
}

/// What the CLI prints for a service error.
pub(crate) fn cli_error(env: &Env, op: O, err: Err, res: &str) -> String {
    let name = op.def().action();
    let acct = ACCOUNTS[env.acct as usize].id;
    let h = &HUMANS[env.human as usize];
    match err {
        Err::AccessDenied => format!(
            "\nAn error occurred (AccessDenied) when calling the {name} operation: User: arn:aws:sts::{acct}:assumed-role/…/{} is not authorized to perform: {}:{name} on resource: {res} because no identity-based policy allows the {}:{name} action\n",
            h.email,
            op.def().prefix,
            op.def().prefix
        ),
        Err::DryRun => format!(
            "\nAn error occurred (DryRunOperation) when calling the {name} operation: Request would have succeeded, but DryRun flag is set.\n"
        ),
        Err::NotFound => format!(
            "\nAn error occurred (ResourceNotFoundException) when calling the {name} operation: Function not found: arn:aws:lambda:{}:{acct}:function:{res}\n",
            REGIONS[env.region as usize]
        ),
        _ => format!("\nAn error occurred when calling the {name} operation\n"),
    }
}

/// A command that fails before any request is sent (exit 255, no event).
pub(crate) fn no_credentials(rng: &mut Rng, env: &Env, cmd: AwsCmd) -> Planned {
    let output = if rng.chance(0.5) {
        "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n"
    } else {
        "\nError when retrieving token from sso: Token has expired and refresh failed\n"
    };
    Planned {
        command: cmd.shell(env),
        structured: None,
        mcp_command: None,
        events: Vec::new(),
        output: output.to_string(),
        exit: 255,
        exec_ms: 300 + rng.below(600) as i64,
        description: "Check AWS access".to_string(),
    }
}

/// Names of the resources a session works on.
pub(crate) struct Target<'w> {
    pub world: &'w World,
    pub acct: u8,
}

impl Target<'_> {
    pub(crate) fn function(&self, rng: &mut Rng) -> String {
        let f = &self.world.acct(self.acct).functions;
        f[rng.index(2.min(f.len()))].clone()
    }
    pub(crate) fn bucket(&self, rng: &mut Rng) -> String {
        let b = &self.world.acct(self.acct).buckets;
        b[rng.index(b.len())].clone()
    }
    pub(crate) fn stack(&self, rng: &mut Rng) -> String {
        let s = &self.world.acct(self.acct).stacks;
        s[rng.index(2.min(s.len()))].clone()
    }
    pub(crate) fn table(&self) -> String {
        self.world.acct(self.acct).tables[0].clone()
    }
    pub(crate) fn queue(&self) -> String {
        self.world.acct(self.acct).queues[0].clone()
    }
    pub(crate) fn sg(&self) -> String {
        self.world.acct(self.acct).sgs[0].0.clone()
    }
    pub(crate) fn subnet(&self) -> String {
        self.world.acct(self.acct).subnets[0].clone()
    }
    pub(crate) fn role(&self, rng: &mut Rng) -> String {
        let r = &self.world.acct(self.acct).roles;
        r[rng.index(2.min(r.len()))].clone()
    }
    pub(crate) fn param(&self) -> String {
        self.world.acct(self.acct).params[0].clone()
    }
    pub(crate) fn secret(&self) -> String {
        self.world.acct(self.acct).secrets[0].clone()
    }
}
