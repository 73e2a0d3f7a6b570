//! The embedded destructive-actions catalog: parsing, validation and lookup.
//!
//! Three files are embedded and checked together when [`catalog`] is first
//! called: `catalogs/iam_actions.tsv.gz` (every IAM action with its access
//! level), `catalogs/destructive.tsv` (curated rules) and
//! `catalogs/destructive_verbs.tsv` (generic verb defaults). A bad row is an
//! error naming the file and line; so is a curated action that is not in the
//! IAM list, or a glob that names no action, so a regenerated IAM list that
//! drops an action fails `cargo test` rather than silently losing a rule.
//!
//! Precedence: an exact curated pattern, else the most specific curated glob
//! (most literal characters, then the earlier line), else the generic verb
//! rules. A curated pattern always decides, even when it says `none`.

use crate::cloudtrail::request_params::{self, Parsed};
use anyhow::{Context, Result, anyhow, bail};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::conditions::Condition;
use super::iam_actions::{AccessLevel, IamActions};
use super::pattern::ActionPattern;
use super::{Category, Classification, ClassifyContext, Severity};

const CURATED: &str = include_str!("../../catalogs/destructive.tsv");
const CURATED_NAME: &str = "catalogs/destructive.tsv";
const CURATED_HEADER: &str =
    "iam_action\tcategory\tseverity\tcondition\tseverity_if_condition\twhy\treference";

const VERBS: &str = include_str!("../../catalogs/destructive_verbs.tsv");
const VERBS_NAME: &str = "catalogs/destructive_verbs.tsv";
const VERBS_HEADER: &str = "verb\taccess_level\tnoun\tcategory\tseverity\twhy\treference";

const IAM_ACTIONS_GZ: &[u8] = include_bytes!("../../catalogs/iam_actions.tsv.gz");
const IAM_ACTIONS_NAME: &str = "catalogs/iam_actions.tsv.gz";

/// The first line of `catalogs/iam_actions.tsv.gz`: its source package,
/// version and licence (for `--version`).
pub fn iam_actions_header() -> String {
    use std::io::BufRead;
    let mut line = String::new();
    let mut r = std::io::BufReader::new(flate2::read::GzDecoder::new(IAM_ACTIONS_GZ));
    match r.read_line(&mut line) {
        Ok(_) => line.trim_end().to_string(),
        Err(_) => String::new(),
    }
}

/// Why an action is destructive and where to read more.
#[derive(Debug)]
struct Text {
    why: String,
    reference: String,
}

/// A condition row: when `condition` holds, the severity becomes `severity`.
#[derive(Debug)]
struct Raise {
    condition: Condition,
    severity: Severity,
    text: Text,
}

/// All rows of one `iam_action` pattern.
#[derive(Debug)]
struct RuleGroup {
    /// As written in the file (`ec2:Delete*Table`), used in rule names.
    written: String,
    pattern: ActionPattern,
    category: Category,
    /// `None`: not destructive unless a condition holds.
    base: Option<Severity>,
    /// The row with an empty condition.
    base_text: Option<Text>,
    raises: Vec<Raise>,
    first_line: usize,
}

/// One row of `destructive_verbs.tsv`.
#[derive(Debug)]
struct VerbRule {
    verb: String,
    level: AccessLevel,
    /// Lower-cased; empty for the catch-all row.
    noun_lower: String,
    /// As written, for the rule name.
    noun: String,
    category: Category,
    severity: Severity,
    text: Text,
}

impl VerbRule {
    fn rule_name(&self) -> String {
        if self.noun.is_empty() {
            format!("generic:{}", self.verb)
        } else {
            format!("generic:{}*{}", self.verb, self.noun)
        }
    }
}

/// Counts for the catalog README and `trailblame catalog` style output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Actions in `iam_actions.tsv.gz`.
    pub iam_actions: usize,
    /// Data rows in `destructive.tsv`.
    pub curated_rows: usize,
    /// Distinct `iam_action` patterns in `destructive.tsv`.
    pub curated_patterns: usize,
    /// IAM actions some curated pattern decides (including `none` ones).
    pub curated_actions: usize,
    /// IAM actions only the generic verb rules cover.
    pub generic_actions: usize,
    /// Rows in `destructive_verbs.tsv`.
    pub verb_rows: usize,
}

/// The parsed, validated catalog.
pub struct DestructiveCatalog {
    iam: IamActions,
    groups: Vec<RuleGroup>,
    exact: HashMap<String, usize>,
    /// Indices into `groups` of glob patterns, most specific first.
    globs: Vec<usize>,
    verbs: Vec<VerbRule>,
    verb_names: Vec<String>,
    curated_rows: usize,
}

/// The embedded catalog, validated on first use. Call at start-up so a broken
/// catalog fails before any input is read.
pub fn catalog() -> Result<&'static DestructiveCatalog> {
    static CELL: OnceLock<std::result::Result<DestructiveCatalog, String>> = OnceLock::new();
    CELL.get_or_init(|| load().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
        .context("loading the embedded destructive-actions catalog")
}

fn load() -> Result<DestructiveCatalog> {
    let iam = IamActions::from_gz(IAM_ACTIONS_GZ, IAM_ACTIONS_NAME)?;
    DestructiveCatalog::parse(iam, CURATED, CURATED_NAME, VERBS, VERBS_NAME)
}

/// Data lines with their 1-based numbers, after comments (`#`) and blank
/// lines; the first data line must be `header`. Each line's `N` fields, or
/// an error naming the line.
fn data_lines<'a, const N: usize>(
    text: &'a str,
    name: &'a str,
    header: &str,
) -> Result<impl Iterator<Item = (usize, Result<[&'a str; N]>)>> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    match lines.next() {
        Some((_, h)) if h == header => {}
        Some((n, h)) => bail!("{name}:{n}: unexpected header {h:?}, want {header:?}"),
        None => bail!("{name}: no header"),
    }
    Ok(lines.map(move |(n, l)| {
        let fields = crate::tsv::fields(l)
            .map_err(|k| anyhow!("{name}:{n}: expected {N} tab-separated columns, found {k}"));
        (n, fields)
    }))
}

fn check_text(at: &str, why: &str, reference: &str) -> Result<Text> {
    if why.trim().is_empty() {
        bail!("{at}: why is empty");
    }
    if !reference.starts_with("https://") || reference.contains(char::is_whitespace) {
        bail!("{at}: reference {reference:?} is not an https URL");
    }
    Ok(Text {
        why: why.to_string(),
        reference: reference.to_string(),
    })
}

fn parse_category(at: &str, s: &str) -> Result<Category> {
    Category::parse(s).ok_or_else(|| {
        let all: Vec<_> = Category::ALL.iter().map(|c| c.as_str()).collect();
        anyhow!("{at}: unknown category {s:?} (one of {})", all.join(", "))
    })
}

fn parse_severity(at: &str, s: &str) -> Result<Severity> {
    Severity::parse(s)
        .ok_or_else(|| anyhow!("{at}: unknown severity {s:?} (low, medium, high or critical)"))
}

impl DestructiveCatalog {
    /// Parses and cross-checks the curated rules and verb rules against the
    /// IAM action list. `*_name` is used in error messages.
    pub fn parse(
        iam: IamActions,
        curated: &str,
        curated_name: &str,
        verbs: &str,
        verbs_name: &str,
    ) -> Result<DestructiveCatalog> {
        let mut c = DestructiveCatalog {
            iam,
            groups: Vec::new(),
            exact: HashMap::new(),
            globs: Vec::new(),
            verbs: Vec::new(),
            verb_names: Vec::new(),
            curated_rows: 0,
        };
        c.parse_curated(curated, curated_name)?;
        c.parse_verbs(verbs, verbs_name)?;
        Ok(c)
    }

    fn parse_curated(&mut self, text: &str, name: &str) -> Result<()> {
        let mut by_pattern: HashMap<String, usize> = HashMap::new();
        for (n, f) in data_lines::<7>(text, name, CURATED_HEADER)? {
            let at = format!("{name}:{n}");
            let f = f?;
            let pattern = ActionPattern::parse(f[0]).map_err(|e| anyhow!("{at}: {e}"))?;
            if pattern.literal_len() == 0 {
                bail!(
                    "{at}: {} names a whole service; list its actions or a narrower glob",
                    f[0]
                );
            }
            let category = parse_category(&at, f[1])?;
            let base = match f[2] {
                "none" => None,
                s => Some(Severity::parse(s).ok_or_else(|| {
                    anyhow!("{at}: unknown severity {s:?} (none, low, medium, high or critical)")
                })?),
            };
            let condition = match f[3] {
                "" => None,
                s => Some(Condition::parse(s).ok_or_else(|| {
                    let all: Vec<_> = Condition::ALL.iter().map(|c| c.name()).collect();
                    anyhow!("{at}: unknown condition {s:?} (one of {})", all.join(", "))
                })?),
            };
            let raised = match (condition, f[4]) {
                (None, "") => None,
                (None, s) => bail!("{at}: severity_if_condition {s:?} given without a condition"),
                (Some(c), "") => {
                    bail!("{at}: condition {} needs a severity_if_condition", c.name())
                }
                (Some(_), s) => {
                    let s = parse_severity(&at, s)?;
                    if base.is_some_and(|b| s <= b) {
                        bail!(
                            "{at}: severity_if_condition {s} does not raise the severity {}",
                            f[2]
                        );
                    }
                    Some(s)
                }
            };
            let text = check_text(&at, f[5], f[6])?;
            if pattern.is_glob() {
                if self.iam.matching_pattern(&pattern).next().is_none() {
                    bail!(
                        "{at}: glob {} matches no action in {IAM_ACTIONS_NAME}",
                        f[0]
                    );
                }
            } else if self.iam.get_lower(pattern.lower()).is_none() {
                bail!("{at}: {} is not an action in {IAM_ACTIONS_NAME}", f[0]);
            }

            let gi = match by_pattern.get(pattern.lower()) {
                Some(&gi) => {
                    let g = &self.groups[gi];
                    if g.category != category || g.base != base {
                        bail!(
                            "{at}: {} has category/severity {}/{} here but {}/{} on line {}",
                            f[0],
                            category,
                            f[2],
                            g.category,
                            g.base.map_or("none", Severity::as_str),
                            g.first_line
                        );
                    }
                    gi
                }
                None => {
                    let gi = self.groups.len();
                    by_pattern.insert(pattern.lower().to_string(), gi);
                    self.groups.push(RuleGroup {
                        written: f[0].to_string(),
                        pattern,
                        category,
                        base,
                        base_text: None,
                        raises: Vec::new(),
                        first_line: n,
                    });
                    gi
                }
            };
            let g = &mut self.groups[gi];
            match (condition, raised) {
                (Some(condition), Some(severity)) => {
                    if g.raises.iter().any(|r| r.condition == condition) {
                        bail!("{at}: {} has condition {} twice", f[0], condition.name());
                    }
                    g.raises.push(Raise {
                        condition,
                        severity,
                        text,
                    });
                }
                _ => {
                    if g.base_text.is_some() {
                        bail!("{at}: {} has a second row without a condition", f[0]);
                    }
                    g.base_text = Some(text);
                }
            }
            self.curated_rows += 1;
        }
        for g in &self.groups {
            if let (Some(b), None) = (g.base, &g.base_text) {
                bail!(
                    "{name}:{}: {} has severity {b} but no row with an empty condition to say why",
                    g.first_line,
                    g.written
                );
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            if g.pattern.is_glob() {
                self.globs.push(i);
            } else {
                self.exact.insert(g.pattern.lower().to_string(), i);
            }
        }
        let groups = &self.groups;
        self.globs.sort_by_key(|&i| {
            (
                std::cmp::Reverse(groups[i].pattern.literal_len()),
                groups[i].first_line,
            )
        });
        if self.groups.is_empty() {
            bail!("{name}: no rules");
        }
        Ok(())
    }

    fn parse_verbs(&mut self, text: &str, name: &str) -> Result<()> {
        let mut seen = HashSet::new();
        for (n, f) in data_lines::<7>(text, name, VERBS_HEADER)? {
            let at = format!("{name}:{n}");
            let f = f?;
            let verb = f[0];
            if !verb.starts_with(|c: char| c.is_ascii_uppercase())
                || !verb.bytes().all(|b| b.is_ascii_alphabetic())
            {
                bail!("{at}: verb {verb:?} is not a capitalised word");
            }
            let level = match AccessLevel::parse(f[1]) {
                Some(l @ (AccessLevel::Write | AccessLevel::PermissionsManagement)) => l,
                _ => bail!(
                    "{at}: access_level {:?} must be Write or Permissions management",
                    f[1]
                ),
            };
            let noun = f[2];
            if !noun.bytes().all(|b| b.is_ascii_alphanumeric()) {
                bail!("{at}: noun {noun:?} must be letters and digits");
            }
            let category = parse_category(&at, f[3])?;
            let severity = parse_severity(&at, f[4])?;
            let text = check_text(&at, f[5], f[6])?;
            if !seen.insert((verb.to_string(), level, noun.to_ascii_lowercase())) {
                bail!("{at}: {verb} / {level} / {noun:?} listed twice");
            }
            if !self.verb_names.iter().any(|v| v == verb) {
                self.verb_names.push(verb.to_string());
            }
            self.verbs.push(VerbRule {
                verb: verb.to_string(),
                level,
                noun_lower: noun.to_ascii_lowercase(),
                noun: noun.to_string(),
                category,
                severity,
                text,
            });
        }
        for verb in &self.verb_names {
            for level in [AccessLevel::Write, AccessLevel::PermissionsManagement] {
                if !seen.contains(&(verb.clone(), level, String::new())) {
                    bail!(
                        "{name}: verb {verb} has no row for access level {level} with an empty noun"
                    );
                }
            }
        }
        // Noun rows before catch-all rows, file order otherwise (stable sort).
        self.verbs.sort_by_key(|v| v.noun_lower.is_empty());
        if self.verbs.is_empty() {
            bail!("{name}: no rules");
        }
        Ok(())
    }

    /// The IAM action list the catalog was checked against.
    pub fn iam_actions(&self) -> &IamActions {
        &self.iam
    }

    fn group_for(&self, action_lower: &str) -> Option<&RuleGroup> {
        if let Some(&i) = self.exact.get(action_lower) {
            return Some(&self.groups[i]);
        }
        self.globs
            .iter()
            .map(|&i| &self.groups[i])
            .find(|g| g.pattern.matches_lower(action_lower))
    }

    /// The verb rule for an action no curated pattern names. `name` is the
    /// part after the colon.
    fn generic(&self, action_lower: &str, name: &str) -> Option<&VerbRule> {
        let (level, name) = match self.iam.get_lower(action_lower) {
            Some(a) => (a.access_level, a.action()),
            // Not an IAM action (an event name IAM does not list): judged as Write.
            None => (AccessLevel::Write, name),
        };
        if !matches!(
            level,
            AccessLevel::Write | AccessLevel::PermissionsManagement
        ) {
            return None;
        }
        let starts_word = |s: &str, w: &str| {
            s.strip_prefix(w).is_some_and(|rest| {
                rest.is_empty()
                    || rest.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
        };
        let unbatched = name
            .strip_prefix("Batch")
            .filter(|rest| self.verb_names.iter().any(|v| starts_word(rest, v)))
            .unwrap_or(name);
        let verb = self.verb_names.iter().find(|v| starts_word(unbatched, v))?;
        let lower = unbatched.to_ascii_lowercase();
        self.verbs.iter().find(|r| {
            r.verb == *verb
                && r.level == level
                && (r.noun_lower.is_empty()
                    || lower.ends_with(&r.noun_lower)
                    || lower
                        .strip_suffix('s')
                        .is_some_and(|l| l.ends_with(&r.noun_lower)))
        })
    }

    /// Classifies one event. See [`super::classify`] for the arguments.
    pub fn classify(
        &self,
        iam_action: &str,
        event_name: &str,
        request_parameters: Option<&str>,
        error_code: Option<&str>,
        ctx: &ClassifyContext,
    ) -> Option<Classification> {
        let (lower, name) = split_action(iam_action)?;
        let failed = error_code.is_some_and(|c| !c.trim().is_empty());
        if let Some(g) = self.group_for(&lower) {
            return apply_group(g, event_name, request_parameters, ctx, failed);
        }
        let rule = self.generic(&lower, name)?;
        Some(Classification {
            category: rule.category,
            severity: rule.severity,
            rule: rule.rule_name(),
            why: rule.text.why.clone(),
            reference: rule.text.reference.clone(),
            conditions: Vec::new(),
            failed,
            parameters_unreadable: false,
        })
    }

    /// False when `classify` returns `None` for every event with this IAM
    /// action, whatever its name, parameters, error or context.
    pub fn may_classify(&self, iam_action: &str) -> bool {
        split_action(iam_action).is_some_and(|(lower, name)| {
            self.group_for(&lower).is_some() || self.generic(&lower, name).is_some()
        })
    }

    /// How much of the IAM action list the catalog covers.
    pub fn coverage(&self) -> Coverage {
        let mut curated_actions = 0;
        let mut generic_actions = 0;
        for a in self.iam.iter() {
            let lower = a.full().to_ascii_lowercase();
            if self.group_for(&lower).is_some() {
                curated_actions += 1;
            } else if self.generic(&lower, a.action()).is_some() {
                generic_actions += 1;
            }
        }
        Coverage {
            iam_actions: self.iam.len(),
            curated_rows: self.curated_rows,
            curated_patterns: self.groups.len(),
            curated_actions,
            generic_actions,
            verb_rows: self.verbs.len(),
        }
    }
}

/// `s3:DeleteBucket` as its lowercase text and the part after the colon.
fn split_action(iam_action: &str) -> Option<(String, &str)> {
    let (prefix, name) = iam_action.split_once(':')?;
    if prefix.is_empty() || name.is_empty() {
        return None;
    }
    Some((iam_action.to_ascii_lowercase(), name))
}

fn apply_group(
    g: &RuleGroup,
    event_name: &str,
    request_parameters: Option<&str>,
    ctx: &ClassifyContext,
    failed: bool,
) -> Option<Classification> {
    let params = if g.raises.iter().any(|r| r.condition.reads_parameters()) {
        request_params::parse(request_parameters)
    } else {
        Parsed::Absent
    };
    let parameters_unreadable = params.is_unreadable();
    let mut conditions = Vec::new();
    let mut best: Option<&Raise> = None;
    for r in &g.raises {
        if r.condition.holds(event_name, params.value(), ctx) {
            conditions.push(r.condition);
            if best.is_none_or(|b| r.severity > b.severity) {
                best = Some(r);
            }
        }
    }
    let (severity, rule, text) = match (best, g.base, &g.base_text) {
        (Some(r), _, _) => (
            r.severity,
            format!("{}[{}]", g.written, r.condition.name()),
            &r.text,
        ),
        (None, Some(b), Some(t)) => (b, g.written.clone(), t),
        _ => return None,
    };
    Some(Classification {
        category: g.category,
        severity,
        rule,
        why: text.why.clone(),
        reference: text.reference.clone(),
        conditions,
        failed,
        parameters_unreadable,
    })
}

#[cfg(test)]
mod tests;
