//! The event columns attribution uses (`Events`), one entry per event in
//! store order, filled part by part, with the destructive catalog's
//! verdicts taken on the way (no context yet).

use super::StrCol;
use crate::schema::events;
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;

/// The event columns attribution uses, one entry per event, in store order.
#[derive(Default)]
pub struct Events {
    /// eventTime in microseconds since the epoch.
    pub time: Vec<i64>,
    pub console: Vec<bool>,
    /// `crate::attribution::is_write` of each event.
    pub write: Vec<bool>,
    pub source: StrCol,
    pub name: StrCol,
    pub region: StrCol,
    pub account: StrCol,
    pub identity_type: StrCol,
    pub principal_arn: StrCol,
    pub user_name: StrCol,
    pub role_name: StrCol,
    pub session_name: StrCol,
    pub source_identity: StrCol,
    pub invoked_by: StrCol,
    pub on_behalf_of: StrCol,
    pub access_key_id: StrCol,
    pub source_ip: StrCol,
    pub user_agent: StrCol,
    pub event_type: StrCol,
    pub error_code: StrCol,
    /// Event ids of CloudFormation stack operations (for `stack_op:` evidence).
    pub stack_op_ids: PlHashMap<usize, Box<str>>,
    /// The access key id each successful STS credential call issued
    /// (`responseElements.credentials.accessKeyId`), and the call's event
    /// id, by event index.
    pub issued_keys: PlHashMap<usize, (Box<str>, Box<str>)>,
    /// Events the destructive catalog matched (without context yet), by index.
    pub destructive: Vec<DestructiveHit>,
}

/// An event the destructive catalog matched, with what is needed to
/// classify it again once its actor and tool call are known.
#[derive(Clone, Debug)]
pub struct DestructiveHit {
    pub event: usize,
    pub iam_action: Box<str>,
    pub request_parameters: Option<Box<str>>,
    pub classification: crate::destructive::Classification,
}

/// One event as plain fields, for tests and small inputs.
#[derive(Default, Clone, Copy)]
pub struct Row<'a> {
    pub id: &'a str,
    pub time: i64,
    pub console: bool,
    pub read_only: Option<bool>,
    pub source: Option<&'a str>,
    pub name: Option<&'a str>,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub identity_type: Option<&'a str>,
    pub principal_arn: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub role_name: Option<&'a str>,
    pub session_name: Option<&'a str>,
    pub source_identity: Option<&'a str>,
    pub invoked_by: Option<&'a str>,
    pub on_behalf_of: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    /// The access key id an STS call issued (its responseElements).
    pub issued_key: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub error_code: Option<&'a str>,
}

pub const STS: &str = "sts.amazonaws.com";

/// The access key id in an STS call's `responseElements`
/// (`credentials.accessKeyId`, as AssumeRole, AssumeRoleWithWebIdentity,
/// AssumeRoleWithSAML, GetSessionToken and GetFederationToken record it).
/// Anything else, or text that is not JSON, gives `None`.
pub fn issued_key(response_elements: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(response_elements).ok()?;
    let k = v.get("credentials")?.get("accessKeyId")?.as_str()?;
    (!k.is_empty() && k.len() <= 128).then(|| k.to_string())
}

/// CloudFormation operations whose calls inherit their actor.
pub const STACK_OPS: &[&str] = &[
    "CreateStack",
    "UpdateStack",
    "DeleteStack",
    "ExecuteChangeSet",
    "RollbackStack",
    "ContinueUpdateRollback",
];

fn is_stack_op(source: Option<&str>, name: Option<&str>) -> bool {
    source == Some("cloudformation.amazonaws.com") && name.is_some_and(|n| STACK_OPS.contains(&n))
}

impl Events {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn push(&mut self, r: Row) {
        if is_stack_op(r.source, r.name) {
            self.stack_op_ids.insert(self.len(), r.id.into());
        }
        if let Some(k) = r.issued_key {
            self.issued_keys.insert(self.len(), (k.into(), r.id.into()));
        }
        self.time.push(r.time);
        self.console.push(r.console);
        self.write
            .push(crate::attribution::is_write(r.read_only, r.error_code));
        self.source.push(r.source);
        self.name.push(r.name);
        self.region.push(r.region);
        self.account.push(r.account);
        self.identity_type.push(r.identity_type);
        self.principal_arn.push(r.principal_arn);
        self.user_name.push(r.user_name);
        self.role_name.push(r.role_name);
        self.session_name.push(r.session_name);
        self.source_identity.push(r.source_identity);
        self.invoked_by.push(r.invoked_by);
        self.on_behalf_of.push(r.on_behalf_of);
        self.access_key_id.push(r.access_key_id);
        self.source_ip.push(r.source_ip);
        self.user_agent.push(r.user_agent);
        self.event_type.push(r.event_type);
        self.error_code.push(r.error_code);
    }

    fn columns(&mut self) -> Vec<(&'static str, &mut StrCol)> {
        vec![
            (events::EVENT_SOURCE, &mut self.source),
            (events::EVENT_NAME, &mut self.name),
            (events::AWS_REGION, &mut self.region),
            (events::ACCOUNT_ID, &mut self.account),
            (events::IDENTITY_TYPE, &mut self.identity_type),
            (events::PRINCIPAL_ARN, &mut self.principal_arn),
            (events::USER_NAME, &mut self.user_name),
            (events::ROLE_NAME, &mut self.role_name),
            (events::SESSION_NAME, &mut self.session_name),
            (events::SOURCE_IDENTITY, &mut self.source_identity),
            (events::INVOKED_BY, &mut self.invoked_by),
            (events::ON_BEHALF_OF, &mut self.on_behalf_of),
            (events::ACCESS_KEY_ID, &mut self.access_key_id),
            (events::SOURCE_IP, &mut self.source_ip),
            (events::USER_AGENT, &mut self.user_agent),
            (events::EVENT_TYPE, &mut self.event_type),
            (events::ERROR_CODE, &mut self.error_code),
        ]
    }

    /// Appends one part's rows (a frame made by `event_selection`); the
    /// columns and the destructive catalog run in parallel.
    pub fn extend(&mut self, df: &DataFrame) -> Result<()> {
        let base = self.len();
        let ids = df.column(events::EVENT_ID)?.str()?;
        let src = df.column(events::EVENT_SOURCE)?.str()?;
        let name = df.column(events::EVENT_NAME)?.str()?;
        for (k, (s, n)) in src.iter().zip(name.iter()).enumerate() {
            if is_stack_op(s, n) {
                let id = ids.get(k).unwrap_or("?");
                self.stack_op_ids.insert(base + k, id.into());
            }
        }
        let responses = df.column(events::RESPONSE_ELEMENTS)?.str()?;
        for (k, r) in responses.iter().enumerate() {
            if let Some(key) = r.and_then(issued_key) {
                let id = ids.get(k).unwrap_or("?");
                self.issued_keys.insert(base + k, (key.into(), id.into()));
            }
        }
        self.time.extend(
            df.column(events::EVENT_TIME)?
                .i64()?
                .iter()
                .map(|t| t.unwrap_or(i64::MIN)),
        );
        self.console.extend(
            df.column(events::CONSOLE_SESSION)?
                .bool()?
                .iter()
                .map(|b| b.unwrap_or(false)),
        );
        let read_only = df.column(events::READ_ONLY)?.bool()?;
        let err = df.column(events::ERROR_CODE)?.str()?;
        self.write.extend(
            read_only
                .iter()
                .zip(err.iter())
                .map(|(r, e)| crate::attribution::is_write(r, e)),
        );
        let mut cols = self.columns();
        let (hits, filled) = rayon::join(
            || classify_part(df, base),
            || {
                cols.par_iter_mut()
                    .try_for_each(|(name, col)| -> Result<()> {
                        col.extend(df.column(name)?.str()?.iter());
                        Ok(())
                    })
            },
        );
        filled?;
        self.destructive.extend(hits?);
        Ok(())
    }

    /// Room for `n` more events in every per-event column.
    pub fn reserve(&mut self, n: usize) {
        self.time.reserve_exact(n);
        self.console.reserve_exact(n);
        self.write.reserve_exact(n);
        for (_, c) in self.columns() {
            c.reserve(n);
        }
    }

    /// Drops the load-time indexes.
    pub fn done_loading(&mut self) {
        for (_, c) in self.columns() {
            c.done_loading();
        }
    }
}

/// Runs the destructive catalog over one part (no context yet: production
/// accounts, earlier deletes and the causing command come later).
fn classify_part(df: &DataFrame, base: usize) -> Result<Vec<DestructiveHit>> {
    let iam = df.column(events::IAM_ACTION)?.str()?;
    let name = df.column(events::EVENT_NAME)?.str()?;
    let params = df.column(events::REQUEST_PARAMETERS)?.str()?;
    let err = df.column(events::ERROR_CODE)?.str()?;
    let user = df.column(events::USER_NAME)?.str()?;
    // A part has a few hundred distinct actions: those that can never be
    // destructive are ruled out once, not on every row.
    let actions = iam.unique()?;
    let candidates: PlHashSet<&str> = actions
        .iter()
        .flatten()
        .filter(|a| crate::destructive::may_classify(a))
        .collect();
    let hit = |k: usize| {
        if !iam.get(k).is_some_and(|a| candidates.contains(a)) {
            return None;
        }
        destructive_hit(
            base + k,
            iam.get(k),
            name.get(k),
            params.get(k),
            err.get(k),
            user.get(k),
        )
    };
    Ok((0..df.height()).into_par_iter().filter_map(hit).collect())
}

/// The destructive catalog's verdict on one event, without context.
fn destructive_hit(
    event: usize,
    iam_action: Option<&str>,
    name: Option<&str>,
    params: Option<&str>,
    error_code: Option<&str>,
    user_name: Option<&str>,
) -> Option<DestructiveHit> {
    let action = iam_action?;
    let c = crate::destructive::classify(
        action,
        name.unwrap_or(""),
        params,
        error_code,
        &crate::destructive::ClassifyContext {
            caller_user_name: user_name,
            ..Default::default()
        },
    )?;
    Some(DestructiveHit {
        event,
        iam_action: action.into(),
        request_parameters: params.map(Into::into),
        classification: c,
    })
}
