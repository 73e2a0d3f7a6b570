//! The embedded AWS operation catalog: which CloudTrail event a CLI command causes.
//!
//! `catalogs/aws_operations.tsv.gz` is generated from botocore's service models
//! by `scripts/gen_aws_operations.py` (see `catalogs/README.md`): one row per
//! `aws <service> <operation>` with the `eventSource`, `eventName` and IAM
//! prefix CloudTrail will show. It is embedded in the binary, inflated and
//! indexed on first use, and validated as it is read: a bad line is an error
//! naming the file and line, raised by [`catalog`] (call it at start-up).
//!
//! The inflated text (about 2.4 MB) is leaked once so rows can hand out
//! `&'static str` without copying ~20,000 rows of strings.

use anyhow::{Context, Result, anyhow, bail};
use polars::prelude::{PlHashMap, PlHashSet};
use std::sync::OnceLock;

use super::Operation;

const OPERATIONS_GZ: &[u8] = include_bytes!("../../catalogs/aws_operations.tsv.gz");
const OPERATIONS_NAME: &str = "catalogs/aws_operations.tsv.gz";
const OPERATIONS_HEADER: &str = "cli_service\tcli_operation\tevent_source\tevent_name\tiam_prefix\tread_only\talt_event_names\tbotocore_service\tevent_source_basis";

const WAITERS: &str = include_str!("../../catalogs/aws_waiters.tsv");
const WAITERS_NAME: &str = "catalogs/aws_waiters.tsv";
const WAITERS_HEADER: &str = "cli_service\twaiter\tevent_source\tevent_name\tbotocore_service";

/// One `aws <cli_service> <cli_operation>` command and the API call it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRow {
    /// Name typed after `aws` (`s3api`, `ec2`, `configservice`).
    pub cli_service: &'static str,
    /// Kebab-case operation (`describe-db-instances`).
    pub cli_operation: &'static str,
    /// CloudTrail `eventSource` (`rds.amazonaws.com`).
    pub event_source: &'static str,
    /// CloudTrail `eventName` (`DescribeDBInstances`).
    pub event_name: &'static str,
    /// IAM service prefix (`rds`; `cloudwatch` for `monitoring.amazonaws.com`).
    pub iam_prefix: &'static str,
    /// Guess from the operation name (Get/List/Describe/...).
    pub read_only: bool,
    /// Other event names CloudTrail has used for this call, comma separated
    /// (`CreateFunction20150331`), possibly empty.
    pub alt_event_names: &'static str,
    /// botocore's service name (`s3` for the `s3api` command).
    pub botocore_service: &'static str,
}

impl OperationRow {
    pub fn operation(&self) -> Operation {
        Operation {
            event_source: self.event_source.to_string(),
            event_name: self.event_name.to_string(),
        }
    }

    pub fn alt_event_names(&self) -> impl Iterator<Item = &'static str> {
        self.alt_event_names.split(',').filter(|s| !s.is_empty())
    }
}

/// `aws <cli_service> wait <waiter>`: the operation the waiter polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiterRow {
    pub cli_service: &'static str,
    pub waiter: &'static str,
    pub event_source: &'static str,
    pub event_name: &'static str,
}

/// The parsed, indexed catalog.
pub struct Catalog {
    rows: Vec<OperationRow>,
    by_cli: PlHashMap<(&'static str, &'static str), usize>,
    by_event: PlHashMap<(&'static str, &'static str), usize>,
    iam_by_source: PlHashMap<&'static str, &'static str>,
    waiters: Vec<WaiterRow>,
    waiter_index: PlHashMap<(&'static str, &'static str), usize>,
    /// (event_source, event_name) of every operation a waiter polls.
    waiter_ops: PlHashSet<(&'static str, &'static str)>,
    services: PlHashMap<&'static str, &'static str>,
}

impl Catalog {
    pub fn rows(&self) -> &[OperationRow] {
        &self.rows
    }

    /// Exact CLI lookup: `("rds", "describe-db-instances")`.
    pub fn by_cli(&self, cli_service: &str, cli_operation: &str) -> Option<&OperationRow> {
        self.by_cli
            .get(&(cli_service, cli_operation))
            .map(|&i| &self.rows[i])
    }

    /// Lookup by API name under a CLI or botocore service name:
    /// `("s3", "ListBuckets")` or `("s3api", "ListBuckets")`.
    pub fn by_event_name(&self, service: &str, event_name: &str) -> Option<&OperationRow> {
        self.by_event
            .get(&(service, event_name))
            .map(|&i| &self.rows[i])
    }

    pub fn iam_prefix(&self, event_source: &str) -> Option<&'static str> {
        self.iam_by_source.get(event_source).copied()
    }

    pub fn waiter(&self, cli_service: &str, waiter: &str) -> Option<&WaiterRow> {
        self.waiter_index
            .get(&(cli_service, waiter))
            .map(|&i| &self.waiters[i])
    }

    /// True when some `aws … wait …` waiter polls this operation
    /// (`("cloudformation.amazonaws.com", "DescribeStacks")`).
    pub fn polled_by_waiter(&self, event_source: &str, event_name: &str) -> bool {
        self.waiter_ops.contains(&(event_source, event_name))
    }

    /// The CLI name for a botocore or CLI service name (`s3` → `s3api`,
    /// `codedeploy` → `deploy`, `ec2` → `ec2`).
    pub fn cli_service_for(&self, name: &str) -> Option<&'static str> {
        self.services.get(name).copied()
    }

    /// True when `name` is a CLI service name (the word typed after `aws`).
    pub fn is_cli_service(&self, name: &str) -> bool {
        self.services.get(name).is_some_and(|cli| *cli == name)
    }
}

/// The embedded catalog, validated on first use. Call at start-up so a broken
/// catalog fails before any input is read.
pub fn catalog() -> Result<&'static Catalog> {
    static CELL: OnceLock<std::result::Result<Catalog, String>> = OnceLock::new();
    CELL.get_or_init(|| load().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
        .context("loading the embedded AWS operation catalog")
}

fn load() -> Result<Catalog> {
    let text = crate::tsv::inflate(OPERATIONS_GZ)
        .with_context(|| format!("{OPERATIONS_NAME}: cannot inflate"))?;
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut catalog = parse_operations(text, OPERATIONS_NAME)?;
    catalog.waiters = parse_waiters(WAITERS, WAITERS_NAME)?;
    catalog.waiter_index = catalog
        .waiters
        .iter()
        .enumerate()
        .map(|(i, w)| ((w.cli_service, w.waiter), i))
        .collect();
    catalog.waiter_ops = catalog
        .waiters
        .iter()
        .map(|w| (w.event_source, w.event_name))
        .collect();
    Ok(catalog)
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

fn parse_operations(text: &'static str, name: &str) -> Result<Catalog> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h == OPERATIONS_HEADER => {}
        Some((_, h)) => bail!("{name}:1: unexpected header {h:?}, want {OPERATIONS_HEADER:?}"),
        None => bail!("{name}: empty"),
    }
    let mut c = Catalog {
        rows: Vec::with_capacity(20_000),
        by_cli: PlHashMap::with_capacity_and_hasher(20_000, Default::default()),
        by_event: PlHashMap::with_capacity_and_hasher(40_000, Default::default()),
        iam_by_source: PlHashMap::default(),
        waiters: Vec::new(),
        waiter_index: PlHashMap::default(),
        waiter_ops: Default::default(),
        services: PlHashMap::default(),
    };
    for (n, line) in lines {
        let at = || format!("{name}:{}", n + 1);
        let f: [&'static str; 9] = crate::tsv::fields(line)
            .map_err(|n| anyhow!("{}: expected 9 tab-separated columns, found {n}", at()))?;
        for (i, col) in f.iter().enumerate() {
            // alt_event_names (6) may be empty; everything else is one token.
            let optional_empty = i == 6 && col.is_empty();
            if !optional_empty && !is_token(col) {
                bail!("{}: column {} is empty or has spaces: {col:?}", at(), i + 1);
            }
        }
        if !f[2].ends_with(".amazonaws.com") {
            bail!(
                "{}: event_source {:?} does not end in .amazonaws.com",
                at(),
                f[2]
            );
        }
        if !f[3].starts_with(|c: char| c.is_ascii_uppercase()) {
            bail!(
                "{}: event_name {:?} is not an API operation name",
                at(),
                f[3]
            );
        }
        let read_only = match f[5] {
            "true" => true,
            "false" => false,
            other => bail!("{}: read_only {other:?} is not true/false", at()),
        };
        if !matches!(f[8], "signing_name" | "endpoint_prefix" | "override") {
            bail!("{}: unknown event_source_basis {:?}", at(), f[8]);
        }
        let row = OperationRow {
            cli_service: f[0],
            cli_operation: f[1],
            event_source: f[2],
            event_name: f[3],
            iam_prefix: f[4],
            read_only,
            alt_event_names: f[6],
            botocore_service: f[7],
        };
        let i = c.rows.len();
        if c.by_cli
            .insert((row.cli_service, row.cli_operation), i)
            .is_some()
        {
            bail!(
                "{}: duplicate command {} {}",
                at(),
                row.cli_service,
                row.cli_operation
            );
        }
        // Hidden CLI aliases repeat an event name; the first (sorted) row wins.
        c.by_event
            .entry((row.cli_service, row.event_name))
            .or_insert(i);
        c.by_event
            .entry((row.botocore_service, row.event_name))
            .or_insert(i);
        match c.iam_by_source.get(row.event_source) {
            Some(p) if *p != row.iam_prefix => bail!(
                "{}: event source {} maps to IAM prefix {} here and {p} earlier",
                at(),
                row.event_source,
                row.iam_prefix
            ),
            _ => {
                c.iam_by_source.insert(row.event_source, row.iam_prefix);
            }
        }
        c.services.insert(row.cli_service, row.cli_service);
        c.services
            .entry(row.botocore_service)
            .or_insert(row.cli_service);
        c.rows.push(row);
    }
    if c.rows.is_empty() {
        bail!("{name}: no rows");
    }
    Ok(c)
}

fn parse_waiters(text: &'static str, name: &str) -> Result<Vec<WaiterRow>> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h == WAITERS_HEADER => {}
        Some((_, h)) => bail!("{name}:1: unexpected header {h:?}, want {WAITERS_HEADER:?}"),
        None => bail!("{name}: empty"),
    }
    let mut out: Vec<WaiterRow> = Vec::new();
    let mut seen = PlHashSet::default();
    for (n, line) in lines {
        let at = || format!("{name}:{}", n + 1);
        let f: [&'static str; 5] = match crate::tsv::fields(line) {
            Ok(f) if f.iter().all(|c| is_token(c)) => f,
            _ => bail!("{}: expected 5 tab-separated non-empty columns", at()),
        };
        if !seen.insert((f[0], f[1])) {
            bail!("{}: duplicate waiter {} {}", at(), f[0], f[1]);
        }
        out.push(WaiterRow {
            cli_service: f[0],
            waiter: f[1],
            event_source: f[2],
            event_name: f[3],
        });
    }
    Ok(out)
}

/// The event name two records of the same call share: the API-version
/// suffix removed for services that log one, Lambda
/// (`CreateFunction20150331`, `UpdateFunctionCode20150331v2`) and CloudFront
/// (`UpdateDistribution2020_05_31`); and S3's `ListObjectsV2` folded into
/// `ListObjects`, the name CloudTrail logs for both (the `list-type`
/// parameter tells them apart). Other names come back as is.
pub fn normalise_event_name<'a>(event_source: &str, event_name: &'a str) -> &'a str {
    match event_source {
        "lambda.amazonaws.com" => strip_lambda_suffix(event_name),
        "cloudfront.amazonaws.com" => strip_cloudfront_suffix(event_name),
        "s3.amazonaws.com" if event_name == "ListObjectsV2" => "ListObjects",
        _ => event_name,
    }
}

fn strip_lambda_suffix(name: &str) -> &str {
    let b = name.as_bytes();
    let mut end = b.len();
    // optional v<digits>
    if let Some(v) = name.rfind('v')
        && v + 1 < b.len()
        && b[v + 1..].iter().all(u8::is_ascii_digit)
    {
        end = v;
    }
    // YYYYMMDD starting with 20, after a letter
    if end > 8 {
        let date = &b[end - 8..end];
        if date.iter().all(u8::is_ascii_digit)
            && date.starts_with(b"20")
            && b[end - 9].is_ascii_alphabetic()
        {
            return &name[..end - 8];
        }
    }
    name
}

fn strip_cloudfront_suffix(name: &str) -> &str {
    let b = name.as_bytes();
    if b.len() > 10 {
        let tail = &b[b.len() - 10..];
        let shape = tail.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'_'
            } else {
                c.is_ascii_digit()
            }
        });
        if shape {
            return &name[..name.len() - 10];
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_is_valid() {
        let c = catalog().unwrap();
        assert!(c.rows().len() > 15_000, "only {} rows", c.rows().len());
        assert!(c.waiter("ec2", "instance-running").is_some());
    }

    #[test]
    fn bad_line_is_reported_with_its_line_number() {
        let text: &'static str = Box::leak(
            format!("{OPERATIONS_HEADER}\ns3api\tlist-buckets\ts3.amazonaws.com\tListBuckets\ts3\ttrue\t\ts3\tendpoint_prefix\nec2\tdescribe-instances\tec2.amazonaws.com\n")
                .into_boxed_str(),
        );
        let err = parse_operations(text, "test.tsv")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("test.tsv:3"), "{err}");
    }

    #[test]
    fn bad_header_and_bad_values_are_errors() {
        let e = parse_operations("nope\n", "t.tsv")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("t.tsv:1"), "{e}");
        let bad_bool = Box::leak(
            format!("{OPERATIONS_HEADER}\ns3api\tlist-buckets\ts3.amazonaws.com\tListBuckets\ts3\tyes\t\ts3\toverride\n")
                .into_boxed_str(),
        );
        let e = parse_operations(bad_bool, "t.tsv")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("t.tsv:2") && e.contains("read_only"), "{e}");
        let dup = Box::leak(
            format!(
                "{OPERATIONS_HEADER}\nsts\tget-caller-identity\tsts.amazonaws.com\tGetCallerIdentity\tsts\ttrue\t\tsts\toverride\nsts\tget-caller-identity\tsts.amazonaws.com\tGetCallerIdentity\tsts\ttrue\t\tsts\toverride\n"
            )
            .into_boxed_str(),
        );
        let e = parse_operations(dup, "t.tsv").err().unwrap().to_string();
        assert!(e.contains("t.tsv:3") && e.contains("duplicate"), "{e}");
        let e = parse_waiters(
            "cli_service\twaiter\tevent_source\tevent_name\tbotocore_service\nec2\tx\n",
            "w.tsv",
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("w.tsv:2"), "{e}");
    }

    #[test]
    fn renamed_services_and_exceptions() {
        let c = catalog().unwrap();
        assert_eq!(c.cli_service_for("s3"), Some("s3api"));
        assert_eq!(c.cli_service_for("config"), Some("configservice"));
        assert_eq!(c.cli_service_for("codedeploy"), Some("deploy"));
        assert!(c.is_cli_service("deploy") && !c.is_cli_service("codedeploy"));
        let cw = c.by_cli("cloudwatch", "put-metric-alarm").unwrap();
        assert_eq!(
            (cw.event_source, cw.iam_prefix),
            ("monitoring.amazonaws.com", "cloudwatch")
        );
        let ses = c.by_cli("ses", "send-email").unwrap();
        assert_eq!(
            (ses.event_source, ses.iam_prefix),
            ("ses.amazonaws.com", "ses")
        );
        let tag = c
            .by_cli("resourcegroupstaggingapi", "get-resources")
            .unwrap();
        assert_eq!(
            (tag.event_source, tag.iam_prefix),
            ("tagging.amazonaws.com", "tag")
        );
        assert_eq!(
            c.by_cli("mq", "create-broker").unwrap().event_source,
            "amazonmq.amazonaws.com"
        );
        assert_eq!(
            c.by_cli("rds-data", "execute-statement")
                .unwrap()
                .event_source,
            "rdsdata.amazonaws.com"
        );
        assert_eq!(
            c.by_cli("s3control", "get-public-access-block")
                .unwrap()
                .event_source,
            "s3.amazonaws.com"
        );
        assert_eq!(
            c.by_cli("bedrock-runtime", "invoke-model")
                .unwrap()
                .event_source,
            "bedrock.amazonaws.com"
        );
        // hidden aliases from awscli customizations
        assert_eq!(
            c.by_cli("signin", "create-o-auth2-token")
                .unwrap()
                .event_name,
            "CreateOAuth2Token"
        );
        assert_eq!(
            c.by_cli("runtime.sagemaker", "invoke-endpoint")
                .unwrap()
                .event_name,
            "InvokeEndpoint"
        );
    }

    #[test]
    fn kebab_names_that_string_guessing_gets_wrong() {
        let c = catalog().unwrap();
        let name = |s, o| c.by_cli(s, o).map(|r| r.event_name);
        assert_eq!(
            name("rds", "describe-db-instances"),
            Some("DescribeDBInstances")
        );
        assert_eq!(
            name("sts", "get-caller-identity"),
            Some("GetCallerIdentity")
        );
        assert_eq!(name("s3api", "list-objects-v2"), Some("ListObjectsV2"));
        assert_eq!(
            name("ec2", "describe-vpc-endpoints"),
            Some("DescribeVpcEndpoints")
        );
        assert_eq!(name("iam", "list-mfa-devices"), Some("ListMFADevices"));
        assert_eq!(
            name("signin", "create-oauth2-token"),
            Some("CreateOAuth2Token")
        );
        assert_eq!(name("dynamodb", "put-item"), Some("PutItem"));
    }

    #[test]
    fn s3_list_objects_v2_is_logged_as_list_objects() {
        assert_eq!(
            normalise_event_name("s3.amazonaws.com", "ListObjectsV2"),
            "ListObjects"
        );
        assert_eq!(
            normalise_event_name("s3.amazonaws.com", "ListObjects"),
            "ListObjects"
        );
        assert_eq!(
            normalise_event_name("other.amazonaws.com", "ListObjectsV2"),
            "ListObjectsV2"
        );
    }

    #[test]
    fn lambda_and_cloudfront_versioned_names() {
        let c = catalog().unwrap();
        let cf = c.by_cli("lambda", "create-function").unwrap();
        assert_eq!(cf.event_name, "CreateFunction");
        assert_eq!(
            cf.alt_event_names().collect::<Vec<_>>(),
            ["CreateFunction20150331"]
        );
        let code = c.by_cli("lambda", "update-function-code").unwrap();
        assert!(
            code.alt_event_names()
                .any(|n| n == "UpdateFunctionCode20150331v2")
        );
        assert_eq!(c.by_cli("lambda", "invoke").unwrap().alt_event_names, "");
        let inv = c.by_cli("cloudfront", "create-invalidation").unwrap();
        assert_eq!(
            inv.alt_event_names().collect::<Vec<_>>(),
            ["CreateInvalidation2020_05_31"]
        );

        assert_eq!(
            normalise_event_name("lambda.amazonaws.com", "CreateFunction20150331"),
            "CreateFunction"
        );
        assert_eq!(
            normalise_event_name("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
            "UpdateFunctionCode"
        );
        assert_eq!(
            normalise_event_name("lambda.amazonaws.com", "Invoke"),
            "Invoke"
        );
        assert_eq!(
            normalise_event_name("cloudfront.amazonaws.com", "UpdateDistribution2020_05_31"),
            "UpdateDistribution"
        );
        // only for the services that do this
        assert_eq!(
            normalise_event_name("ec2.amazonaws.com", "Foo20150331"),
            "Foo20150331"
        );
    }
}
