//! Listing an S3 input, level by level, so that only what the run needs is
//! listed.
//!
//! CloudTrail writes `[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/
//! YYYY/MM/DD/`. Above `AWSLogs/`, and anywhere the layout is not
//! recognised, each folder is listed with a delimiter and walked whole (so
//! a folder uploaded as it is on disk reads as it does on disk). Inside the
//! layout, only the accounts (`--account`) and regions (`--region`) asked
//! for are entered, `CloudTrail-Digest/` never is, and with a closed
//! window a region's day folders are not listed at all: the day prefixes
//! of the window (`IngestWindow::days`) are listed directly, so a week of
//! a thousand accounts costs a thousand times seven small listings, not a
//! walk of years. Security Lake's `region=…/accountId=…/eventDay=…/`
//! partitions get the same filters. Each level's listings run concurrently
//! (bounded); the result is sorted by key, so fetch order never depends on
//! which listing answered first.

use super::super::window::IngestWindow;
use super::S3Options;
use anyhow::{Context, Result};
use futures::stream::{self, StreamExt, TryStreamExt};
use object_store::ObjectStore;
use object_store::path::Path as ObjPath;

/// One object to read.
#[derive(Clone, Debug)]
pub struct ObjectRef {
    /// The key as listed (what a GET asks for).
    pub location: ObjPath,
    pub key: String,
    pub size: u64,
    pub etag: Option<String>,
}

/// What listing found under one input.
#[derive(Default)]
pub struct Listing {
    /// Every object listed, sorted by key (digests and window filtering
    /// are applied later, and counted).
    pub objects: Vec<ObjectRef>,
    pub list_requests: u64,
}

/// Where a prefix sits in the CloudTrail layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    /// Not (yet) inside the layout: list with a delimiter, walk everything.
    Free,
    /// `AWSLogs/`: organisation ids or accounts below.
    AwsLogs,
    /// `AWSLogs/o-…/`: accounts below.
    Org,
    /// `…/ACCOUNT/`: `CloudTrail/`, `CloudTrail-Digest/`, others.
    Account,
    /// `…/CloudTrail/`: regions below.
    Trail,
    /// `…/CloudTrail/REGION/`: years, or the window's days.
    Region,
    /// Everything below, listed without a delimiter.
    Leaf,
}

struct Node {
    /// The prefix, without a trailing `/` (empty: the bucket).
    prefix: String,
    level: Level,
}

pub struct Filters<'a> {
    pub window: &'a IngestWindow,
    pub opts: &'a S3Options,
}

impl Filters<'_> {
    fn account_ok(&self, a: &str) -> bool {
        self.opts.accounts.is_empty() || self.opts.accounts.iter().any(|x| x == a)
    }
    fn region_ok(&self, r: &str) -> bool {
        self.opts.regions.is_empty() || self.opts.regions.iter().any(|x| x == r)
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The level of a prefix the user gave, from its segments.
fn level_of(prefix: &str) -> Level {
    let segs: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let Some(i) = segs.iter().rposition(|s| *s == "AWSLogs") else {
        return Level::Free;
    };
    let mut level = Level::AwsLogs;
    for s in &segs[i + 1..] {
        level = match (level, *s) {
            (Level::AwsLogs, o) if o.starts_with("o-") => Level::Org,
            (Level::AwsLogs | Level::Org, a) if is_account(a) => Level::Account,
            (Level::Account, "CloudTrail") => Level::Trail,
            (Level::Trail, _) => Level::Region,
            (Level::Region | Level::Leaf, _) => Level::Leaf,
            _ => Level::Free,
        };
    }
    level
}

/// The level of a child folder named `name` under a prefix at `parent`;
/// `None` when the filters leave it out.
fn child_level(parent: Level, name: &str, f: &Filters<'_>) -> Option<Level> {
    if name == "CloudTrail-Digest" {
        return None;
    }
    // Security Lake (and any Hive-style) partitions.
    if let Some(r) = name.strip_prefix("region=") {
        return f.region_ok(r).then_some(parent);
    }
    if let Some(a) = name.strip_prefix("accountId=") {
        return f.account_ok(a).then_some(parent);
    }
    if name.starts_with("eventDay=") {
        return f.window.may_hold(name).then_some(Level::Leaf);
    }
    Some(match (parent, name) {
        (Level::Free, "AWSLogs") => Level::AwsLogs,
        (Level::AwsLogs, o) if o.starts_with("o-") => Level::Org,
        (Level::AwsLogs | Level::Org, a) if is_account(a) => {
            return f.account_ok(a).then_some(Level::Account);
        }
        (Level::Account, "CloudTrail") => Level::Trail,
        (Level::Trail, r) => return f.region_ok(r).then_some(Level::Region),
        _ => Level::Free,
    })
}

/// Lists one input: `prefix` in `store`, walking the layout level by level.
pub async fn list(store: &dyn ObjectStore, prefix: &str, f: &Filters<'_>) -> Result<Listing> {
    let mut out = Listing::default();
    let mut frontier = vec![Node {
        prefix: prefix.to_string(),
        level: level_of(prefix),
    }];
    let in_flight = f.opts.in_flight.max(1);
    while !frontier.is_empty() {
        // A region with a closed window becomes its day prefixes, unlisted.
        let mut nodes = Vec::new();
        for n in frontier.drain(..) {
            match (n.level, f.window.days()) {
                (Level::Region, Some(days)) => {
                    nodes.extend(days.iter().map(|d| Node {
                        prefix: format!("{}/{}", n.prefix, d.format("%Y/%m/%d")),
                        level: Level::Leaf,
                    }));
                }
                _ => nodes.push(n),
            }
        }
        let results: Vec<(Vec<ObjectRef>, Vec<Node>)> = stream::iter(nodes)
            .map(|n| list_node(store, n, f))
            .buffer_unordered(in_flight)
            .try_collect()
            .await?;
        for (objects, children) in results {
            out.list_requests += 1;
            out.objects.extend(objects);
            frontier.extend(children);
        }
    }
    out.objects.sort_by(|a, b| a.key.cmp(&b.key));
    out.objects.dedup_by(|a, b| a.key == b.key);
    Ok(out)
}

async fn list_node(
    store: &dyn ObjectStore,
    n: Node,
    f: &Filters<'_>,
) -> Result<(Vec<ObjectRef>, Vec<Node>)> {
    let loc = (!n.prefix.is_empty()).then(|| ObjPath::from(n.prefix.as_str()));
    let object = |m: object_store::ObjectMeta| ObjectRef {
        key: m.location.to_string(),
        location: m.location,
        size: m.size,
        etag: m.e_tag,
    };
    if n.level == Level::Leaf {
        let objects: Vec<ObjectRef> = store
            .list(loc.as_ref())
            .map_ok(object)
            .try_collect()
            .await
            .with_context(|| format!("listing {}/", n.prefix))?;
        return Ok((objects, Vec::new()));
    }
    let r = store
        .list_with_delimiter(loc.as_ref())
        .await
        .with_context(|| format!("listing {}/", n.prefix))?;
    let children = r
        .common_prefixes
        .iter()
        .filter_map(|p| {
            let name = p.filename()?;
            let level = child_level(n.level, name, f)?;
            Some(Node {
                prefix: p.to_string(),
                level,
            })
        })
        .collect();
    Ok((r.objects.into_iter().map(object).collect(), children))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_prefixes() {
        assert_eq!(level_of(""), Level::Free);
        assert_eq!(level_of("trails/AWSLogs"), Level::AwsLogs);
        assert_eq!(level_of("AWSLogs/o-abc123"), Level::Org);
        assert_eq!(level_of("AWSLogs/o-abc123/111122223333"), Level::Account);
        assert_eq!(level_of("AWSLogs/111122223333/CloudTrail"), Level::Trail);
        assert_eq!(
            level_of("AWSLogs/111122223333/CloudTrail/us-east-1"),
            Level::Region
        );
        assert_eq!(
            level_of("AWSLogs/111122223333/CloudTrail/us-east-1/2025/12"),
            Level::Leaf
        );
    }

    #[test]
    fn filters_and_digests() {
        let w = IngestWindow::default();
        let opts = S3Options {
            accounts: vec!["111122223333".into()],
            regions: vec!["eu-west-1".into()],
            ..S3Options::default()
        };
        let f = Filters {
            window: &w,
            opts: &opts,
        };
        assert_eq!(child_level(Level::Org, "999988887777", &f), None);
        assert_eq!(
            child_level(Level::Org, "111122223333", &f),
            Some(Level::Account)
        );
        assert_eq!(child_level(Level::Account, "CloudTrail-Digest", &f), None);
        assert_eq!(child_level(Level::Trail, "us-east-1", &f), None);
        assert_eq!(
            child_level(Level::Trail, "eu-west-1", &f),
            Some(Level::Region)
        );
        assert_eq!(child_level(Level::Free, "region=us-east-1", &f), None);
        assert_eq!(child_level(Level::Free, "misc", &f), Some(Level::Free));
    }
}
