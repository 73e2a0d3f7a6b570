//! Fixture tests of the privileges pipeline. The IAM data lives in
//! `tests/fixtures/privileges/` in the shapes AWS produces: CLI output
//! (`account-a.json`), raw API output with URL-encoded documents
//! (`account-b-raw-api.json`), one account in three `Marker` pages
//! (`account-c-page*.json`), and malformed files.

mod admin_routes;
mod authz_input;
mod eval_rules;
mod suggest_property;
mod usage_report;

use std::path::PathBuf;
use std::sync::OnceLock;

use super::actions::{ActionCatalog, action_catalog};
use super::authz::{AuthzSet, merge_authz, read_authz_file};
use super::eval::{AccountPermissions, Grant, PrincipalPermissions, evaluate_authz};

pub(super) const A: &str = "111122223333";

pub(super) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/privileges")
        .join(name)
}

pub(super) fn cat() -> &'static ActionCatalog {
    action_catalog().expect("embedded catalog")
}

pub(super) fn load(names: &[&str]) -> AuthzSet {
    let frags = names
        .iter()
        .map(|n| read_authz_file(&fixture(n)).unwrap_or_else(|e| panic!("{e:#}")))
        .collect();
    merge_authz(frags)
}

/// Accounts A, B and C, evaluated once.
pub(super) fn all_accounts() -> &'static [AccountPermissions] {
    static CELL: OnceLock<Vec<AccountPermissions>> = OnceLock::new();
    CELL.get_or_init(|| {
        let set = load(&[
            "account-a.json",
            "account-b-raw-api.json",
            "account-c-page1.json",
            "account-c-page2.json",
            "account-c-page3.json",
        ]);
        evaluate_authz(&set, cat())
    })
}

/// The principal whose ARN ends with `/name` (users and roles of all accounts).
pub(super) fn principal(name: &str) -> &'static PrincipalPermissions {
    let suffix = format!("/{name}");
    all_accounts()
        .iter()
        .flat_map(|a| &a.principals)
        .find(|p| p.arn.ends_with(&suffix))
        .unwrap_or_else(|| panic!("no principal {name}"))
}

/// How `name` is granted to the principal `who`.
pub(super) fn grant(who: &str, action: &str) -> Option<Grant> {
    principal(who).permissions.grant_for_name(action, cat())
}

/// Catalog actions matching an IAM pattern.
pub(super) fn count_matching(pattern: &str) -> usize {
    let c = cat();
    let mut s = c.empty_set();
    super::actions::ActionMatcher::new(pattern, c).expand_into(c, &mut s);
    s.count()
}

pub(super) const FULL: Grant = Grant {
    scoped: false,
    conditional: false,
    deny_limited: false,
};
