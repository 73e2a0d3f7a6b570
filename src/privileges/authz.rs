//! Reads IAM as granted: the output of
//! `aws iam get-account-authorization-details` (users with their groups,
//! groups, roles, and managed policies with their versions), one file per
//! account or several page files per account.
//!
//! Each file becomes an [`AuthzFragment`]; [`merge_authz`] groups fragments
//! by account (taken from the entities' ARNs) and merges pages that
//! `--max-items` / `Marker` pagination split, dropping exact duplicates. A
//! fragment holding only AWS-managed policies (the same in every account)
//! is shared with every account; when it is a last page it completes the
//! one account still waiting for its last page. Anything that looks incomplete (a last page
//! still marked `IsTruncated`, an entity listed twice with different
//! content, an attached policy absent from `Policies`) becomes a warning on
//! the account, not an error: one odd file does not stop a report.
//!
//! Malformed input is an error naming the file and the JSON path. Policy
//! documents are objects (CLI output) or URL-encoded JSON text (raw API);
//! both are read. Only the default version of a managed policy is parsed.

use anyhow::{Context, Error, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use super::json::{At, object, opt_array, opt_bool, opt_str, req_str};
use super::managed;
use super::policy::PolicyDocument;

/// An inline policy (`UserPolicyList`, `GroupPolicyList`, `RolePolicyList`).
#[derive(Debug, Clone, PartialEq)]
pub struct InlinePolicy {
    pub name: String,
    pub document: PolicyDocument,
}

/// An `AttachedManagedPolicies` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub id: Option<String>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<AttachedPolicy>,
    /// Group names (`GroupList`).
    pub groups: Vec<String>,
    /// `PermissionsBoundary.PermissionsBoundaryArn`.
    pub boundary: Option<String>,
}

/// An IAM group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<AttachedPolicy>,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub name: String,
    pub arn: String,
    /// `/`, `/service-role/`, `/aws-reserved/sso.amazonaws.com/eu-west-1/`.
    pub path: String,
    pub id: Option<String>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<AttachedPolicy>,
    pub boundary: Option<String>,
    /// `AssumeRolePolicyDocument`: who may assume the role.
    pub trust: Option<PolicyDocument>,
    /// `RoleLastUsed.LastUsedDate` as written.
    pub last_used: Option<String>,
    /// `RoleLastUsed.Region` (`RegionName` in some outputs).
    pub last_used_region: Option<String>,
}

/// A managed policy from `Policies`.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub default_version: Option<String>,
    /// The default version's document; `None` when no version is marked
    /// default (reported as a warning).
    pub document: Option<PolicyDocument>,
    /// Versions listed (the non-default ones are not parsed).
    pub versions: usize,
}

/// What one file holds.
#[derive(Debug, Clone)]
pub struct AuthzFragment {
    /// The file name as given.
    pub source: String,
    /// Account of the entities and customer policies; `None` when the file
    /// holds only AWS-managed policies. A caller that knows the account
    /// otherwise (an `--iam ACCOUNT=FILE` option) may set it before merging.
    pub account_id: Option<String>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub policies: Vec<ManagedPolicy>,
    /// `IsTruncated` (or a CLI `NextToken`): more pages follow.
    pub is_truncated: bool,
    /// `Marker` / `NextToken` for the next page.
    pub marker: Option<String>,
    pub warnings: Vec<String>,
}

/// One account's IAM data, merged from its fragments.
#[derive(Debug, Clone)]
pub struct AccountAuthz {
    pub account_id: String,
    /// Files that contributed, in merge order.
    pub sources: Vec<String>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    /// Managed policies by ARN.
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// A page without `IsTruncated` was seen (the data reaches the end).
    pub complete: bool,
    pub warnings: Vec<String>,
    /// AWS-managed policies attached here but not in `Policies`, evaluated
    /// from trailblame's built-in copy (`managed::has_fallback`).
    pub builtin_copies: Vec<String>,
}

/// All accounts, sorted by account id.
#[derive(Debug, Clone, Default)]
pub struct AuthzSet {
    pub accounts: Vec<AccountAuthz>,
    /// Problems that belong to no account.
    pub warnings: Vec<String>,
    /// What was done about a gap the user need not act on (AWS-managed
    /// policies left out of the export, stood in for by built-in copies):
    /// kept for the record, not printed as a warning (issue 22: a warning
    /// on every run that asks nothing of the user is noise). The rows it
    /// affects say `[built-in copy]` in their reason.
    pub notes: Vec<String>,
}

impl AccountAuthz {
    /// The group with this name (IAM names ignore case).
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    }

    /// Every managed policy ARN attached to a user, group or role or used as
    /// a permissions boundary that `Policies` does not hold, sorted.
    pub fn missing_managed_policies(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .users
            .iter()
            .flat_map(|u| u.attached.iter().map(|a| &a.arn).chain(&u.boundary))
            .chain(
                self.groups
                    .iter()
                    .flat_map(|g| g.attached.iter().map(|a| &a.arn)),
            )
            .chain(
                self.roles
                    .iter()
                    .flat_map(|r| r.attached.iter().map(|a| &a.arn).chain(&r.boundary)),
            )
            .filter(|arn| !self.policies.contains_key(*arn))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Reads one file (gzip when it starts with the gzip magic bytes).
pub fn read_authz_file(path: &Path) -> Result<AuthzFragment> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot read"))?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .with_context(|| format!("{name}: cannot inflate"))?;
        s
    } else {
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{name}: not UTF-8 text"))?
    };
    parse_authz(&text, &name)
}

/// Parses the text of one `get-account-authorization-details` output.
/// `source` names the file in errors.
pub fn parse_authz(text: &str, source: &str) -> Result<AuthzFragment> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{source}: not valid JSON: {e}"))?;
    let root = At::root(source);
    let o = object(&v, &root)?;
    if ![
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ]
    .iter()
    .any(|k| o.contains_key(*k))
    {
        return Err(root.error(
            "not get-account-authorization-details output (no UserDetailList, \
             GroupDetailList, RoleDetailList or Policies)",
        ));
    }
    let mut f = AuthzFragment {
        source: source.to_string(),
        account_id: None,
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        is_truncated: false,
        marker: None,
        warnings: Vec::new(),
    };
    let mut account = AccountCheck::default();
    for (i, u) in opt_array(o, "UserDetailList", &root, false)?
        .iter()
        .enumerate()
    {
        let at = root.key("UserDetailList").index(i);
        let user = parse_user(u, &at)?;
        account.see(&user.arn, &at)?;
        f.users.push(user);
    }
    for (i, g) in opt_array(o, "GroupDetailList", &root, false)?
        .iter()
        .enumerate()
    {
        let at = root.key("GroupDetailList").index(i);
        let group = parse_group(g, &at)?;
        account.see(&group.arn, &at)?;
        f.groups.push(group);
    }
    for (i, r) in opt_array(o, "RoleDetailList", &root, false)?
        .iter()
        .enumerate()
    {
        let at = root.key("RoleDetailList").index(i);
        let role = parse_role(r, &at)?;
        account.see(&role.arn, &at)?;
        f.roles.push(role);
    }
    for (i, p) in opt_array(o, "Policies", &root, false)?.iter().enumerate() {
        let at = root.key("Policies").index(i);
        let policy = parse_policy(p, &at, &mut f.warnings)?;
        if !managed::is_aws_managed(&policy.arn) {
            account.see(&policy.arn, &at)?;
        }
        f.policies.push(policy);
    }
    let next_token = opt_str(o, "NextToken", &root)?;
    f.is_truncated = opt_bool(o, "IsTruncated", &root)?.unwrap_or(false) || next_token.is_some();
    f.marker = opt_str(o, "Marker", &root)?
        .or(next_token)
        .map(str::to_string);
    f.account_id = account.id;
    Ok(f)
}

/// The account of every ARN in a file must be the same.
#[derive(Default)]
struct AccountCheck {
    id: Option<String>,
    first_at: String,
}

impl AccountCheck {
    fn see(&mut self, arn: &str, at: &At) -> Result<(), Error> {
        let acct = arn_account(arn)
            .ok_or_else(|| at.key("Arn").error(format!("{arn:?} is not an IAM ARN")))?;
        match &self.id {
            None => {
                self.id = Some(acct.to_string());
                self.first_at = at.location();
            }
            Some(id) if id != acct => {
                return Err(at.key("Arn").error(format!(
                    "account {acct} differs from account {id} of {}; give one file per account",
                    self.first_at
                )));
            }
            Some(_) => {}
        }
        Ok(())
    }
}

/// The account field of `arn:partition:service::account:…`.
pub fn arn_account(arn: &str) -> Option<&str> {
    let f: Vec<&str> = arn.splitn(6, ':').collect();
    (f.len() == 6 && f[0] == "arn" && !f[4].is_empty()).then(|| f[4])
}

fn inline_list(o: &Map<String, Value>, key: &str, at: &At) -> Result<Vec<InlinePolicy>, Error> {
    opt_array(o, key, at, false)?
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pat = at.key(key).index(i);
            let po = object(p, &pat)?;
            let name = req_str(po, "PolicyName", &pat)?.to_string();
            let doc = po
                .get("PolicyDocument")
                .ok_or_else(|| pat.key("PolicyDocument").error("missing"))?;
            Ok(InlinePolicy {
                name,
                document: PolicyDocument::from_value(doc, &pat.key("PolicyDocument"))?,
            })
        })
        .collect()
}

fn attached_list(o: &Map<String, Value>, at: &At) -> Result<Vec<AttachedPolicy>, Error> {
    opt_array(o, "AttachedManagedPolicies", at, true)?
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pat = at.key("AttachedManagedPolicies").index(i);
            let po = object(p, &pat)?;
            let arn = req_str(po, "PolicyArn", &pat)?.to_string();
            let name = match opt_str(po, "PolicyName", &pat)? {
                Some(n) => n.to_string(),
                None => arn.rsplit('/').next().unwrap_or_default().to_string(),
            };
            Ok(AttachedPolicy { name, arn })
        })
        .collect()
}

fn boundary(o: &Map<String, Value>, at: &At) -> Result<Option<String>, Error> {
    match o.get("PermissionsBoundary") {
        None | Some(Value::Null) => Ok(None),
        Some(b) => {
            let bat = at.key("PermissionsBoundary");
            let bo = object(b, &bat)?;
            Ok(opt_str(bo, "PermissionsBoundaryArn", &bat)?.map(str::to_string))
        }
    }
}

fn path_of(o: &Map<String, Value>, at: &At) -> Result<String, Error> {
    Ok(opt_str(o, "Path", at)?.unwrap_or("/").to_string())
}

fn parse_user(v: &Value, at: &At) -> Result<User, Error> {
    let o = object(v, at)?;
    let groups = opt_array(o, "GroupList", at, false)?
        .iter()
        .enumerate()
        .map(|(i, g)| {
            g.as_str()
                .map(str::to_string)
                .ok_or_else(|| at.key("GroupList").index(i).error("expected a group name"))
        })
        .collect::<Result<_, _>>()?;
    Ok(User {
        name: req_str(o, "UserName", at)?.to_string(),
        arn: req_str(o, "Arn", at)?.to_string(),
        path: path_of(o, at)?,
        id: opt_str(o, "UserId", at)?.map(str::to_string),
        inline: inline_list(o, "UserPolicyList", at)?,
        attached: attached_list(o, at)?,
        groups,
        boundary: boundary(o, at)?,
    })
}

fn parse_group(v: &Value, at: &At) -> Result<Group, Error> {
    let o = object(v, at)?;
    Ok(Group {
        name: req_str(o, "GroupName", at)?.to_string(),
        arn: req_str(o, "Arn", at)?.to_string(),
        path: path_of(o, at)?,
        inline: inline_list(o, "GroupPolicyList", at)?,
        attached: attached_list(o, at)?,
    })
}

fn parse_role(v: &Value, at: &At) -> Result<Role, Error> {
    let o = object(v, at)?;
    let trust = match o.get("AssumeRolePolicyDocument") {
        None | Some(Value::Null) => None,
        Some(d) => Some(PolicyDocument::from_value(
            d,
            &at.key("AssumeRolePolicyDocument"),
        )?),
    };
    let (mut last_used, mut last_used_region) = (None, None);
    if let Some(lu) = o.get("RoleLastUsed").filter(|v| !v.is_null()) {
        let lat = at.key("RoleLastUsed");
        let lo = object(lu, &lat)?;
        last_used = opt_str(lo, "LastUsedDate", &lat)?.map(str::to_string);
        last_used_region = opt_str(lo, "Region", &lat)?
            .or(opt_str(lo, "RegionName", &lat)?)
            .map(str::to_string);
    }
    Ok(Role {
        name: req_str(o, "RoleName", at)?.to_string(),
        arn: req_str(o, "Arn", at)?.to_string(),
        path: path_of(o, at)?,
        id: opt_str(o, "RoleId", at)?.map(str::to_string),
        inline: inline_list(o, "RolePolicyList", at)?,
        attached: attached_list(o, at)?,
        boundary: boundary(o, at)?,
        trust,
        last_used,
        last_used_region,
    })
}

fn parse_policy(v: &Value, at: &At, warnings: &mut Vec<String>) -> Result<ManagedPolicy, Error> {
    let o = object(v, at)?;
    let arn = req_str(o, "Arn", at)?.to_string();
    let default_version = opt_str(o, "DefaultVersionId", at)?.map(str::to_string);
    let versions = opt_array(o, "PolicyVersionList", at, false)?;
    let mut chosen = None;
    for (i, pv) in versions.iter().enumerate() {
        let vat = at.key("PolicyVersionList").index(i);
        let vo = object(pv, &vat)?;
        let is_default = opt_bool(vo, "IsDefaultVersion", &vat)?.unwrap_or(false);
        let id = opt_str(vo, "VersionId", &vat)?;
        if is_default || (chosen.is_none() && id.is_some() && id == default_version.as_deref()) {
            chosen = Some((vo, vat));
            if is_default {
                break;
            }
        }
    }
    let document = match chosen {
        Some((vo, vat)) => {
            let d = vo
                .get("Document")
                .ok_or_else(|| vat.key("Document").error("missing"))?;
            Some(PolicyDocument::from_value(d, &vat.key("Document"))?)
        }
        None => {
            warnings.push(format!(
                "{}: policy {arn} has no default version in PolicyVersionList; it grants nothing here",
                at.location()
            ));
            None
        }
    };
    Ok(ManagedPolicy {
        name: opt_str(o, "PolicyName", at)?
            .map(str::to_string)
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string()),
        arn,
        default_version,
        document,
        versions: versions.len(),
    })
}

/// Groups fragments by account and merges them. Never fails: conflicts and
/// gaps become warnings on the account (or on the set).
pub fn merge_authz(fragments: Vec<AuthzFragment>) -> AuthzSet {
    let mut accounts: BTreeMap<String, AccountAuthz> = BTreeMap::new();
    let mut shared: Vec<AuthzFragment> = Vec::new();
    let mut set = AuthzSet::default();
    for f in fragments {
        let Some(id) = f.account_id.clone() else {
            shared.push(f);
            continue;
        };
        let a = accounts.entry(id.clone()).or_insert_with(|| AccountAuthz {
            account_id: id,
            sources: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            policies: BTreeMap::new(),
            complete: false,
            warnings: Vec::new(),
            builtin_copies: Vec::new(),
        });
        absorb(a, f);
    }
    for f in shared {
        if accounts.is_empty() {
            set.warnings.push(format!(
                "{}: holds only AWS-managed policies and no account's users, groups or roles",
                f.source
            ));
            continue;
        }
        // An account-less page ends the pagination of the one account still
        // waiting for its last page; with several waiting it cannot be told.
        let waiting: Vec<String> = accounts
            .values()
            .filter(|a| !a.complete)
            .map(|a| a.account_id.clone())
            .collect();
        let owner = match (f.is_truncated, waiting.as_slice()) {
            (false, [one]) => Some(one.clone()),
            (false, []) if accounts.len() == 1 => accounts.keys().next().cloned(),
            (false, []) => None,
            (false, many) => {
                set.warnings.push(format!(
                    "{}: a last page without users, groups or roles; accounts {} all wait for \
                     theirs, so none is marked complete by it",
                    f.source,
                    many.join(", ")
                ));
                None
            }
            (true, _) => None,
        };
        for a in accounts.values_mut() {
            let mut copy = f.clone();
            copy.is_truncated = owner.as_deref() != Some(a.account_id.as_str());
            absorb(a, copy);
        }
    }
    for a in accounts.values_mut() {
        if !a.complete {
            a.warnings.push(format!(
                "account {}: every page given is marked IsTruncated; later pages are missing \
                 (fetch them with --starting-token / Marker)",
                a.account_id
            ));
        }
        for arn in a.missing_managed_policies() {
            if managed::has_fallback(&arn) {
                a.builtin_copies.push(arn);
                continue;
            }
            a.warnings.push(format!(
                "account {}: managed policy {arn} is attached but not in Policies \
                 (was --filter used?); it grants nothing here",
                a.account_id
            ));
        }
    }
    set.accounts = accounts.into_values().collect();
    if let Some(note) = builtin_copies_note(&set.accounts) {
        set.notes.push(note);
    }
    set
}

/// One line for every account's missing AWS-managed policies that the
/// built-in copies stand in for (common: `--filter` leaves them out).
fn builtin_copies_note(accounts: &[AccountAuthz]) -> Option<String> {
    let with: Vec<&AccountAuthz> = accounts
        .iter()
        .filter(|a| !a.builtin_copies.is_empty())
        .collect();
    if with.is_empty() {
        return None;
    }
    let policies: BTreeSet<&str> = with
        .iter()
        .flat_map(|a| a.builtin_copies.iter().map(String::as_str))
        .collect();
    let names: Vec<&str> = policies
        .iter()
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
        .collect();
    let ids: Vec<&str> = with.iter().map(|a| a.account_id.as_str()).collect();
    Some(format!(
        "AWS-managed {} {} attached but not in Policies (was --filter used?) in {} {}; \
         using trailblame's built-in {}",
        if names.len() == 1 {
            "policy"
        } else {
            "policies"
        },
        if names.len() == 1 {
            format!("{} is", names[0])
        } else {
            format!("{} are", names.join(", "))
        },
        if ids.len() == 1 {
            "account"
        } else {
            "accounts"
        },
        ids.join(", "),
        if names.len() == 1 { "copy" } else { "copies" },
    ))
}

fn absorb(a: &mut AccountAuthz, f: AuthzFragment) {
    a.sources.push(f.source.clone());
    a.complete |= !f.is_truncated;
    a.warnings.extend(f.warnings);
    let src = &f.source;
    merge_list(&mut a.users, f.users, |u| &u.arn, src, &mut a.warnings);
    merge_list(&mut a.groups, f.groups, |g| &g.arn, src, &mut a.warnings);
    merge_list(&mut a.roles, f.roles, |r| &r.arn, src, &mut a.warnings);
    for p in f.policies {
        match a.policies.get(&p.arn) {
            None => {
                a.policies.insert(p.arn.clone(), p);
            }
            Some(old) if *old == p => {}
            Some(_) => a.warnings.push(format!(
                "{src}: policy {} differs from an earlier file's copy; the first is kept",
                p.arn
            )),
        }
    }
}

fn merge_list<T: PartialEq>(
    into: &mut Vec<T>,
    items: Vec<T>,
    arn: impl Fn(&T) -> &String,
    src: &str,
    warnings: &mut Vec<String>,
) {
    let mut seen: HashMap<String, usize> = into
        .iter()
        .enumerate()
        .map(|(i, x)| (arn(x).clone(), i))
        .collect();
    for item in items {
        match seen.get(arn(&item)) {
            None => {
                seen.insert(arn(&item).clone(), into.len());
                into.push(item);
            }
            Some(&i) if into[i] == item => {}
            Some(_) => warnings.push(format!(
                "{src}: {} differs from an earlier file's copy; the first is kept",
                arn(&item)
            )),
        }
    }
}
