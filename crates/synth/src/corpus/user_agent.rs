//! User-agent strings as the real tools write them: AWS CLI v2 (current and
//! legacy formats, with `m/` feature codes that may carry an AI agent's id),
//! boto3, the JS/Go/Java SDKs, Terraform, CDK, the SSM agent, Amazon Q, the
//! awslabs MCP server, the console and AWS services.
//!
//! A principal chooses its tools once (a developer's CLI version and laptop
//! OS do not change between calls), so each `Ua` keeps the fixed part of the
//! string and `write` appends the parts that vary per call: feature codes,
//! the CLI session id, the command, the SDK's `api/` token. Formats follow
//! section 2 of shared/research/agent-formats.md.

use crate::rng::Rng;

/// AWS CLI v2 releases with the awscrt and Python they bundle.
const CLI_RELEASES: &[(&str, &str, &str)] = &[
    ("2.15.30", "0.19.19", "3.11.8"),
    ("2.17.49", "0.21.2", "3.11.9"),
    ("2.22.35", "0.23.8", "3.12.6"),
    ("2.24.21", "0.23.8", "3.12.9"),
    ("2.27.50", "0.26.1", "3.13.4"),
    ("2.31.18", "0.27.6", "3.13.7"),
    ("2.32.0", "0.28.4", "3.13.9"),
];

/// (`os/` token, `md/arch#`, `md/distrib#`).
const CLI_PLATFORMS: &[(&str, &str, Option<&str>)] = &[
    ("os/macos#24.6.0", "arm64", None),
    ("os/macos#23.6.0", "arm64", None),
    ("os/macos#24.5.0", "x86_64", None),
    ("os/linux#6.8.0-1021-aws", "x86_64", Some("ubuntu.24")),
    ("os/linux#6.11.0-1015-azure", "x86_64", Some("ubuntu.24")),
    (
        "os/linux#5.15.167.4-microsoft-standard-WSL2",
        "x86_64",
        Some("ubuntu.22"),
    ),
    (
        "os/linux#6.1.115-126.197.amzn2023.x86_64",
        "x86_64",
        Some("amzn.2023"),
    ),
    ("os/windows#11", "AMD64", None),
];

/// Feature codes humans' CLI calls commonly carry (retry mode, paginator, …).
const FEATURE_CODES: &[&str] = &["E", "b", "Z", "C", "AA", "W", "g"];

/// The `m/` ids the research notes attribute to AI coding agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AgentCode {
    ClaudeCode,
    Codex,
    Kiro,
}

impl AgentCode {
    pub(crate) fn code(self) -> &'static str {
        match self {
            AgentCode::ClaudeCode => "AN",
            AgentCode::Codex => "AP",
            AgentCode::Kiro => "AQ",
        }
    }

    pub(crate) fn slug(self) -> &'static str {
        match self {
            AgentCode::ClaudeCode => "claude-code",
            AgentCode::Codex => "codex",
            AgentCode::Kiro => "kiro",
        }
    }

    pub(crate) const ALL: [AgentCode; 3] =
        [AgentCode::ClaudeCode, AgentCode::Codex, AgentCode::Kiro];
}

/// The fixed parts of one AWS CLI v2 install in the current format.
#[derive(Clone, Debug)]
pub(crate) struct CliBuild {
    /// `aws-cli/… md/pyimpl#CPython`.
    head: String,
    exec_env: Option<String>,
    installer: &'static str,
    distrib: Option<&'static str>,
    /// Releases before about 2.22 did not send `sid/`.
    sid: bool,
}

impl CliBuild {
    pub(crate) fn random(rng: &mut Rng, linux_only: bool) -> CliBuild {
        let (ver, crt, py) = *rng.pick(CLI_RELEASES);
        let plat = if linux_only {
            CLI_PLATFORMS[3 + rng.index(4)]
        } else {
            *rng.pick(CLI_PLATFORMS)
        };
        CliBuild::new(ver, crt, py, plat)
    }

    fn new(ver: &str, crt: &str, py: &str, plat: (&str, &str, Option<&'static str>)) -> CliBuild {
        let (os, arch, distrib) = plat;
        CliBuild {
            head: format!(
                "aws-cli/{ver} md/awscrt#{crt} ua/2.1 {os} md/arch#{arch} lang/python#{py} md/pyimpl#CPython"
            ),
            exec_env: None,
            installer: if ver.starts_with("2.1") && distrib.is_some() {
                "source"
            } else {
                "exe"
            },
            distrib,
            sid: !matches!(&ver[..4], "2.15" | "2.17"),
        }
    }

    pub(crate) fn with_exec_env(mut self, env: &str) -> CliBuild {
        self.exec_env = Some(env.to_string());
        self
    }
}

/// One tool a principal uses, with everything about it that stays fixed.
#[derive(Clone, Debug)]
pub(crate) enum Ua {
    /// AWS CLI v2, current format; `agent` puts that agent's code into `m/`
    /// on most calls.
    Cli {
        build: CliBuild,
        agent: Option<AgentCode>,
    },
    /// AWS CLI v2 before 2.13: `aws-cli/2.9.0 Python/3.9.11 Linux/… exe/… prompt/off command/s3.ls`.
    CliLegacy { head: String },
    /// boto3 (optionally with `exec-env/` and a `user_agent_extra` tail, as
    /// the awslabs MCP server sets it).
    Boto3 {
        head: String,
        retry: &'static str,
        tail: String,
    },
    /// An SDK whose string ends with the service's `api/<svc>#<ver>` token
    /// (JS v3, Go v2, Terraform provider 5), then an optional fixed tail.
    Sdk { head: String, tail: String },
    /// A string that never changes (Java SDK, SSM agent, old Terraform).
    Fixed(String),
    /// Calls made from the AWS console on the user's behalf.
    Console { browser: String },
    /// Sign-in pages and the access portal: the bare browser string.
    Browser(String),
    /// An AWS service acting for a principal (`cloudformation.amazonaws.com`).
    Service(&'static str),
}

/// What varies per call.
pub(crate) struct UaCall<'a> {
    /// CLI command lineage, e.g. `ec2.describe-instances`.
    pub cli: &'a str,
    /// SDK service id for `api/`, e.g. `ec2`.
    pub service: &'a str,
    /// CLI `sid/` value (12 hex), already chosen for the principal's session.
    pub sid: &'a str,
    /// The event is an S3 one: CloudTrail brackets S3 user agents.
    pub s3: bool,
}

const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15",
];

pub(crate) fn random_browser(rng: &mut Rng) -> String {
    rng.pick(BROWSERS).to_string()
}

const BOTO3: &[(&str, &str, &str)] = &[
    ("1.34.162", "1.34.162", "3.11.9"),
    ("1.35.36", "1.35.36", "3.12.6"),
    ("1.37.38", "1.37.38", "3.12.10"),
    ("1.40.49", "1.40.49", "3.13.7"),
];

const LINUX_KERNELS: &[&str] = &[
    "6.1.147-172.266.amzn2023.x86_64",
    "5.10.240-238.959.amzn2.x86_64",
    "6.8.0-1031-aws",
    "6.1.0-37-cloud-amd64",
];

/// boto3 as a script or service would send it.
pub(crate) fn boto3(rng: &mut Rng, exec_env: Option<&str>, tail: &str) -> Ua {
    let (b3, bc, py) = *rng.pick(BOTO3);
    let kernel = rng.pick(LINUX_KERNELS);
    let mut head = format!(
        "Boto3/{b3} md/Botocore#{bc} ua/2.1 os/linux#{kernel} md/arch#x86_64 lang/python#{py} md/pyimpl#CPython"
    );
    if let Some(env) = exec_env {
        head.push_str(" exec-env/");
        head.push_str(env);
    }
    let mut t = format!(" Botocore/{bc}");
    if !tail.is_empty() {
        t.push(' ');
        t.push_str(tail);
    }
    Ua::Boto3 {
        head,
        retry: if exec_env.is_some() {
            "legacy"
        } else {
            "standard"
        },
        tail: t,
    }
}

/// The awslabs aws-api-mcp-server, as its `user_agent_extra` renders.
pub(crate) fn mcp_server(rng: &mut Rng, client: &str) -> Ua {
    let ver = rng.pick(&["1.0.4", "1.1.2", "1.2.3"]);
    let tail = format!(
        "md/awslabs#mcp#aws-api-mcp-server#{ver} md/via/AWS-API-MCP MCPClient/{client} cfg/ro#0 cfg/consent#0 cfg/scripts#0 cfg/file-access#workdir"
    );
    boto3(rng, None, &tail)
}

pub(crate) fn sdk_js(rng: &mut Rng, exec_env: Option<&str>) -> Ua {
    let ver = rng.pick(&["3.693.0", "3.758.0", "3.901.0"]);
    let node = rng.pick(&["18.20.4", "20.18.0", "22.11.0"]);
    let kernel = rng.pick(LINUX_KERNELS);
    let mut head = format!("aws-sdk-js/{ver} ua/2.1 os/linux#{kernel} lang/js md/nodejs#{node}");
    if let Some(env) = exec_env {
        head.push_str(" exec-env/");
        head.push_str(env);
    }
    Ua::Sdk {
        head,
        tail: " m/E,N".to_string(),
    }
}

pub(crate) fn sdk_go(rng: &mut Rng, app_tail: &str) -> Ua {
    let ver = rng.pick(&["1.30.3", "1.32.6", "1.36.3"]);
    let go = rng.pick(&["1.22.7", "1.23.4", "1.24.2"]);
    Ua::Sdk {
        head: format!(
            "aws-sdk-go-v2/{ver} ua/2.1 os/linux lang/go#{go} md/GOOS#linux md/GOARCH#amd64"
        ),
        tail: if app_tail.is_empty() {
            " m/E".to_string()
        } else {
            format!(" m/E {app_tail}")
        },
    }
}

pub(crate) fn sdk_java(rng: &mut Rng, exec_env: &str) -> Ua {
    let ver = rng.pick(&["2.25.60", "2.29.6", "2.31.20"]);
    let kernel = rng.pick(LINUX_KERNELS);
    Ua::Fixed(format!(
        "aws-sdk-java/{ver} md/io#sync md/http#Apache ua/2.1 os/Linux#{kernel} lang/java#17.0.13 md/OpenJDK_64-Bit_Server_VM#17.0.13+11-LTS md/vendor#Amazon.com_Inc. md/en_US exec-env/{exec_env} m/D,N,e"
    ))
}

/// Terraform with provider 5 (aws-sdk-go-v2 tokens, `api/` per service) or
/// provider 4 (aws-sdk-go v1, fixed string).
pub(crate) fn terraform(rng: &mut Rng) -> Ua {
    let tf = rng.pick(&["1.5.6", "1.7.5", "1.9.8", "1.10.3"]);
    if rng.chance(0.2) {
        let provider = rng.pick(&["4.67.0", "4.45.0"]);
        return Ua::Fixed(format!(
            "APN/1.0 HashiCorp/1.0 Terraform/{tf} (+https://www.terraform.io) terraform-provider-aws/{provider} (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.261 (go1.19.8; linux; amd64)"
        ));
    }
    let provider = rng.pick(&["5.31.0", "5.80.0", "5.94.1"]);
    let sdk = rng.pick(&["1.24.0", "1.32.6", "1.36.3"]);
    let tail = if rng.chance(0.3) {
        " HashiCorp-terraform-exec/0.21.0".to_string()
    } else {
        String::new()
    };
    Ua::Sdk {
        head: format!(
            "APN/1.0 HashiCorp/1.0 Terraform/{tf} (+https://www.terraform.io) terraform-provider-aws/{provider} (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/{sdk} ua/2.1 os/linux lang/go#1.22.8 md/GOOS#linux md/GOARCH#amd64"
        ),
        tail,
    }
}

pub(crate) fn cdk(rng: &mut Rng) -> Ua {
    let cdk = rng.pick(&["2.170.0", "2.189.1", "2.214.0"]);
    let js = rng.pick(&["3.693.0", "3.758.0"]);
    Ua::Sdk {
        head: format!(
            "aws-cdk/{cdk} aws-sdk-js/{js} ua/2.1 os/linux#6.8.0-1021-aws lang/js md/nodejs#20.18.0"
        ),
        tail: " m/E,N".to_string(),
    }
}

pub(crate) fn ssm_agent(rng: &mut Rng) -> Ua {
    let ver = rng.pick(&["3.3.1142.0", "3.3.1611.0", "3.3.2299.0"]);
    Ua::Fixed(format!(
        "aws-sdk-go/1.44.260 (go1.22.7; linux; amd64) amazon-ssm-agent/{ver}"
    ))
}

pub(crate) fn cli_legacy(rng: &mut Rng) -> Ua {
    let (ver, py) = *rng.pick(&[
        ("2.9.0", "3.9.11"),
        ("2.7.20", "3.9.11"),
        ("2.11.6", "3.11.2"),
    ]);
    let (os, exe) = *rng.pick(&[
        ("Linux/5.15.0-1031-aws", "x86_64.ubuntu.22"),
        ("Linux/5.10.184-175.731.amzn2.x86_64", "x86_64.amzn.2"),
        ("Darwin/22.6.0", "x86_64"),
    ]);
    Ua::CliLegacy {
        head: format!("aws-cli/{ver} Python/{py} {os} exe/{exe} prompt/off"),
    }
}

pub(crate) fn cli_v1() -> Ua {
    Ua::Fixed(
        "aws-cli/1.33.20 md/Botocore#1.34.138 ua/2.0 os/linux#5.10.184-175.731.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.138"
            .to_string(),
    )
}

fn push_features(out: &mut String, rng: &mut Rng, agent: Option<AgentCode>) {
    let n = rng.range(1, 3) as usize;
    let mut codes: [&str; 4] = [""; 4];
    let mut len = 0;
    for _ in 0..n {
        let c = *rng.pick(FEATURE_CODES);
        if !codes[..len].contains(&c) {
            codes[len] = c;
            len += 1;
        }
    }
    if let Some(a) = agent {
        // Agents put their id among the feature codes, anywhere in the list.
        let at = rng.index(len + 1);
        codes.copy_within(at..len, at + 1);
        codes[at] = a.code();
        len += 1;
    }
    out.push_str(" m/");
    out.push_str(&codes[..len].join(","));
}

/// A plausible SDK module version for `api/<svc>#<ver>`.
fn api_version(service: &str) -> (u64, u64) {
    let h = xxhash_rust::xxh3::xxh3_64(service.as_bytes());
    (10 + h % 190, (h >> 16) % 12)
}

impl Ua {
    /// Appends this tool's user agent for one call to `out`.
    pub(crate) fn write(&self, out: &mut String, rng: &mut Rng, call: &UaCall<'_>) {
        let bracket = call.s3
            && matches!(
                self,
                Ua::Cli { .. } | Ua::CliLegacy { .. } | Ua::Boto3 { .. } | Ua::Sdk { .. }
            );
        if bracket {
            out.push('[');
        }
        match self {
            Ua::Cli { build, agent } => {
                out.push_str(&build.head);
                if let Some(env) = &build.exec_env {
                    out.push_str(" exec-env/");
                    out.push_str(env);
                }
                // The agent's code shows on most but not all of its calls
                // (older CLI builds, commands run outside the agent's shell).
                let agent = agent.filter(|_| rng.chance(0.85));
                if agent.is_some() || rng.chance(0.6) {
                    push_features(out, rng, agent);
                }
                out.push_str(" cfg/retry-mode#standard md/installer#");
                out.push_str(build.installer);
                if build.sid && !call.sid.is_empty() {
                    out.push_str(" sid/");
                    out.push_str(call.sid);
                }
                if let Some(d) = build.distrib {
                    out.push_str(" md/distrib#");
                    out.push_str(d);
                }
                out.push_str(" md/prompt#off md/command#");
                out.push_str(call.cli);
            }
            Ua::CliLegacy { head } => {
                out.push_str(head);
                out.push_str(" command/");
                out.push_str(call.cli);
            }
            Ua::Boto3 { head, retry, tail } => {
                out.push_str(head);
                if rng.chance(0.5) {
                    push_features(out, rng, None);
                }
                out.push_str(" cfg/retry-mode#");
                out.push_str(retry);
                out.push_str(tail);
            }
            Ua::Sdk { head, tail } => {
                out.push_str(head);
                let (minor, patch) = api_version(call.service);
                out.push_str(" api/");
                out.push_str(call.service);
                out.push_str(&format!("#1.{minor}.{patch}"));
                out.push_str(tail);
            }
            Ua::Fixed(s) => out.push_str(s),
            Ua::Console { browser } => {
                let x = rng.below(10);
                if call.s3 && x < 6 {
                    out.push_str("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.226-193.880.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]");
                } else if x < 5 {
                    out.push_str("AWS Internal");
                } else if x < 8 {
                    out.push_str("console.amazonaws.com");
                } else {
                    out.push_str(browser);
                }
            }
            Ua::Browser(s) => out.push_str(s),
            Ua::Service(s) => out.push_str(s),
        }
        if bracket {
            out.push(']');
        }
    }

    /// True for the console, whose calls carry `sessionCredentialFromConsole`.
    pub(crate) fn is_console(&self) -> bool {
        matches!(self, Ua::Console { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(ua: &Ua, seed: u64) -> String {
        let mut rng = Rng::new(seed);
        let mut s = String::new();
        let call = UaCall {
            cli: "ec2.describe-instances",
            service: "ec2",
            sid: "35033f4ca1bd",
            s3: false,
        };
        ua.write(&mut s, &mut rng, &call);
        s
    }

    #[test]
    fn cli_v2_has_the_documented_order() {
        let build = CliBuild::new(
            "2.32.0",
            "0.28.4",
            "3.13.9",
            ("os/macos#24.6.0", "arm64", None),
        );
        let ua = Ua::Cli {
            build,
            agent: Some(AgentCode::ClaudeCode),
        };
        let mut saw_agent = false;
        for seed in 0..50 {
            let s = render(&ua, seed);
            assert!(s.starts_with("aws-cli/2.32.0 md/awscrt#0.28.4 ua/2.1 os/macos#24.6.0 md/arch#arm64 lang/python#3.13.9 md/pyimpl#CPython"));
            assert!(
                s.ends_with(" sid/35033f4ca1bd md/prompt#off md/command#ec2.describe-instances"),
                "{s}"
            );
            saw_agent |= s.contains("m/")
                && s.split(' ')
                    .any(|p| p.starts_with("m/") && p[2..].split(',').any(|c| c == "AN"));
        }
        assert!(saw_agent);
    }

    #[test]
    fn legacy_cli_and_terraform_shapes() {
        let mut rng = Rng::new(5);
        let legacy = render(&cli_legacy(&mut rng), 1);
        assert!(
            legacy.starts_with("aws-cli/2.")
                && legacy.ends_with(" prompt/off command/ec2.describe-instances")
        );
        for seed in 0..20 {
            let mut rng = Rng::new(seed);
            let tf = render(&terraform(&mut rng), seed);
            assert!(tf.starts_with("APN/1.0 HashiCorp/1.0 Terraform/"), "{tf}");
        }
    }

    #[test]
    fn s3_user_agents_are_bracketed() {
        let mut rng = Rng::new(1);
        let ua = boto3(&mut rng, None, "");
        let mut s = String::new();
        let call = UaCall {
            cli: "s3.cp",
            service: "s3",
            sid: "",
            s3: true,
        };
        ua.write(&mut s, &mut rng, &call);
        assert!(s.starts_with("[Boto3/") && s.ends_with(']'), "{s}");
    }
}
