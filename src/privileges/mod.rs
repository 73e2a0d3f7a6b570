//! Privilege usage: which rights each principal holds, which it used, and
//! what a least-privilege policy for its observed use would be.
//!
//! The pipeline, each step a module:
//! 1. [`authz`] reads `aws iam get-account-authorization-details` output
//!    (one or more files per account) into users, groups, roles and managed
//!    policies; [`policy`] parses the policy documents inside it.
//! 2. [`eval`] computes every principal's effective identity-based
//!    permissions at the action level, against the full IAM action catalog
//!    ([`actions`], built from `catalogs/iam_actions.tsv.gz` and the
//!    destructive catalog). Resources and conditions are treated
//!    conservatively: they never remove a grant, they mark it.
//! 3. [`admin`] tells which principals are administrator-equivalent and why.
//! 4. [`usage`] joins the IAM actions CloudTrail saw (per principal, and per
//!    actor sharing one principal) with the grants: granted vs used, unused
//!    share, high-risk unused grants, used-but-not-granted, per service.
//! 5. [`suggest`] writes a least-privilege policy from the observed use.
//!
//! Nothing here reads CloudTrail or writes reports; callers feed
//! [`usage::UsedAction`] records and render the results.

pub mod actions;
pub mod admin;
pub mod aggregate;
pub mod authz;
pub mod eval;
mod json;
pub mod managed;
pub mod policy;
pub mod principals;
pub mod suggest;
pub mod usage;

#[cfg(test)]
mod tests;

/// `[privileges]` of `trailblame.toml`: IAM data
/// (`get-account-authorization-details` output) read when no `--iam` is
/// given (relative to the settings file; a folder means every file in it).
#[derive(serde::Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub iam: Vec<std::path::PathBuf>,
}
