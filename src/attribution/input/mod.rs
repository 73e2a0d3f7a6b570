//! What attribution reads: the events' identity and user-agent columns, and
//! the transcripts' tool calls with their sessions. Columns borrow from the
//! frames they were read from (no copies of 1M strings).

use crate::schema::{ev, tr};
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;

/// A string column stored as ids into its distinct values: CloudTrail's
/// identity and user-agent columns repeat heavily, so 1M events take a few
/// bytes each instead of a copy of every string.
#[derive(Default, Clone, Debug)]
pub struct StrCol {
    ids: Ids,
    values: Vec<Box<str>>,
    index: PlHashMap<Box<str>, u32>,
}

const NULL: u32 = u32::MAX;
const NARROW_NULL: u16 = u16::MAX;

/// Row ids: two bytes a row while the column has fewer than 65,535
/// distinct values (most do), four after.
#[derive(Clone, Debug)]
enum Ids {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Ids {
        Ids::Narrow(Vec::new())
    }
}

impl Ids {
    fn get(&self, i: usize) -> u32 {
        match self {
            Ids::Narrow(v) => match v[i] {
                NARROW_NULL => NULL,
                id => u32::from(id),
            },
            Ids::Wide(v) => v[i],
        }
    }

    fn len(&self) -> usize {
        match self {
            Ids::Narrow(v) => v.len(),
            Ids::Wide(v) => v.len(),
        }
    }

    fn push(&mut self, id: u32) {
        match self {
            Ids::Narrow(v) => match u16::try_from(id) {
                Ok(narrow) if narrow != NARROW_NULL => v.push(narrow),
                _ if id == NULL => v.push(NARROW_NULL),
                _ => {
                    let mut wide: Vec<u32> = Vec::with_capacity(v.capacity().max(v.len() + 1));
                    wide.extend(v.iter().map(|&n| match n {
                        NARROW_NULL => NULL,
                        n => u32::from(n),
                    }));
                    wide.push(id);
                    *self = Ids::Wide(wide);
                }
            },
            Ids::Wide(v) => v.push(id),
        }
    }
}

impl StrCol {
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.ids.get(i) {
            NULL => None,
            id => Some(&self.values[id as usize]),
        }
    }

    /// The id of row `i`'s value (equal values, equal ids), `None` for null.
    pub fn id(&self, i: usize) -> Option<u32> {
        Some(self.ids.get(i)).filter(|id| *id != NULL)
    }

    /// The value behind an id from `id`.
    pub fn value(&self, id: u32) -> &str {
        &self.values[id as usize]
    }

    pub fn distinct(&self) -> usize {
        self.values.len()
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    pub fn push(&mut self, v: Option<&str>) {
        let id = match v {
            None => NULL,
            Some(s) => match self.index.get(s) {
                Some(id) => *id,
                None => {
                    let id = self.values.len() as u32;
                    self.values.push(s.into());
                    self.index.insert(s.into(), id);
                    id
                }
            },
        };
        self.ids.push(id);
    }

    /// A whole column at once, grouped by polars on all cores (much faster
    /// than `push` row by row). Ids follow the grouping's order, so callers
    /// must not order anything by id.
    pub fn from_strings(ca: &StringChunked) -> Result<StrCol> {
        let groups = ca.group_tuples(true, false)?;
        let GroupsType::Idx(g) = &groups else {
            let mut col = StrCol::default();
            col.extend(ca.iter());
            col.done_loading();
            return Ok(col);
        };
        let mut ids = vec![NULL; ca.len()];
        let mut values: Vec<Box<str>> = Vec::with_capacity(g.first().len());
        for (first, all) in g.first().iter().zip(g.all()) {
            if let Some(v) = ca.get(*first as usize) {
                let id = values.len() as u32;
                values.push(v.into());
                for &i in all.iter() {
                    ids[i as usize] = id;
                }
            }
        }
        Ok(StrCol {
            ids: Ids::Wide(ids),
            values,
            index: PlHashMap::default(),
        })
    }

    pub fn extend<'x>(&mut self, it: impl Iterator<Item = Option<&'x str>>) {
        for v in it {
            self.push(v);
        }
    }

    /// Drops the lookup index once every row is in (ids stay valid).
    pub fn done_loading(&mut self) {
        self.index = PlHashMap::default();
    }
}

/// The event columns attribution uses, one entry per event, in store order.
#[derive(Default)]
pub struct Events {
    /// eventTime in microseconds since the epoch.
    pub time: Vec<i64>,
    pub console: Vec<bool>,
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
    pub source_ip: StrCol,
    pub user_agent: StrCol,
    pub event_type: StrCol,
    pub error_code: StrCol,
    /// Event ids of CloudFormation stack operations (for `stack_op:` evidence).
    pub stack_op_ids: PlHashMap<usize, Box<str>>,
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
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub error_code: Option<&'a str>,
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
        self.time.push(r.time);
        self.console.push(r.console);
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
        self.source_ip.push(r.source_ip);
        self.user_agent.push(r.user_agent);
        self.event_type.push(r.event_type);
        self.error_code.push(r.error_code);
    }

    fn columns(&mut self) -> Vec<(&'static str, &mut StrCol)> {
        vec![
            (ev::EVENT_SOURCE, &mut self.source),
            (ev::EVENT_NAME, &mut self.name),
            (ev::AWS_REGION, &mut self.region),
            (ev::ACCOUNT_ID, &mut self.account),
            (ev::IDENTITY_TYPE, &mut self.identity_type),
            (ev::PRINCIPAL_ARN, &mut self.principal_arn),
            (ev::USER_NAME, &mut self.user_name),
            (ev::ROLE_NAME, &mut self.role_name),
            (ev::SESSION_NAME, &mut self.session_name),
            (ev::SOURCE_IDENTITY, &mut self.source_identity),
            (ev::INVOKED_BY, &mut self.invoked_by),
            (ev::ON_BEHALF_OF, &mut self.on_behalf_of),
            (ev::SOURCE_IP, &mut self.source_ip),
            (ev::USER_AGENT, &mut self.user_agent),
            (ev::EVENT_TYPE, &mut self.event_type),
            (ev::ERROR_CODE, &mut self.error_code),
        ]
    }

    /// Appends one part's rows (a frame made by `event_selection`); the
    /// columns and the destructive catalog run in parallel.
    pub fn extend(&mut self, df: &DataFrame) -> Result<()> {
        let base = self.len();
        let ids = df.column(ev::EVENT_ID)?.str()?;
        let src = df.column(ev::EVENT_SOURCE)?.str()?;
        let name = df.column(ev::EVENT_NAME)?.str()?;
        for (k, (s, n)) in src.iter().zip(name.iter()).enumerate() {
            if is_stack_op(s, n) {
                let id = ids.get(k).unwrap_or("?");
                self.stack_op_ids.insert(base + k, id.into());
            }
        }
        self.time.extend(
            df.column(ev::EVENT_TIME)?
                .i64()?
                .iter()
                .map(|t| t.unwrap_or(i64::MIN)),
        );
        self.console.extend(
            df.column(ev::CONSOLE_SESSION)?
                .bool()?
                .iter()
                .map(|b| b.unwrap_or(false)),
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

    /// Drops the load-time indexes.
    pub fn done_loading(&mut self) {
        for (_, c) in self.columns() {
            c.done_loading();
        }
    }
}

/// The event ids the `attribution` table is keyed by: the first event of
/// each distinct id, in store order, with its index.
///
/// CloudTrail's ids are lowercase UUIDs: those are kept as their 128 bits
/// (16 bytes, not a 36-byte string plus a hash to find repeats), any other
/// id as text. 3M events take about 65 MB.
#[derive(Default)]
pub struct EventIds {
    /// Per id: a UUID's bits, or the index of the id in `other`.
    keys: Vec<u128>,
    /// Per id: its event's index.
    rows: Vec<u32>,
    /// Per id: true when `keys` points into `other`.
    is_other: Vec<bool>,
    other: Vec<Box<str>>,
}

impl EventIds {
    /// Adds `id` for event `row` (events are indexed by u32 throughout
    /// attribution).
    pub fn push(&mut self, row: usize, id: &str) {
        match parse_uuid(id) {
            Some(bits) => {
                self.keys.push(bits);
                self.is_other.push(false);
            }
            None => {
                self.keys.push(self.other.len() as u128);
                self.other.push(id.into());
                self.is_other.push(true);
            }
        }
        self.rows.push(row as u32);
    }

    /// Keeps only the first event of each id.
    pub fn finish(&mut self) {
        let mut keep = vec![true; self.keys.len()];
        // UUIDs: sorted by (bits, push order), all but the first of a run go.
        let mut order: Vec<u32> = (0..self.keys.len() as u32)
            .filter(|&k| !self.is_other[k as usize])
            .collect();
        order.sort_unstable_by_key(|&k| (self.keys[k as usize], k));
        for w in order.windows(2) {
            if self.keys[w[0] as usize] == self.keys[w[1] as usize] {
                keep[w[1] as usize] = false;
            }
        }
        drop(order);
        // Other ids (rare): by text, in push order.
        let mut seen: PlHashSet<&str> = PlHashSet::default();
        for (k, other) in self.is_other.iter().enumerate() {
            if *other && !seen.insert(&self.other[self.keys[k] as usize]) {
                keep[k] = false;
            }
        }
        drop(seen);
        let mut k = 0;
        self.keys.retain(|_| (keep[k], k += 1).0);
        k = 0;
        self.rows.retain(|_| (keep[k], k += 1).0);
        k = 0;
        self.is_other.retain(|_| (keep[k], k += 1).0);
    }

    /// Distinct ids (after `finish`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The `k`th id's event index.
    pub fn row(&self, k: usize) -> usize {
        self.rows[k] as usize
    }

    /// Writes the `k`th id into `out` (cleared first).
    pub fn write_id(&self, k: usize, out: &mut String) {
        out.clear();
        if self.is_other[k] {
            out.push_str(&self.other[self.keys[k] as usize]);
        } else {
            format_uuid(self.keys[k], out);
        }
    }
}

/// The bits of a lowercase, hyphenated UUID (the only spelling kept as
/// bits, so writing it back gives the same text).
fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | u128::from(d);
    }
    Some(v)
}

fn format_uuid(v: u128, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let mut digits = 0;
    for (at, byte) in text.iter_mut().enumerate() {
        if !matches!(at, 8 | 13 | 18 | 23) {
            *byte = HEX[((v >> (124 - 4 * digits)) & 0xf) as usize];
            digits += 1;
        }
    }
    // Only ASCII hex digits and hyphens were written.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// Everything attribution reads from the events table.
#[derive(Default)]
pub struct Loaded {
    pub events: Events,
    pub ids: EventIds,
}

impl Loaded {
    /// Reads the store's events parts, in store order.
    pub fn from_store(store: &crate::store::Store) -> Result<Loaded> {
        let mut ids = EventIds::default();
        let mut base = 0;
        let events = load_events(store, |part| {
            for (k, id) in part.iter().enumerate() {
                if let Some(id) = id {
                    ids.push(base + k, id);
                }
            }
            base += part.len();
            Ok(())
        })?;
        ids.finish();
        Ok(Loaded { events, ids })
    }
}

/// Runs the destructive catalog over one part (no context yet: production
/// accounts, earlier deletes and the causing command come later).
fn classify_part(df: &DataFrame, base: usize) -> Result<Vec<DestructiveHit>> {
    let iam = df.column(ev::IAM_ACTION)?.str()?;
    let name = df.column(ev::EVENT_NAME)?.str()?;
    let params = df.column(ev::REQUEST_PARAMETERS)?.str()?;
    let err = df.column(ev::ERROR_CODE)?.str()?;
    let user = df.column(ev::USER_NAME)?.str()?;
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

/// Reads the store's events part by part into `Events`, calling `each_part`
/// with every part's `event_id` column (in the same order).
///
/// The next part is read while the current one is taken in, and
/// `each_part` runs beside `Events::extend`.
pub fn load_events(
    store: &crate::store::Store,
    mut each_part: impl FnMut(&StringChunked) -> Result<()> + Send,
) -> Result<Events> {
    let paths = store.part_paths(crate::schema::table::EVENTS);
    let mut e = Events::default();
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<DataFrame>>(1);
        scope.spawn(move || {
            for batch in paths.chunks(PARTS_PER_READ) {
                let df = read_parts(batch);
                let failed = df.is_err();
                if tx.send(df).is_err() || failed {
                    break;
                }
            }
        });
        for df in rx {
            let df = df?;
            let (extended, called) = rayon::join(
                || e.extend(&df),
                || each_part(df.column(ev::EVENT_ID)?.str()?),
            );
            extended?;
            called?;
        }
        Ok(())
    })?;
    e.done_loading();
    Ok(e)
}

/// Parts read in one go: a part holds 20K events on average, and per part
/// the fixed costs of a read and of a parallel pass were half the time.
const PARTS_PER_READ: usize = 4;

/// `event_selection` of `paths`, in their order; an error names the part.
fn read_parts(paths: &[std::path::PathBuf]) -> Result<DataFrame> {
    let read = |paths: &[std::path::PathBuf]| -> Result<DataFrame> {
        Ok(event_selection(crate::store::scan_files(paths)?).collect()?)
    };
    read(paths).or_else(|err| {
        // Find the part that fails on its own, to name it.
        for path in paths {
            read(std::slice::from_ref(path))
                .map_err(|e| anyhow::anyhow!("reading {}: {e:#}", path.display()))?;
        }
        Err(err.context(format!("reading {} events parts", paths.len())))
    })
}

/// One tool call that may reach AWS, with its session's agent and operator.
#[derive(Clone, Debug, Default)]
pub struct Call {
    pub session_id: String,
    pub call_id: String,
    pub agent: String,
    pub operator: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// `event_source:EventName`.
    pub expected: Vec<String>,
    pub cli_commands: Vec<String>,
    pub unknown_operations: bool,
    pub region: Option<String>,
    pub command: Option<String>,
    pub outcome: Option<String>,
    /// auto, explicit, rejected, unknown (`tool_calls.approval`).
    pub approval: Option<String>,
    pub tool_name: Option<String>,
}

/// The columns `Events` borrows, as a lazy selection with `event_time` in
/// microseconds.
pub fn event_selection(lf: LazyFrame) -> LazyFrame {
    let strs = [
        ev::EVENT_ID,
        ev::EVENT_SOURCE,
        ev::EVENT_NAME,
        ev::AWS_REGION,
        ev::ACCOUNT_ID,
        ev::IDENTITY_TYPE,
        ev::PRINCIPAL_ARN,
        ev::USER_NAME,
        ev::ROLE_NAME,
        ev::SESSION_NAME,
        ev::SOURCE_IDENTITY,
        ev::INVOKED_BY,
        ev::ON_BEHALF_OF,
        ev::SOURCE_IP,
        ev::USER_AGENT,
        ev::EVENT_TYPE,
        ev::ERROR_CODE,
        ev::IAM_ACTION,
        ev::REQUEST_PARAMETERS,
    ];
    let mut cols: Vec<Expr> = strs.iter().map(|c| col(*c)).collect();
    cols.push(
        col(ev::EVENT_TIME)
            .dt()
            .timestamp(TimeUnit::Microseconds)
            .alias(ev::EVENT_TIME),
    );
    cols.push(col(ev::CONSOLE_SESSION).fill_null(lit(false)));
    lf.select(cols)
}

fn strs<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    Ok(df
        .column(name)
        .map_err(|e| anyhow::anyhow!("column {name}: {e}"))?
        .str()?
        .iter()
        .collect())
}

/// Tool calls that reach AWS, joined with their session's agent and
/// operator, ordered by (start, session, call) so the result does not depend
/// on part order.
pub fn calls(tool_calls: LazyFrame, sessions: LazyFrame) -> Result<Vec<Call>> {
    let ts = |c: &str| col(c).dt().timestamp(TimeUnit::Microseconds).alias(c);
    let sessions = sessions
        .select([col(tr::SESSION_ID), col(tr::AGENT), col(tr::OPERATOR)])
        .unique(Some(cols([tr::SESSION_ID])), UniqueKeepStrategy::First);
    let df = tool_calls
        .filter(col(tr::TOUCHES_AWS).fill_null(lit(false)))
        .select([
            col(tr::SESSION_ID),
            col(tr::CALL_ID),
            ts(tr::STARTED_AT),
            ts(tr::ENDED_AT),
            col(tr::EXPECTED_OPERATIONS),
            col(tr::CLI_COMMANDS),
            col(tr::UNKNOWN_AWS_OPERATIONS).fill_null(lit(false)),
            col(tr::AWS_REGION),
            col(tr::COMMAND),
            col(tr::OUTCOME),
            col(tr::APPROVAL),
            col(tr::TOOL_NAME),
        ])
        .join(
            sessions,
            [col(tr::SESSION_ID)],
            [col(tr::SESSION_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .sort(
            [tr::STARTED_AT, tr::SESSION_ID, tr::CALL_ID],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()
        .map_err(|e| anyhow::anyhow!("reading tool calls: {e}"))?;
    let sid = strs(&df, tr::SESSION_ID)?;
    let cid = strs(&df, tr::CALL_ID)?;
    let agent = strs(&df, tr::AGENT)?;
    let operator = strs(&df, tr::OPERATOR)?;
    let region = strs(&df, tr::AWS_REGION)?;
    let command = strs(&df, tr::COMMAND)?;
    let outcome = strs(&df, tr::OUTCOME)?;
    let approval = strs(&df, tr::APPROVAL)?;
    let tool_name = strs(&df, tr::TOOL_NAME)?;
    let started: Vec<Option<i64>> = df.column(tr::STARTED_AT)?.i64()?.iter().collect();
    let ended: Vec<Option<i64>> = df.column(tr::ENDED_AT)?.i64()?.iter().collect();
    let unknown: Vec<bool> = df
        .column(tr::UNKNOWN_AWS_OPERATIONS)?
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let expected = crate::sql::string_lists(&df, tr::EXPECTED_OPERATIONS)?;
    let cli = crate::sql::string_lists(&df, tr::CLI_COMMANDS)?;
    let mut out = Vec::with_capacity(df.height());
    for (i, (exp, cli)) in expected.into_iter().zip(cli).enumerate() {
        // A call with no time cannot be placed against CloudTrail.
        let Some(started_at) = started[i] else {
            continue;
        };
        let own = |v: Option<&str>| v.map(str::to_owned);
        out.push(Call {
            session_id: sid[i].unwrap_or_default().to_owned(),
            call_id: cid[i].unwrap_or_default().to_owned(),
            agent: agent[i].unwrap_or("agent").to_owned(),
            operator: own(operator[i]),
            started_at,
            ended_at: ended[i],
            expected: exp,
            cli_commands: cli,
            unknown_operations: unknown[i],
            region: own(region[i]),
            command: own(command[i]),
            outcome: own(outcome[i]),
            approval: own(approval[i]),
            tool_name: own(tool_name[i]),
        });
    }
    Ok(out)
}

/// When people wrote in each session (user messages), sorted, in
/// microseconds: how long before an action a human last spoke.
pub fn user_message_times(messages: LazyFrame) -> Result<PlHashMap<String, Vec<i64>>> {
    let df = messages
        .filter(col(tr::ROLE).eq(lit("user")))
        .select([
            col(tr::SESSION_ID),
            col(tr::TIME)
                .dt()
                .timestamp(TimeUnit::Microseconds)
                .alias(tr::TIME),
        ])
        .collect()
        .map_err(|e| anyhow::anyhow!("reading messages: {e}"))?;
    let sid = strs(&df, tr::SESSION_ID)?;
    let mut out: PlHashMap<String, Vec<i64>> = PlHashMap::default();
    for (s, t) in sid.into_iter().zip(df.column(tr::TIME)?.i64()?.iter()) {
        if let (Some(s), Some(t)) = (s, t) {
            out.entry(s.to_string()).or_default().push(t);
        }
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_spelling_and_the_first_event_of_each() {
        let mut ids = EventIds::default();
        let uuid = "0f3c2a9e-1b2d-4e5f-8a9b-0c1d2e3f4a5b";
        ids.push(0, uuid);
        ids.push(1, "0F3C2A9E-1B2D-4E5F-8A9B-0C1D2E3F4A5B");
        ids.push(2, "not-a-uuid");
        ids.push(3, uuid);
        ids.push(4, "not-a-uuid");
        ids.push(5, "");
        ids.push(6, "00000000-0000-0000-0000-000000000002");
        ids.finish();
        let mut out = String::new();
        let got: Vec<(String, usize)> = (0..ids.len())
            .map(|k| {
                ids.write_id(k, &mut out);
                (out.clone(), ids.row(k))
            })
            .collect();
        let want = [
            (uuid, 0),
            ("0F3C2A9E-1B2D-4E5F-8A9B-0C1D2E3F4A5B", 1),
            ("not-a-uuid", 2),
            ("", 5),
            ("00000000-0000-0000-0000-000000000002", 6),
        ];
        let want: Vec<(String, usize)> = want.iter().map(|(s, r)| (s.to_string(), *r)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_column_widens_past_65534_distinct_values_and_keeps_every_row() {
        let mut c = StrCol::default();
        let n = 80_000;
        for i in 0..n {
            let v = format!("v{i}");
            c.push(if i % 7 == 0 { None } else { Some(&v) });
            c.push(Some("same"));
        }
        assert!(matches!(c.ids, Ids::Wide(_)));
        assert_eq!(c.len(), 2 * n);
        for i in 0..n {
            let want = if i % 7 == 0 {
                None
            } else {
                Some(format!("v{i}"))
            };
            assert_eq!(c.get(2 * i).map(str::to_string), want, "row {}", 2 * i);
            assert_eq!(c.get(2 * i + 1), Some("same"));
        }
        let mut small = StrCol::default();
        small.extend([Some("a"), None, Some("a")].into_iter());
        assert!(matches!(small.ids, Ids::Narrow(_)));
        assert_eq!(small.id(0), small.id(2));
        assert_eq!(small.get(1), None);
    }
}
