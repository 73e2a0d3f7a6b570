//! From the principal ARN CloudTrail records to the IAM user or role whose
//! policies authorised the call.
//!
//! - `arn:aws:iam::ACCT:user/[path/]NAME`: the user, by ARN, else by name in
//!   the account.
//! - `arn:aws:iam::ACCT:role/[path/]NAME`: the role, likewise.
//! - `arn:aws:sts::ACCT:assumed-role/NAME/SESSION`: the role NAME in ACCT.
//!   Session ARNs carry no path, so roles are matched by name within the
//!   account (IAM role names are unique per account, ignoring case). This
//!   covers IAM Identity Center roles (`AWSReservedSSO_<set>_<hex>`, path
//!   `/aws-reserved/sso.amazonaws.com/` or its region variant).
//! - `arn:aws:iam::ACCT:root`: the root user, which holds every right.
//! - `arn:aws:sts::ACCT:federated-user/NAME` and anything else: not matched
//!   (a federated user's rights are the intersection of an IAM user's and a
//!   session policy that CloudTrail does not record).
//!
//! All partitions (`aws`, `aws-cn`, `aws-us-gov`) are read alike.

use std::collections::HashMap;

use super::eval::{AccountPermissions, PrincipalKind, PrincipalPermissions};

/// A principal ARN, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalRef {
    /// An IAM user.
    User {
        partition: String,
        account: String,
        name: String,
    },
    /// An IAM role, or a session of it.
    Role {
        partition: String,
        account: String,
        name: String,
        /// `/path/` when the ARN was a role ARN; `None` for sessions.
        path: Option<String>,
        /// The session name for `assumed-role` ARNs.
        session: Option<String>,
    },
    /// The account's root user.
    Root { partition: String, account: String },
    /// A federated user (`GetFederationToken`).
    FederatedUser {
        partition: String,
        account: String,
        name: String,
    },
    /// Anything else (service principals, malformed text).
    Other,
}

/// Parses a `userIdentity.arn`.
pub fn parse_principal_arn(arn: &str) -> PrincipalRef {
    let f: Vec<&str> = arn.trim().splitn(6, ':').collect();
    if f.len() != 6 || f[0] != "arn" || f[4].is_empty() {
        return PrincipalRef::Other;
    }
    let (partition, service, account, resource) = (f[1].to_string(), f[2], f[4].to_string(), f[5]);
    let last = |r: &str| r.rsplit('/').next().unwrap_or_default().to_string();
    match service {
        "iam" if resource == "root" => PrincipalRef::Root { partition, account },
        "iam" => {
            if let Some(rest) = resource.strip_prefix("user/").filter(|r| !r.is_empty()) {
                PrincipalRef::User {
                    partition,
                    account,
                    name: last(rest),
                }
            } else if let Some(rest) = resource.strip_prefix("role/").filter(|r| !r.is_empty()) {
                let path = match rest.rfind('/') {
                    Some(i) => format!("/{}", &rest[..=i]),
                    None => "/".to_string(),
                };
                PrincipalRef::Role {
                    partition,
                    account,
                    name: last(rest),
                    path: Some(path),
                    session: None,
                }
            } else {
                PrincipalRef::Other
            }
        }
        "sts" => {
            if let Some(rest) = resource.strip_prefix("assumed-role/") {
                match rest.split_once('/') {
                    Some((name, session)) if !name.is_empty() => PrincipalRef::Role {
                        partition,
                        account,
                        name: name.to_string(),
                        path: None,
                        session: Some(session.to_string()),
                    },
                    None if !rest.is_empty() => PrincipalRef::Role {
                        partition,
                        account,
                        name: rest.to_string(),
                        path: None,
                        session: None,
                    },
                    _ => PrincipalRef::Other,
                }
            } else if let Some(name) = resource.strip_prefix("federated-user/") {
                PrincipalRef::FederatedUser {
                    partition,
                    account,
                    name: name.to_string(),
                }
            } else {
                PrincipalRef::Other
            }
        }
        _ => PrincipalRef::Other,
    }
}

/// `arn:aws:sts::ACCT:assumed-role/NAME/SESSION` →
/// `arn:aws:iam::ACCT:role/NAME` (without the path, which only the IAM
/// data knows; [`PermissionsIndex::resolve`] gives the real ARN).
pub fn role_arn_for_session(arn: &str) -> Option<String> {
    match parse_principal_arn(arn) {
        PrincipalRef::Role {
            partition,
            account,
            name,
            path,
            ..
        } => Some(format!(
            "arn:{partition}:iam::{account}:role{}{name}",
            path.as_deref().unwrap_or("/")
        )),
        _ => None,
    }
}

/// How a principal ARN relates to the IAM data.
#[derive(Clone)]
pub enum Resolved<'a> {
    /// A user or role of the data.
    Principal(&'a PrincipalPermissions),
    /// The root user of an account.
    Root { account: String },
    /// Not in the data; the reason says why.
    NotFound { key: String, reason: &'static str },
}

/// Looks principals up by ARN and by (account, kind, name).
pub struct PermissionsIndex<'a> {
    by_arn: HashMap<&'a str, &'a PrincipalPermissions>,
    by_name: HashMap<(String, PrincipalKind, String), &'a PrincipalPermissions>,
    accounts: Vec<&'a str>,
}

impl<'a> PermissionsIndex<'a> {
    /// Indexes every principal of every account.
    pub fn new(accounts: &'a [AccountPermissions]) -> PermissionsIndex<'a> {
        let mut ix = PermissionsIndex {
            by_arn: HashMap::new(),
            by_name: HashMap::new(),
            accounts: accounts.iter().map(|a| a.account_id.as_str()).collect(),
        };
        for p in accounts.iter().flat_map(|a| &a.principals) {
            ix.by_arn.insert(p.arn.as_str(), p);
            ix.by_name.insert(
                (p.account_id.clone(), p.kind, p.name.to_ascii_lowercase()),
                p,
            );
        }
        ix
    }

    /// Every indexed principal.
    pub fn principals(&self) -> impl Iterator<Item = &'a PrincipalPermissions> + '_ {
        self.by_arn.values().copied()
    }

    /// Finds the principal a CloudTrail principal ARN acted as.
    pub fn resolve(&self, arn: &str) -> Resolved<'a> {
        if let Some(p) = self.by_arn.get(arn) {
            return Resolved::Principal(p);
        }
        let parsed = parse_principal_arn(arn);
        let (account, kind, name) = match &parsed {
            PrincipalRef::User { account, name, .. } => (account, PrincipalKind::User, name),
            PrincipalRef::Role { account, name, .. } => (account, PrincipalKind::Role, name),
            PrincipalRef::Root { account, .. } => {
                return Resolved::Root {
                    account: account.clone(),
                };
            }
            PrincipalRef::FederatedUser { .. } => {
                return Resolved::NotFound {
                    key: arn.to_string(),
                    reason: "federated user: its rights depend on a session policy CloudTrail does not record",
                };
            }
            PrincipalRef::Other => {
                return Resolved::NotFound {
                    key: arn.to_string(),
                    reason: "not a user, role or role-session ARN",
                };
            }
        };
        let key = (account.clone(), kind, name.to_ascii_lowercase());
        if let Some(p) = self.by_name.get(&key) {
            return Resolved::Principal(p);
        }
        let reason = if self.accounts.contains(&account.as_str()) {
            "the account's IAM data has no principal of this name"
        } else {
            "no IAM data for this account"
        };
        Resolved::NotFound {
            key: role_arn_for_session(arn).unwrap_or_else(|| arn.to_string()),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_principal_arns() {
        let r = parse_principal_arn(
            "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123abcd/bob@example.com",
        );
        assert_eq!(
            r,
            PrincipalRef::Role {
                partition: "aws".into(),
                account: "111122223333".into(),
                name: "AWSReservedSSO_Admin_0123abcd".into(),
                path: None,
                session: Some("bob@example.com".into()),
            }
        );
        let r = parse_principal_arn("arn:aws-cn:iam::111122223333:role/service-role/deploy");
        assert!(
            matches!(r, PrincipalRef::Role { ref name, path: Some(ref p), .. } if name == "deploy" && p == "/service-role/")
        );
        assert!(
            matches!(parse_principal_arn("arn:aws:iam::1:user/dev/alice"), PrincipalRef::User { ref name, .. } if name == "alice")
        );
        assert!(matches!(
            parse_principal_arn("arn:aws:iam::1:root"),
            PrincipalRef::Root { .. }
        ));
        assert!(matches!(
            parse_principal_arn("arn:aws:sts::1:federated-user/x"),
            PrincipalRef::FederatedUser { .. }
        ));
        for bad in [
            "",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::1:group/x",
            "arn:aws:sts::1:assumed-role/",
            "x:y",
        ] {
            assert_eq!(parse_principal_arn(bad), PrincipalRef::Other, "{bad}");
        }
        assert_eq!(
            role_arn_for_session("arn:aws-us-gov:sts::1:assumed-role/ops/i-0abc").as_deref(),
            Some("arn:aws-us-gov:iam::1:role/ops")
        );
        assert_eq!(role_arn_for_session("arn:aws:iam::1:user/x"), None);
    }
}
