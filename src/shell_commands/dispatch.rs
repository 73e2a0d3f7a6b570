//! What each simple command really runs, and in which environment.
//!
//! Agents wrap the interesting program: `sudo -E env AWS_PROFILE=x timeout 60
//! aws ...`, `bash -lc '...'`, `xargs -n1 aws ...`, `uv run python x.py`,
//! heredocs fed to `bash`. This module peels those wrappers, keeps the
//! variables that decide region and profile (`AWS_PROFILE`, `AWS_REGION`,
//! `AWS_DEFAULT_REGION`, also from `export` earlier in the same script), reads
//! nested scripts recursively, and hands the program and its arguments to
//! [`aws_cli`] or [`tools`].

use super::aws_cli::{self, Site};
use super::shell::{self, SimpleCommand};
use super::{AwsInvocation, CommandContext, tools};

/// How deep `bash -c` / heredoc / `eval` nesting is followed.
const MAX_DEPTH: usize = 12;

/// Shell variables visible to a command, later entries winning.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: Vec<(String, String)>,
}

impl Env {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_string(), value.to_string()));
    }

    pub fn unset(&mut self, name: &str) {
        self.vars.retain(|(n, _)| n != name);
    }

    fn first(&self, names: &[&str]) -> Option<String> {
        names
            .iter()
            .find_map(|n| self.get(n))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
}

pub(super) fn analyse(cmd: &str, ctx: &CommandContext) -> Vec<AwsInvocation> {
    let mut a = Analyser {
        ctx,
        env: Env::default(),
        out: Vec::new(),
        depth: 0,
    };
    a.script(cmd);
    a.out
}

struct Analyser<'c> {
    ctx: &'c CommandContext,
    env: Env,
    out: Vec<AwsInvocation>,
    depth: usize,
}

/// `NAME=value` (or `NAME+=value`) at the start of a command.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let name = name.strip_suffix('+').unwrap_or(name);
    let mut chars = name.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    Some((name, value))
}

/// `/usr/local/bin/aws` → `aws`, `\aws` → `aws`, `aws.exe` → `aws`.
pub fn program_name(word: &str) -> &str {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let base = if base.is_empty() {
        word.trim_start_matches('\\')
    } else {
        base
    };
    base.strip_suffix(".exe").unwrap_or(base)
}

/// Whether text plausibly refers to AWS: the word `aws` (also in `AWS_PROFILE`,
/// `deploy-aws.sh`), boto3/botocore, an AWS endpoint, an `s3://` URL or an ARN.
pub fn mentions_aws(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if [
        "boto3",
        "botocore",
        "amazonaws.com",
        "s3://",
        "arn:aws",
        "aws-sdk",
        "@aws-sdk",
    ]
    .iter()
    .any(|p| lower.contains(p))
    {
        return true;
    }
    let b = lower.as_bytes();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("aws") {
        let at = from + pos;
        let before = at.checked_sub(1).map(|i| b[i]);
        let after = b.get(at + 3).copied();
        let boundary = |c: Option<u8>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        from = at + 3;
    }
    false
}

/// Skips options of a wrapper. `with_value` lists options that take the next
/// word as their value (`-u root`); anything else starting with `-` is one word.
fn skip_opts(words: &[String], mut i: usize, with_value: &[&str]) -> usize {
    while let Some(w) = words.get(i) {
        if w == "--" {
            return i + 1;
        }
        if !w.starts_with('-') || w == "-" {
            break;
        }
        i += if with_value.contains(&w.as_str()) {
            2
        } else {
            1
        };
    }
    i
}

impl Analyser<'_> {
    fn script(&mut self, text: &str) {
        let before = self.out.len();
        let parsed = shell::parse(text);
        for c in &parsed.commands {
            self.simple(c);
        }
        if !parsed.complete && self.out.len() == before && mentions_aws(text) {
            self.out.push(tools::unknown(
                "shell",
                text.trim(),
                &self.site(text.trim(), &self.env, None),
            ));
        }
    }

    /// Reads `text` as a script in a child shell: `local` variables apply,
    /// and nothing it exports outlives it.
    fn nested(&mut self, text: &str, local: &[(String, String)], raw: &str) {
        if self.depth >= MAX_DEPTH {
            if mentions_aws(text) {
                self.out.push(tools::unknown(
                    "shell",
                    raw,
                    &self.site(raw, &self.env, None),
                ));
            }
            return;
        }
        let saved = self.env.clone();
        for (k, v) in local {
            self.env.set(k, v);
        }
        self.depth += 1;
        self.script(text);
        self.depth -= 1;
        self.env = saved;
    }

    fn site<'r>(&self, raw: &'r str, env: &Env, vault_profile: Option<&str>) -> Site<'r> {
        Site {
            raw,
            region: env
                .first(&["AWS_REGION", "AWS_DEFAULT_REGION"])
                .or_else(|| self.ctx.env_region.clone()),
            profile: env
                .first(&["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
                .or_else(|| vault_profile.map(str::to_string))
                .or_else(|| self.ctx.env_profile.clone()),
        }
    }

    fn simple(&mut self, c: &SimpleCommand) {
        let words = &c.words;
        let mut local: Vec<(String, String)> = Vec::new();
        let mut vault_profile: Option<String> = None;
        let mut i = 0;
        loop {
            let Some(w) = words.get(i) else {
                // Only assignments: they set shell variables for what follows.
                for (k, v) in &local {
                    self.env.set(k, v);
                }
                return;
            };
            if let Some((k, v)) = assignment(w) {
                local.push((k.to_string(), v.to_string()));
                i += 1;
                continue;
            }
            let next = words.get(i + 1).map(String::as_str);
            match program_name(w) {
                "then" | "do" | "else" | "elif" | "if" | "while" | "until" | "!" | "{"
                | "nohup" | "exec" | "command" | "builtin" | "noglob" | "caffeinate" | "setsid"
                | "unbuffer" => i += 1,
                "time" => i = skip_opts(words, i + 1, &[]),
                "for" | "select" | "case" | "function" | "}" | "fi" | "done" | "esac" | "in"
                | "return" | "exit" | "break" | "continue" | "source" | "." | "cd" | "pushd"
                | "popd" | "set" | "shopt" | "trap" | "wait" => {
                    return;
                }
                "export" | "declare" | "typeset" | "local" | "readonly" => {
                    for arg in &words[i + 1..] {
                        if let Some((k, v)) = assignment(arg) {
                            self.env.set(k, v);
                        }
                    }
                    return;
                }
                "unset" => {
                    for arg in &words[i + 1..] {
                        self.env.unset(arg);
                    }
                    return;
                }
                "sudo" | "doas" => {
                    i = skip_opts(
                        words,
                        i + 1,
                        &[
                            "-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user",
                            "--group", "--prompt",
                        ],
                    )
                }
                "env" => {
                    i = skip_opts(
                        words,
                        i + 1,
                        &["-u", "-C", "--unset", "--chdir", "-S", "--split-string"],
                    );
                }
                "timeout" => {
                    i = skip_opts(words, i + 1, &["-s", "-k", "--signal", "--kill-after"]);
                    i += 1; // the duration
                }
                "nice" | "ionice" | "stdbuf" | "chrt" | "taskset" => {
                    i = skip_opts(
                        words,
                        i + 1,
                        &["-n", "-c", "-p", "-t", "-i", "-o", "-e", "--adjustment"],
                    );
                }
                "watch" => {
                    i = skip_opts(words, i + 1, &["-n", "--interval", "-d"]);
                    if words.len() == i + 1 {
                        // `watch 'aws ...'` runs its one argument through sh -c.
                        self.nested(&words[i], &local, &c.raw);
                        return;
                    }
                }
                "xargs" => {
                    i = skip_opts(
                        words,
                        i + 1,
                        &[
                            "-I",
                            "-n",
                            "-P",
                            "-L",
                            "-d",
                            "-E",
                            "-s",
                            "-a",
                            "--max-args",
                            "--max-procs",
                            "--delimiter",
                            "--arg-file",
                            "--replace",
                            "--max-lines",
                            "--eof",
                        ],
                    );
                }
                "aws-vault" => {
                    if next != Some("exec") {
                        return;
                    }
                    i = skip_opts(
                        words,
                        i + 2,
                        &["--duration", "-d", "--region", "--mfa-token", "-t"],
                    );
                    vault_profile = words.get(i).cloned();
                    i = skip_opts(
                        words,
                        i + 1,
                        &["--duration", "-d", "--region", "--mfa-token", "-t"],
                    );
                }
                "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" => {
                    if next != Some("run") {
                        return;
                    }
                    i = skip_opts(
                        words,
                        i + 2,
                        &[
                            "--with",
                            "-w",
                            "--python",
                            "-p",
                            "--project",
                            "--directory",
                            "--env-file",
                            "--package",
                            "--extra",
                            "--group",
                        ],
                    );
                }
                "npx" | "pnpx" | "bunx" | "uvx" => {
                    i = skip_opts(
                        words,
                        i + 1,
                        &["-p", "--package", "--from", "--with", "--python"],
                    );
                }
                "pipx" => {
                    if next != Some("run") {
                        return;
                    }
                    i = skip_opts(words, i + 2, &["--spec", "--python"]);
                }
                "pnpm" | "yarn" | "bun" if matches!(next, Some("dlx" | "exec" | "x")) => i += 2,
                "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "fish" => {
                    self.shell(words, i, c, &local);
                    return;
                }
                "ssh" => {
                    self.ssh(words, i, c);
                    return;
                }
                "find" => {
                    // find ... -exec cmd args {} \; (or +): cmd runs once per match.
                    let Some(x) = words.iter().position(|w| w == "-exec" || w == "-execdir") else {
                        return;
                    };
                    let end = words[x + 1..]
                        .iter()
                        .position(|w| w == ";" || w == "+")
                        .map_or(words.len(), |e| x + 1 + e);
                    let sub = SimpleCommand {
                        words: words[x + 1..end].to_vec(),
                        raw: c.raw.clone(),
                        stdin_bodies: Vec::new(),
                    };
                    self.simple(&sub);
                    return;
                }
                "eval" => {
                    self.nested(&words[i + 1..].join(" "), &local, &c.raw);
                    return;
                }
                _ => break,
            }
        }
        let Some(program) = words.get(i) else { return };
        let mut env = self.env.clone();
        for (k, v) in &local {
            env.set(k, v);
        }
        let site = self.site(&c.raw, &env, vault_profile.as_deref());
        let prog = program_name(program);
        let args = &words[i + 1..];
        match prog {
            "aws" | "aws2" | "awslocal" => self.out.push(aws_cli::analyse_cli(prog, args, &site)),
            _ => {
                let aws_env_prefix = local.iter().any(|(k, _)| k.starts_with("AWS_"));
                if let Some(inv) =
                    tools::analyse(prog, args, &c.stdin_bodies, &site, aws_env_prefix)
                {
                    self.out.push(inv);
                }
            }
        }
    }

    /// `ssh [opts] host command...`: the remote command is read as a script,
    /// without this machine's variables or the session's region and profile.
    fn ssh(&mut self, words: &[String], at: usize, c: &SimpleCommand) {
        let j = skip_opts(
            words,
            at + 1,
            &[
                "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o",
                "-p", "-Q", "-R", "-S", "-W", "-w", "-B", "-P",
            ],
        );
        let remote = &words[(j + 1).min(words.len())..];
        if remote.is_empty() || self.depth >= MAX_DEPTH {
            return;
        }
        let ctx = CommandContext::default();
        let mut sub = Analyser {
            ctx: &ctx,
            env: Env::default(),
            out: Vec::new(),
            depth: self.depth + 1,
        };
        sub.script(&remote.join(" "));
        if sub.out.is_empty() && c.stdin_bodies.iter().any(|b| mentions_aws(b)) {
            sub.out.push(tools::unknown(
                "ssh",
                &c.raw,
                &Site {
                    raw: &c.raw,
                    region: None,
                    profile: None,
                },
            ));
        }
        self.out.extend(sub.out);
    }

    /// `bash [-opts] -c 'script'`, `bash script.sh`, `bash <<EOF`.
    fn shell(
        &mut self,
        words: &[String],
        at: usize,
        c: &SimpleCommand,
        local: &[(String, String)],
    ) {
        let mut j = at + 1;
        let mut run_string = false;
        while let Some(w) = words.get(j) {
            if w == "--" {
                j += 1;
                break;
            }
            let is_opt = (w.starts_with('-') || w.starts_with('+')) && w.len() > 1;
            if !is_opt {
                break;
            }
            if w.starts_with("--") {
                if w == "--rcfile" || w == "--init-file" {
                    j += 1;
                }
            } else if w == "-o" || w == "+o" || w == "-O" || w == "+O" {
                j += 1;
            } else if w[1..].contains('c') {
                run_string = true;
            }
            j += 1;
        }
        if run_string {
            if let Some(script) = words.get(j) {
                self.nested(script, local, &c.raw);
            }
            return;
        }
        if words.get(j).is_some() {
            // A script file we cannot read.
            if mentions_aws(&words[j..].join(" "))
                || local.iter().any(|(k, _)| k.starts_with("AWS_"))
            {
                let mut env = self.env.clone();
                for (k, v) in local {
                    env.set(k, v);
                }
                let site = self.site(&c.raw, &env, None);
                self.out
                    .push(tools::unknown(program_name(&words[at]), &c.raw, &site));
            }
            return;
        }
        for body in &c.stdin_bodies {
            self.nested(body, local, &c.raw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AwsInvocation, CommandContext, Operation};
    use super::*;

    fn run(cmd: &str) -> Vec<AwsInvocation> {
        analyse(cmd, &CommandContext::default())
    }

    fn commands(invs: &[AwsInvocation]) -> Vec<String> {
        invs.iter()
            .map(|i| {
                i.cli_command
                    .clone()
                    .unwrap_or_else(|| format!("<{}>", i.tool))
            })
            .collect()
    }

    #[test]
    fn pipelines_lists_and_newlines() {
        let invs = run(
            "aws s3 ls | grep logs && aws sts get-caller-identity || echo fail; aws iam list-roles\naws ec2 describe-vpcs",
        );
        assert_eq!(
            commands(&invs),
            [
                "s3.ls",
                "sts.get-caller-identity",
                "iam.list-roles",
                "ec2.describe-vpcs"
            ]
        );
        assert_eq!(invs[1].raw, "aws sts get-caller-identity");
    }

    #[test]
    fn shell_wrappers_are_read_recursively() {
        let invs = run(r#"bash -lc 'cd infra && sh -c "aws s3 rb s3://old --force"'"#);
        assert_eq!(commands(&invs), ["s3.rb"]);
        assert!(invs[0].destructive_hint);
        assert_eq!(invs[0].raw, "aws s3 rb s3://old --force");
        let invs = run("zsh -ec 'aws s3 ls'");
        assert_eq!(commands(&invs), ["s3.ls"]);
        let invs = run("eval \"aws ec2 describe-instances\"");
        assert_eq!(commands(&invs), ["ec2.describe-instances"]);
    }

    #[test]
    fn env_prefixes_set_region_and_profile() {
        let invs = run("AWS_PROFILE=prod AWS_REGION=eu-west-1 aws s3 ls");
        assert_eq!(
            (invs[0].profile.as_deref(), invs[0].region.as_deref()),
            (Some("prod"), Some("eu-west-1"))
        );
        let invs =
            run("env -u FOO AWS_DEFAULT_REGION=us-west-2 AWS_PROFILE=x aws ec2 describe-instances");
        assert_eq!(
            (invs[0].profile.as_deref(), invs[0].region.as_deref()),
            (Some("x"), Some("us-west-2"))
        );
        let invs = run("export AWS_PROFILE=stage; aws s3 ls && unset AWS_PROFILE && aws s3 ls");
        assert_eq!(invs[0].profile.as_deref(), Some("stage"));
        assert_eq!(invs[1].profile, None);
        let invs = run("AWS_REGION=ap-south-1 bash -c 'aws s3 ls'; aws s3 ls");
        assert_eq!(invs[0].region.as_deref(), Some("ap-south-1"));
        assert_eq!(
            invs[1].region, None,
            "a prefix applies to its own command only"
        );
        let invs = run("AWS_REGION=us-east-2; aws s3 ls --region eu-central-1");
        assert_eq!(
            invs[0].region.as_deref(),
            Some("eu-central-1"),
            "--region beats the environment"
        );
    }

    #[test]
    fn context_fills_what_the_command_leaves_open() {
        let ctx = CommandContext {
            env_region: Some("us-east-1".into()),
            env_profile: Some("dev".into()),
        };
        let invs = analyse("aws s3 ls && AWS_PROFILE=ops aws s3 ls", &ctx);
        assert_eq!(
            (invs[0].profile.as_deref(), invs[0].region.as_deref()),
            (Some("dev"), Some("us-east-1"))
        );
        assert_eq!(invs[1].profile.as_deref(), Some("ops"));
    }

    #[test]
    fn sudo_time_timeout_nohup_xargs_watch() {
        let invs = run(
            "sudo -E -u deploy time -p timeout -s KILL 300 nohup aws ec2 stop-instances --instance-ids i-1",
        );
        assert_eq!(commands(&invs), ["ec2.stop-instances"]);
        let invs = run(
            "aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId' --output text | xargs -n 1 -P 4 aws ec2 terminate-instances --instance-ids",
        );
        assert_eq!(
            commands(&invs),
            ["ec2.describe-instances", "ec2.terminate-instances"]
        );
        assert!(invs[1].destructive_hint);
        let invs = run("watch -n 5 'aws ecs describe-services --cluster c --services s'");
        assert_eq!(commands(&invs), ["ecs.describe-services"]);
        let invs = run("aws-vault exec prod -- aws sts get-caller-identity");
        assert_eq!(invs[0].profile.as_deref(), Some("prod"));
    }

    #[test]
    fn subshells_and_loops() {
        let invs = run(
            "for b in $(aws s3api list-buckets --query 'Buckets[].Name' --output text); do aws s3 rb \"s3://$b\" --force; done",
        );
        assert_eq!(commands(&invs), ["s3api.list-buckets", "s3.rb"]);
        let invs = run(
            "ID=$(aws ec2 run-instances --image-id ami-1 --query 'Instances[0].InstanceId' --output text)",
        );
        assert_eq!(commands(&invs), ["ec2.run-instances"]);
        let invs = run(
            "if aws s3api head-bucket --bucket b 2>/dev/null; then echo yes; else aws s3 mb s3://b; fi",
        );
        assert_eq!(commands(&invs), ["s3api.head-bucket", "s3.mb"]);
    }

    #[test]
    fn heredoc_bodies_run_by_a_shell() {
        let invs = run("bash <<'EOF'\nset -e\naws s3 rm s3://b --recursive\naws s3 rb s3://b\nEOF");
        assert_eq!(commands(&invs), ["s3.rm", "s3.rb"]);
        // a heredoc written to a file is not run
        let invs = run("cat > deploy.sh <<EOF\naws s3 rb s3://b\nEOF");
        assert!(invs.is_empty());
        let invs = run("sh <<< 'aws sts get-caller-identity'");
        assert_eq!(commands(&invs), ["sts.get-caller-identity"]);
    }

    #[test]
    fn programs_that_do_not_touch_aws() {
        for cmd in [
            "ls -la ~/.aws",
            "git commit -m 'aws: add s3 bucket'",
            "grep -r aws src/",
            "cargo test",
            "cat ~/.aws/config",
            "echo 'aws s3 rb s3://x --force'",
            "pip install boto3",
            "npm install @aws-sdk/client-s3",
            "cd /tmp && make build",
            "kubectl get pods",
        ] {
            assert!(run(cmd).is_empty(), "{cmd}: {:?}", run(cmd));
        }
    }

    #[test]
    fn unreadable_but_mentions_aws_is_unknown() {
        let invs = run("./scripts/deploy-aws.sh --env prod");
        assert_eq!(invs.len(), 1);
        assert!(!invs[0].operations_known);
        let invs = run("aws s3 ls 's3://bucket");
        // the unterminated quote still yields the command it started
        assert_eq!(commands(&invs), ["s3.ls"]);
        let invs = run("bash -c \"aws s3 rb s3://b --force");
        assert_eq!(commands(&invs), ["s3.rb"]);
        let invs = run("AWS_PROFILE=prod ./release.sh");
        assert_eq!(invs.len(), 1);
        assert_eq!(invs[0].profile.as_deref(), Some("prod"));
        let invs =
            run("ssh -i key.pem ec2-user@host 'aws s3 ls s3://b && aws sts get-caller-identity'");
        assert_eq!(commands(&invs), ["s3.ls", "sts.get-caller-identity"]);
        let ctx = CommandContext {
            env_region: Some("us-east-1".into()),
            env_profile: None,
        };
        assert_eq!(
            analyse("ssh host aws s3 ls", &ctx)[0].region,
            None,
            "the remote host has its own config"
        );
        assert!(run("ssh host uptime").is_empty());
        let invs = run("find . -name '*.zip' -exec aws s3 cp {} s3://b/ \\;");
        assert_eq!(commands(&invs), ["s3.cp"]);
        let invs = run("bash deploy_aws.sh");
        assert!(invs.len() == 1 && !invs[0].operations_known);
    }

    #[test]
    fn full_paths_and_alias_escapes() {
        let invs = run("/usr/local/bin/aws sts get-caller-identity && \\aws s3 ls");
        assert_eq!(commands(&invs), ["sts.get-caller-identity", "s3.ls"]);
        assert_eq!(
            invs[0].operations,
            [Operation::new("sts.amazonaws.com", "GetCallerIdentity")]
        );
    }

    #[test]
    fn helpers() {
        assert!(
            mentions_aws("AWS_PROFILE=x")
                && mentions_aws("deploy-aws.sh")
                && mentions_aws("import boto3")
        );
        assert!(!mentions_aws("laws and paws") && !mentions_aws("awsome"));
        assert_eq!(program_name("/opt/homebrew/bin/aws"), "aws");
        assert_eq!(
            assignment("AWS_REGION=us-east-1"),
            Some(("AWS_REGION", "us-east-1"))
        );
        assert_eq!(assignment("--region=x"), None);
        assert_eq!(assignment("1X=2"), None);
    }
}
