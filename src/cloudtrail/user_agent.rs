//! Splits a CloudTrail `userAgent` into the parts attribution reads.
//!
//! The AWS CLI v2 and botocore build their user agent from `name/value`
//! components (`md/command#s3.rm`, `m/b,AN,E`, `exec-env/…`, `app/…`,
//! `sid/…`); older CLI v2 builds wrote `command/s3.ls`. Anything can be
//! spoofed, so these are evidence, never proof, and nothing here trusts the
//! text beyond splitting it.

/// What the user agent says about the caller. Borrowed from the input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserAgent<'a> {
    pub client: Option<&'static str>,
    pub client_version: Option<&'a str>,
    pub cli_command: Option<&'a str>,
    pub feature_ids: Option<&'a str>,
    pub exec_env: Option<&'a str>,
    pub app_id: Option<&'a str>,
    pub cli_session: Option<&'a str>,
    pub mcp_server: Option<&'a str>,
}

impl<'a> UserAgent<'a> {
    /// The `m/` feature ids split at commas, empty ones skipped, each as
    /// written (the events table's `feature_ids` list).
    pub fn feature_id_list(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.feature_ids
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
    }
}

const SDK_PREFIXES: &[&str] = &[
    "aws-sdk-",
    "aws-sdk/",
    "aws-internal/",
    "AWSPowerShell",
    "aws-chalice/",
    "aws-cdk/",
    "Boto/",
];

/// `parse`, remembering the last few thousand distinct user agents parsed
/// on this thread: a trail repeats a client's user agent on every call of
/// a session, and a lookup costs a hash and a comparison where a parse
/// tried seven prefixes on every token (1.9 % of a 1M-event ingest).
pub fn parse_cached(ua: &str) -> UserAgent<'_> {
    CACHE.with_borrow_mut(|cache| {
        if let Some(spans) = cache.get(ua) {
            return spans.over(ua);
        }
        let parsed = parse(ua);
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(ua.into(), Spans::of(ua, &parsed));
        parsed
    })
}

/// Distinct user agents `parse_cached` keeps per thread (about 1 MiB).
const CACHE_ENTRIES: usize = 4096;

thread_local! {
    static CACHE: std::cell::RefCell<polars::prelude::PlHashMap<Box<str>, Spans>> =
        Default::default();
}

/// A parse as positions in the text it was made from, to make the same
/// parse over an equal text without parsing it.
#[derive(Clone, Copy)]
struct Spans {
    client: Option<&'static str>,
    /// `client_version`, `cli_command`, `feature_ids`, `exec_env`,
    /// `app_id`, `cli_session`, `mcp_server` as (start, end).
    fields: [Option<(u32, u32)>; 7],
}

impl Spans {
    fn of(ua: &str, p: &UserAgent<'_>) -> Spans {
        let base = ua.as_ptr() as usize;
        let span = |f: Option<&str>| {
            f.map(|f| {
                // Every field is a slice of `ua` (`parse` only trims and
                // splits it).
                let start = f.as_ptr() as usize - base;
                (start as u32, (start + f.len()) as u32)
            })
        };
        Spans {
            client: p.client,
            fields: [
                span(p.client_version),
                span(p.cli_command),
                span(p.feature_ids),
                span(p.exec_env),
                span(p.app_id),
                span(p.cli_session),
                span(p.mcp_server),
            ],
        }
    }

    fn over(self, ua: &str) -> UserAgent<'_> {
        let f = self
            .fields
            .map(|s| s.and_then(|(a, b)| ua.get(a as usize..b as usize)));
        UserAgent {
            client: self.client,
            client_version: f[0],
            cli_command: f[1],
            feature_ids: f[2],
            exec_env: f[3],
            app_id: f[4],
            cli_session: f[5],
            mcp_server: f[6],
        }
    }
}

pub fn parse(ua: &str) -> UserAgent<'_> {
    let mut out = UserAgent::default();
    let trimmed = ua.trim().trim_start_matches('[').trim_end_matches(']');
    if trimmed.is_empty() {
        return out;
    }
    let first = trimmed.split_ascii_whitespace().next().unwrap_or("");
    let (client, version) = classify(trimmed, first);
    out.client = Some(client);
    out.client_version = version;
    for token in trimmed.split_ascii_whitespace() {
        let token = token.trim_end_matches([',', ']', ')']);
        if let Some(v) = token.strip_prefix("md/command#") {
            out.cli_command = non_empty(v);
        } else if let Some(v) = token.strip_prefix("command/") {
            out.cli_command = out.cli_command.or(non_empty(v));
        } else if let Some(v) = token.strip_prefix("m/") {
            out.feature_ids = non_empty(v);
        } else if let Some(v) = token.strip_prefix("exec-env/") {
            out.exec_env = non_empty(v);
        } else if let Some(v) = token.strip_prefix("app/") {
            out.app_id = non_empty(v);
        } else if let Some(v) = token.strip_prefix("sid/") {
            out.cli_session = non_empty(v);
        } else if let Some(v) = token.strip_prefix("md/awslabs#mcp#") {
            out.mcp_server = non_empty(v.split('#').next().unwrap_or(""));
        }
    }
    out
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn version_after<'a>(token: &'a str, prefix: &str) -> Option<&'a str> {
    token
        .get(prefix.len()..)
        .filter(|_| token.len() > prefix.len())
}

fn classify<'a>(ua: &'a str, first: &'a str) -> (&'static str, Option<&'a str>) {
    if let Some(v) = first.strip_prefix("aws-cli/") {
        return ("aws-cli", non_empty(v));
    }
    if let Some(v) = first.strip_prefix("Boto3/") {
        return ("boto3", non_empty(v));
    }
    if first.starts_with("Botocore/") || first.starts_with("botocore/") {
        return ("boto3", version_after(first, "Botocore/"));
    }
    if ua.contains("Terraform/") || ua.contains("terraform-provider-aws") {
        let v = ua
            .split_ascii_whitespace()
            .find_map(|t| t.strip_prefix("Terraform/"));
        return ("terraform", v);
    }
    if first.starts_with("Mozilla/")
        || ua.contains("console.amazonaws.com")
        || ua.contains("console.aws.amazon.com")
        || ua == "signin.amazonaws.com"
        || ua.starts_with("S3Console/")
        || ua.contains("Console/")
    {
        return ("console", None);
    }
    if ua == "AWS Internal" || (ua.ends_with(".amazonaws.com") && !ua.contains(' ')) {
        return ("service", None);
    }
    if SDK_PREFIXES.iter().any(|p| first.starts_with(p)) {
        let v = first.split_once('/').map(|(_, v)| v).and_then(non_empty);
        return ("sdk", v);
    }
    ("other", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached parse of a text equals its parse, on a first sight, on a
    /// second (another copy of the text), and once the cache has been
    /// emptied for being full.
    #[test]
    fn a_cached_parse_is_the_parse_of_the_text_it_is_given() {
        let uas: Vec<String> = (0..CACHE_ENTRIES + 50)
            .map(|i| match i % 5 {
                0 => format!(
                    "aws-cli/2.{i} md/awscrt#0.28.4 ua/2.1 m/b,AN sid/s{i} md/command#s3.rm"
                ),
                1 => format!("[Boto3/1.{i} md/Botocore#1 exec-env/AWS_Lambda_python3.12 app/x{i}]"),
                2 => format!("APN/1.0 HashiCorp/1.0 Terraform/1.{i} (+https://www.terraform.io)"),
                3 => format!("aws-sdk-js/3.{i} ua/2.1 md/awslabs#mcp#server{i}#1.0 m/E"),
                _ => "  ".repeat(i % 3),
            })
            .collect();
        for round in 0..2 {
            for ua in &uas {
                let copy = ua.clone();
                assert_eq!(parse_cached(&copy), parse(ua), "round {round}: {ua:?}");
            }
        }
        let hit = "aws-cli/2.1 sid/abc md/command#ec2.describe-vpcs".to_string();
        let first = parse_cached(&hit).cli_session.map(str::to_string);
        let again = hit.clone();
        let second = parse_cached(&again);
        assert_eq!(second.cli_session.map(str::to_string), first);
        // The fields lie in the text given, not in the one first parsed.
        let range = again.as_bytes().as_ptr_range();
        assert!(range.contains(&second.cli_session.unwrap().as_ptr()));
    }

    #[test]
    fn cli_v2_new_format() {
        let ua = parse(
            "aws-cli/2.32.0 md/awscrt#0.28.4 ua/2.1 os/macos#24.6.0 md/arch#arm64 lang/python#3.13.9 \
             md/pyimpl#CPython m/b,AN,Z,E cfg/retry-mode#standard md/installer#exe sid/35033f4ca1bd \
             md/prompt#off md/command#ec2.terminate-instances",
        );
        assert_eq!(ua.client, Some("aws-cli"));
        assert_eq!(ua.client_version, Some("2.32.0"));
        assert_eq!(ua.cli_command, Some("ec2.terminate-instances"));
        assert_eq!(ua.feature_ids, Some("b,AN,Z,E"));
        assert_eq!(
            ua.feature_id_list().collect::<Vec<_>>(),
            ["b", "AN", "Z", "E"]
        );
        assert_eq!(ua.cli_session, Some("35033f4ca1bd"));
        assert_eq!(ua.exec_env, None);
    }

    #[test]
    fn cli_v2_legacy_format() {
        let ua = parse(
            "aws-cli/2.9.0 Python/3.9.11 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
        );
        assert_eq!(ua.client, Some("aws-cli"));
        assert_eq!(ua.cli_command, Some("s3.ls"));
        assert_eq!(ua.feature_ids, None);
        assert_eq!(ua.feature_id_list().count(), 0);
    }

    #[test]
    fn exec_env_app_and_mcp() {
        let ua = parse(
            "Boto3/1.40.1 md/Botocore#1.40.1 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.12.3 \
             exec-env/AmazonQ-For-CLI-Version-1.12.0 cfg/retry-mode#legacy app/claude-code \
             md/awslabs#mcp#aws-api-mcp-server#1.0.9 md/via/AWS-API-MCP",
        );
        assert_eq!(ua.client, Some("boto3"));
        assert_eq!(ua.client_version, Some("1.40.1"));
        assert_eq!(ua.exec_env, Some("AmazonQ-For-CLI-Version-1.12.0"));
        assert_eq!(ua.app_id, Some("claude-code"));
        assert_eq!(ua.mcp_server, Some("aws-api-mcp-server"));
    }

    #[test]
    fn other_clients() {
        let tf = parse(
            "APN/1.0 HashiCorp/1.0 Terraform/1.5.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 aws-sdk-go-v2/1.24.0",
        );
        assert_eq!(
            (tf.client, tf.client_version),
            (Some("terraform"), Some("1.5.6"))
        );
        assert_eq!(parse("console.amazonaws.com").client, Some("console"));
        assert_eq!(
            parse("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12]").client,
            Some("console")
        );
        assert_eq!(
            parse("Mozilla/5.0 (X11; Linux x86_64)").client,
            Some("console")
        );
        assert_eq!(
            parse("cloudformation.amazonaws.com").client,
            Some("service")
        );
        assert_eq!(parse("AWS Internal").client, Some("service"));
        assert_eq!(
            parse("aws-sdk-go/1.44.0 (go1.20; linux; amd64)").client,
            Some("sdk")
        );
        assert_eq!(parse("curl/8.0").client, Some("other"));
        assert_eq!(parse("").client, None);
        assert_eq!(parse("   ").client, None);
    }

    #[test]
    fn hostile_text_is_only_split() {
        let ua = parse("<script>alert(1)</script> m/ sid/ app/=cmd|' /A1");
        assert_eq!(ua.client, Some("other"));
        assert_eq!(ua.feature_ids, None);
        assert_eq!(ua.app_id, Some("=cmd|'"));
    }
}
