//! Derives the IAM action (`s3:ListAllMyBuckets`) an event was authorised by.
//!
//! Mostly `<prefix>:<eventName>`. The prefix comes from the botocore-derived
//! operations catalog (`shell_commands::iam_prefix_for_event_source`, e.g.
//! monitoring → cloudwatch), else the event source's host name; the action
//! from `catalogs/iam_action_exceptions.tsv` (ListBuckets →
//! ListAllMyBuckets …), after the Lambda and CloudFront API-version suffixes
//! (`CreateFunction20150331v2`, `UpdateDistribution2020_05_31`) are stripped
//! by `shell_commands::normalise_event_name`.

use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::sync::OnceLock;

const CATALOG: &str = include_str!("../../catalogs/iam_action_exceptions.tsv");
const CATALOG_NAME: &str = "catalogs/iam_action_exceptions.tsv";

pub struct IamExceptions {
    actions: HashMap<(String, String), String>,
}

fn parse_catalog(text: &str) -> Result<IamExceptions> {
    let mut actions = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let at = || format!("{CATALOG_NAME}:{}", n + 1);
        let cols: [&str; 4] = match crate::tsv::fields(line) {
            Ok(cols) if cols.iter().all(|c| !c.trim().is_empty()) => cols,
            _ => bail!("{}: expected 4 tab-separated non-empty columns", at()),
        };
        let key = (cols[0].to_string(), cols[1].to_string());
        let dup = actions.insert(key, cols[2].to_string()).is_some();
        if dup {
            bail!("{}: duplicate entry", at());
        }
    }
    Ok(IamExceptions { actions })
}

/// The embedded catalog, validated on first use. `trailblame` calls this at
/// start-up so a broken catalog fails before any input is read.
pub fn exceptions() -> Result<&'static IamExceptions> {
    static CELL: OnceLock<std::result::Result<IamExceptions, String>> = OnceLock::new();
    CELL.get_or_init(|| parse_catalog(CATALOG).map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("loading the embedded IAM action exceptions")
}

impl IamExceptions {
    pub fn iam_action(&self, event_source: &str, event_name: &str) -> Option<String> {
        let host = event_source.strip_suffix(".amazonaws.com")?;
        if host.is_empty() || event_name.is_empty() {
            return None;
        }
        let prefix =
            crate::shell_commands::iam_prefix_for_event_source(event_source).unwrap_or(host);
        let name = crate::shell_commands::normalise_event_name(event_source, event_name);
        let key = (event_source.to_string(), name.to_string());
        let action = self.actions.get(&key).map(String::as_str).unwrap_or(name);
        Some(format!("{prefix}:{action}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_without_four_non_empty_columns_names_its_line() {
        for row in ["a\tb\tc", "a\tb\tc\td\te", "a\t \tc\td"] {
            let e = parse_catalog(&format!("# c\n{row}\n")).err().unwrap();
            assert_eq!(
                format!("{e}"),
                format!("{CATALOG_NAME}:2: expected 4 tab-separated non-empty columns")
            );
        }
        assert!(parse_catalog("a\tb\tc\td\n").is_ok());
    }

    #[test]
    fn catalog_is_valid() {
        exceptions().unwrap();
    }

    #[test]
    fn known_exceptions_and_rules() {
        let x = exceptions().unwrap();
        let a = |s, n| x.iam_action(s, n);
        assert_eq!(
            a("s3.amazonaws.com", "ListBuckets").as_deref(),
            Some("s3:ListAllMyBuckets")
        );
        assert_eq!(
            a("monitoring.amazonaws.com", "PutMetricAlarm").as_deref(),
            Some("cloudwatch:PutMetricAlarm")
        );
        assert_eq!(
            a("lambda.amazonaws.com", "CreateFunction20150331").as_deref(),
            Some("lambda:CreateFunction")
        );
        assert_eq!(
            a("lambda.amazonaws.com", "UpdateFunctionCode20150331v2").as_deref(),
            Some("lambda:UpdateFunctionCode")
        );
        assert_eq!(
            a("cloudfront.amazonaws.com", "UpdateDistribution2020_05_31").as_deref(),
            Some("cloudfront:UpdateDistribution")
        );
        assert_eq!(
            a("ec2.amazonaws.com", "TerminateInstances").as_deref(),
            Some("ec2:TerminateInstances")
        );
        // Only lambda and cloudfront lose digits.
        assert_eq!(
            a("ec2.amazonaws.com", "Foo20150331").as_deref(),
            Some("ec2:Foo20150331")
        );
        assert_eq!(a("insights", "X"), None);
        assert_eq!(a("s3.amazonaws.com", ""), None);
    }

    #[test]
    fn broken_catalog_names_the_line() {
        let e = parse_catalog("# c\ns3.amazonaws.com\tListBuckets\n")
            .err()
            .unwrap();
        assert!(format!("{e}").contains(":2"), "{e}");
        let e = parse_catalog("a\tb\tc\td\na\tb\tc\td\n").err().unwrap();
        assert!(format!("{e}").contains(":2: duplicate"), "{e}");
    }
}
