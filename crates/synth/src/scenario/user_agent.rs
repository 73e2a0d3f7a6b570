//! User agents as CloudTrail records them for each tool of the scenario:
//! AWS CLI v2 in the current format (with `m/` feature ids, where an AI
//! agent's id appears, `exec-env/` for Kiro / Amazon Q, and the `sid/` of
//! the terminal or agent shell), the pre-2.13 CLI format, Terraform's AWS
//! provider, the awslabs aws-api MCP server's boto3, application SDKs, the
//! console, and AWS services. Formats follow section 2 of
//! shared/research/agent-formats.md.

use crate::scenario::cast::Agent;
use crate::scenario::cast::{HUMANS, SERVICES};
use crate::scenario::ops::OpDef;
use crate::scenario::resources::WORKLOADS;

/// How a call's user agent is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ua {
    /// A console page, in the person's browser.
    Console {
        human: u8,
    },
    /// The sign-in page itself (the bare browser string).
    Browser {
        human: u8,
    },
    /// AWS CLI v2, current format; `sid` 0 means none.
    Cli {
        build: u8,
        agent: Option<Agent>,
        exec_env: bool,
        sid: u64,
    },
    /// AWS CLI before 2.13.
    CliOld {
        build: u8,
    },
    Terraform {
        build: u8,
    },
    /// The SAM CLI (boto3), with Kiro's `exec-env/` when run by Kiro.
    Sam {
        exec_env: bool,
    },
    /// boto3 inside the awslabs aws-api-mcp-server, called by Claude Code.
    Mcp,
    /// The managed AWS MCP Server: CloudTrail records
    /// `aws-mcp.amazonaws.com` as the user agent.
    AwsMcp,
    Workload {
        wl: u8,
    },
    /// The `configure-aws-credentials` GitHub Action (JS SDK v3).
    GhAction,
    /// An AWS service acting (`cloudformation.amazonaws.com`, …).
    Service {
        svc: u8,
    },
}

/// One AWS CLI v2 install: version, the awscrt and Python it bundles, the
/// `os/` token, architecture and `md/distrib#`.
#[derive(Debug)]
pub(crate) struct CliBuild {
    pub version: &'static str,
    pub crt: &'static str,
    pub python: &'static str,
    pub os: &'static str,
    pub arch: &'static str,
    pub distrib: Option<&'static str>,
}

/// alice's laptop, carol's, dave's, erin's, and the GitHub-hosted runner
/// the Copilot coding agent works on.
pub(crate) const CLI_BUILDS: [CliBuild; 5] = [
    CliBuild {
        version: "2.36.1",
        crt: "0.29.4",
        python: "3.13.9",
        os: "os/macos#25.1.0",
        arch: "arm64",
        distrib: None,
    },
    CliBuild {
        version: "2.35.30",
        crt: "0.29.2",
        python: "3.13.7",
        os: "os/linux#6.14.0-36-generic",
        arch: "x86_64",
        distrib: Some("ubuntu.24"),
    },
    CliBuild {
        version: "2.36.0",
        crt: "0.29.4",
        python: "3.13.9",
        os: "os/linux#6.8.0-88-generic",
        arch: "x86_64",
        distrib: Some("ubuntu.24"),
    },
    CliBuild {
        version: "2.32.7",
        crt: "0.28.4",
        python: "3.13.9",
        os: "os/macos#24.6.0",
        arch: "arm64",
        distrib: None,
    },
    CliBuild {
        version: "2.32.3",
        crt: "0.28.4",
        python: "3.13.9",
        os: "os/linux#6.11.0-1018-azure",
        arch: "x86_64",
        distrib: Some("ubuntu.24"),
    },
];
/// The runner's build in `CLI_BUILDS`.
pub(crate) const RUNNER_CLI: u8 = 4;

/// The old CLI's fixed head.
pub(crate) const CLI_OLD: [&str; 1] =
    ["aws-cli/2.9.0 Python/3.9.11 Linux/5.15.0-1031-aws exe/x86_64.ubuntu.22 prompt/off"];

/// Terraform with provider 5 (aws-sdk-go-v2): laptop (0), CI runner (1).
pub(crate) const TERRAFORM: [&str; 2] = [
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/macos lang/go#1.23.3 md/GOOS#darwin md/GOARCH#arm64",
    "APN/1.0 HashiCorp/1.0 Terraform/1.10.3 (+https://www.terraform.io) terraform-provider-aws/5.94.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.23.8 md/GOOS#linux md/GOARCH#amd64",
];

/// The Kiro CLI version its `AWS_EXECUTION_ENV` names.
pub(crate) const KIRO_VERSION: &str = "1.21.0";
pub(crate) const MCP_SERVER_VERSION: &str = "1.2.3";
pub(crate) const CLAUDE_VERSION: &str = "2.0.37";

pub(crate) const BROWSERS: [&str; 5] = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
];

const S3_CONSOLE: &str = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.226-193.880.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]";

/// Feature-id sets the CLI commonly sends.
const FEATURES: [&str; 4] = ["E", "E,b", "Z,E", "E,C"];

/// A plausible SDK module version for `api/<svc>#<ver>`.
fn api_version(service: &str) -> (u64, u64) {
    let h = xxhash_rust::xxh3::xxh3_64(service.as_bytes());
    (10 + h % 90, (h >> 16) % 12)
}

fn agent_code(a: Agent) -> &'static str {
    match a {
        Agent::ClaudeCode => "AN",
        Agent::Codex => "AP",
        Agent::Kiro => "AQ",
        Agent::CopilotCli => "AV",
        // These never run the CLI on a person's laptop.
        Agent::CopilotCoding | Agent::AwsMcp => "",
    }
}

impl Ua {
    /// True for console calls (`sessionCredentialFromConsole`).
    pub(crate) fn is_console(self) -> bool {
        matches!(self, Ua::Console { .. } | Ua::Browser { .. })
    }

    /// True when the caller is an AWS service (no TLS details recorded).
    pub(crate) fn is_service(self) -> bool {
        matches!(self, Ua::Service { .. } | Ua::AwsMcp)
    }

    /// Appends the user agent of one call. `pick` varies per call (feature
    /// ids); `cli` is the command lineage for `md/command#`.
    pub(crate) fn write(self, out: &mut String, op: &OpDef, cli: &str, pick: u64) {
        let s3 = op.prefix == "s3";
        let bracket = s3
            && matches!(
                self,
                Ua::Cli { .. }
                    | Ua::CliOld { .. }
                    | Ua::Terraform { .. }
                    | Ua::Sam { .. }
                    | Ua::Mcp
                    | Ua::Workload { .. }
            );
        if bracket {
            out.push('[');
        }
        match self {
            Ua::Console { human } => match op.prefix {
                "s3" => out.push_str(S3_CONSOLE),
                "iam" | "cloudformation" | "lambda" | "sts" | "ce" => out.push_str("AWS Internal"),
                "monitoring" | "logs" => out.push_str("console.amazonaws.com"),
                _ => out.push_str(BROWSERS[HUMANS[human as usize].browser as usize]),
            },
            Ua::Browser { human } => out.push_str(BROWSERS[HUMANS[human as usize].browser as usize]),
            Ua::Cli {
                build,
                agent,
                exec_env,
                sid,
            } => {
                let b = &CLI_BUILDS[build as usize];
                out.push_str("aws-cli/");
                out.push_str(b.version);
                out.push_str(" md/awscrt#");
                out.push_str(b.crt);
                out.push_str(" ua/2.1 ");
                out.push_str(b.os);
                out.push_str(" md/arch#");
                out.push_str(b.arch);
                out.push_str(" lang/python#");
                out.push_str(b.python);
                out.push_str(" md/pyimpl#CPython");
                if exec_env {
                    out.push_str(" exec-env/AmazonQ-For-CLI-Version-");
                    out.push_str(KIRO_VERSION);
                }
                out.push_str(" m/");
                out.push_str(FEATURES[(pick % FEATURES.len() as u64) as usize]);
                if let Some(a) = agent {
                    out.push(',');
                    out.push_str(agent_code(a));
                }
                out.push_str(" cfg/retry-mode#standard md/installer#exe");
                if sid != 0 {
                    out.push_str(&format!(" sid/{:012x}", sid & 0xFFFF_FFFF_FFFF));
                }
                if let Some(d) = b.distrib {
                    out.push_str(" md/distrib#");
                    out.push_str(d);
                }
                out.push_str(" md/prompt#off md/command#");
                out.push_str(cli);
            }
            Ua::CliOld { build } => {
                out.push_str(CLI_OLD[build as usize]);
                out.push_str(" command/");
                out.push_str(cli);
            }
            Ua::Terraform { build } => {
                out.push_str(TERRAFORM[build as usize]);
                let id = op.sdk_id();
                let (minor, patch) = api_version(id);
                out.push_str(&format!(" api/{id}#1.{minor}.{patch}"));
            }
            Ua::Sam { exec_env } => {
                out.push_str("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.1 os/linux#6.8.0-88-generic md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython");
                if exec_env {
                    out.push_str(" exec-env/AmazonQ-For-CLI-Version-");
                    out.push_str(KIRO_VERSION);
                }
                out.push_str(" cfg/retry-mode#legacy Botocore/1.35.36 aws-sam-cli/1.131.0");
            }
            Ua::Mcp => {
                out.push_str("Boto3/1.40.49 md/Botocore#1.40.49 ua/2.1 os/macos#24.6.0 md/arch#arm64 lang/python#3.13.7 md/pyimpl#CPython m/");
                out.push_str(if pick.is_multiple_of(2) { "E" } else { "E,b" });
                out.push_str(" cfg/retry-mode#standard Botocore/1.40.49 md/awslabs#mcp#aws-api-mcp-server#");
                out.push_str(MCP_SERVER_VERSION);
                out.push_str(" md/via/AWS-API-MCP MCPClient/claude-code#");
                out.push_str(CLAUDE_VERSION);
                out.push_str(" cfg/ro#0 cfg/consent#0 cfg/scripts#0");
            }
            Ua::Workload { wl } => match WORKLOADS[wl as usize].ua {
                0 => out.push_str("Boto3/1.34.145 md/Botocore#1.34.145 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145"),
                _ => {
                    let id = op.sdk_id();
                    out.push_str("aws-sdk-js/3.758.0 ua/2.1 os/linux#5.10.230-223.885.amzn2.x86_64 lang/js md/nodejs#20.18.0 exec-env/AWS_ECS_FARGATE api/");
                    out.push_str(id);
                    out.push_str("#3.758.0 m/E,N");
                }
            },
            Ua::AwsMcp => out.push_str(crate::scenario::cast::AWS_MCP),
            Ua::GhAction => out.push_str("aws-sdk-js/3.743.0 ua/2.1 os/linux#6.8.0-1017-azure lang/js md/nodejs#20.18.1 api/sts#3.743.0 m/E,N"),
            Ua::Service { svc } => out.push_str(SERVICES[svc as usize].principal),
        }
        if bracket {
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ops::O;

    fn render(ua: Ua, op: O, cli: &str) -> String {
        let mut s = String::new();
        ua.write(&mut s, op.def(), cli, 1);
        s
    }

    #[test]
    fn cli_shapes() {
        let new = render(
            Ua::Cli {
                build: 0,
                agent: Some(Agent::ClaudeCode),
                exec_env: false,
                sid: 0x35033f4ca1bd,
            },
            O::DescribeInstances,
            "ec2.describe-instances",
        );
        assert_eq!(
            new,
            "aws-cli/2.36.1 md/awscrt#0.29.4 ua/2.1 os/macos#25.1.0 md/arch#arm64 lang/python#3.13.9 md/pyimpl#CPython m/E,b,AN cfg/retry-mode#standard md/installer#exe sid/35033f4ca1bd md/prompt#off md/command#ec2.describe-instances"
        );
        let old = render(Ua::CliOld { build: 0 }, O::ListBuckets, "s3.ls");
        assert_eq!(
            old,
            "[aws-cli/2.9.0 Python/3.9.11 Linux/5.15.0-1031-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls]"
        );
        let kiro = render(
            Ua::Cli {
                build: 2,
                agent: Some(Agent::Kiro),
                exec_env: true,
                sid: 7,
            },
            O::DeleteStack,
            "cloudformation.delete-stack",
        );
        assert!(
            kiro.contains(" exec-env/AmazonQ-For-CLI-Version-1.21.0 m/E,b,AQ "),
            "{kiro}"
        );
        let mcp = render(Ua::Mcp, O::ListFunctions, "");
        assert!(mcp.contains("md/awslabs#mcp#aws-api-mcp-server#1.2.3 md/via/AWS-API-MCP"));
    }
}
