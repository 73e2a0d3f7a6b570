//! Builds `events` columns row by row and hands them over as a DataFrame.
//!
//! One builder per chunk of files (many small files share one, so the
//! per-frame cost of Arrow and polars is paid per chunk, not per file);
//! strings are copied once, from the input bytes into Arrow buffers. Column order and types follow
//! `schema::events_columns`, which a test checks.

use super::normalise::EventRow;
use crate::schema::{self, events};
use anyhow::Result;
use polars::prelude::*;

pub struct EventBatch {
    len: usize,
    strs: Vec<StringChunkedBuilder>,
    bools: Vec<BooleanChunkedBuilder>,
    event_time: Vec<i64>,
    session_created_at: Vec<Option<i64>>,
    resources: ListStringChunkedBuilder,
    feature_ids: ListStringChunkedBuilder,
    /// The file rows come from, in runs: (path, rows).
    source_runs: Vec<(String, usize)>,
    source_line: Vec<Option<u64>>,
    source_index: Vec<u64>,
    /// Per row: the partition day (days since the epoch) and the key used for
    /// de-duplication (`EventRow::dedup_key`).
    pub days: Vec<i32>,
    pub id_hashes: Vec<u128>,
}

/// String columns in the order they are pushed, mapped to schema names.
const STR_COLS: [&str; 40] = [
    events::EVENT_ID,
    events::EVENT_VERSION,
    events::EVENT_SOURCE,
    events::EVENT_NAME,
    events::AWS_REGION,
    events::ACCOUNT_ID,
    events::SOURCE_IP,
    events::USER_AGENT,
    events::IDENTITY_TYPE,
    events::PRINCIPAL_ARN,
    events::PRINCIPAL_ID,
    events::ACCOUNT_OF_PRINCIPAL,
    events::USER_NAME,
    events::ROLE_ARN,
    events::ROLE_NAME,
    events::SESSION_NAME,
    events::ACCESS_KEY_ID,
    events::SOURCE_IDENTITY,
    events::INVOKED_BY,
    events::ON_BEHALF_OF,
    events::EVENT_TYPE,
    events::EVENT_CATEGORY,
    events::ERROR_CODE,
    events::ERROR_MESSAGE,
    events::REQUEST_ID,
    events::SHARED_EVENT_ID,
    events::VPC_ENDPOINT_ID,
    events::REQUEST_PARAMETERS,
    events::RESPONSE_ELEMENTS,
    events::ADDITIONAL_EVENT_DATA,
    events::SERVICE_EVENT_DETAILS,
    events::INSIGHT_DETAILS,
    events::IAM_ACTION,
    events::CLIENT,
    events::CLIENT_VERSION,
    events::CLI_COMMAND,
    events::EXEC_ENV,
    events::APP_ID,
    events::CLI_SESSION,
    events::MCP_SERVER,
];

const BOOL_COLS: [&str; 4] = [
    events::MFA_AUTHENTICATED,
    events::CONSOLE_SESSION,
    events::READ_ONLY,
    events::MANAGEMENT_EVENT,
];

/// A row's string columns, in `STR_COLS` order.
fn str_values<'r>(r: &'r EventRow<'_>) -> [Option<&'r str>; 40] {
    let ua = &r.ua;
    [
        Some(&r.event_id),
        r.event_version,
        Some(r.event_source),
        Some(r.event_name),
        r.aws_region,
        r.account_id,
        r.source_ip,
        r.user_agent,
        r.identity_type,
        r.principal_arn,
        r.principal_id,
        r.account_of_principal,
        r.user_name,
        r.role_arn,
        r.role_name,
        r.session_name,
        r.access_key_id,
        r.source_identity,
        r.invoked_by,
        r.on_behalf_of.as_deref(),
        r.event_type,
        r.event_category,
        r.error_code,
        r.error_message,
        r.request_id,
        r.shared_event_id,
        r.vpc_endpoint_id,
        r.request_parameters,
        r.response_elements,
        r.additional_event_data,
        r.service_event_details,
        r.insight_details,
        r.iam_action.as_deref(),
        ua.client,
        ua.client_version,
        ua.cli_command,
        ua.exec_env,
        ua.app_id,
        ua.cli_session,
        ua.mcp_server,
    ]
}

/// The longest value of a row (string columns and `resources` entries):
/// its column name and length in bytes, for the field size limit.
pub fn longest_field(r: &EventRow<'_>) -> (&'static str, usize) {
    let mut longest = ("", 0);
    for (name, v) in STR_COLS.iter().zip(str_values(r)) {
        let n = v.map_or(0, str::len);
        if n > longest.1 {
            longest = (name, n);
        }
    }
    for v in &r.resources {
        if v.len() > longest.1 {
            longest = (events::RESOURCES, v.len());
        }
    }
    longest
}

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

impl EventBatch {
    /// Rows pushed from now on come from `source_file`.
    pub fn start_file(&mut self, source_file: &str) {
        if self
            .source_runs
            .last()
            .is_none_or(|(p, _)| p != source_file)
        {
            self.source_runs.push((source_file.to_string(), 0));
        }
    }

    pub fn new(source_file: &str, capacity: usize) -> Self {
        let name = |n: &str| PlSmallStr::from_str(n);
        EventBatch {
            len: 0,
            strs: STR_COLS
                .iter()
                .map(|n| StringChunkedBuilder::new(name(n), capacity))
                .collect(),
            bools: BOOL_COLS
                .iter()
                .map(|n| BooleanChunkedBuilder::new(name(n), capacity))
                .collect(),
            event_time: Vec::with_capacity(capacity),
            session_created_at: Vec::with_capacity(capacity),
            resources: ListStringChunkedBuilder::new(name(events::RESOURCES), capacity, capacity),
            feature_ids: ListStringChunkedBuilder::new(
                name(events::FEATURE_IDS),
                capacity,
                capacity,
            ),
            source_runs: vec![(source_file.to_string(), 0)],
            source_line: Vec::with_capacity(capacity),
            source_index: Vec::with_capacity(capacity),
            days: Vec::with_capacity(capacity),
            id_hashes: Vec::with_capacity(capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, r: &EventRow<'_>, line: Option<u64>, index: u64) {
        for (b, v) in self.strs.iter_mut().zip(str_values(r)) {
            b.append_option(v);
        }
        let ua = &r.ua;
        let bools = [
            r.mfa_authenticated,
            Some(r.console_session),
            r.read_only,
            r.management_event,
        ];
        for (b, v) in self.bools.iter_mut().zip(bools) {
            b.append_option(v);
        }
        self.event_time.push(r.event_time);
        self.session_created_at.push(r.session_created_at);
        if r.resources.is_empty() {
            self.resources.append_null();
        } else {
            self.resources
                .append_values_iter(r.resources.iter().copied());
        }
        match ua.feature_ids {
            Some(_) => self.feature_ids.append_values_iter(ua.feature_id_list()),
            None => self.feature_ids.append_null(),
        }
        self.source_line.push(line);
        self.source_index.push(index);
        self.days
            .push(r.event_time.div_euclid(MICROS_PER_DAY) as i32);
        self.id_hashes.push(r.dedup_key());
        if let Some(run) = self.source_runs.last_mut() {
            run.1 += 1;
        }
        self.len += 1;
    }

    /// The batch as a DataFrame in schema column order.
    pub fn finish(self) -> Result<DataFrame> {
        let n = self.len;
        let mut by_name: Vec<(&str, Column)> = Vec::with_capacity(52);
        for (name, b) in STR_COLS.iter().zip(self.strs) {
            by_name.push((name, b.finish().into_column()));
        }
        for (name, b) in BOOL_COLS.iter().zip(self.bools) {
            by_name.push((name, b.finish().into_column()));
        }
        let time = |name: &str, v: Vec<Option<i64>>| -> Result<Column> {
            Ok(
                Int64Chunked::from_iter_options(PlSmallStr::from_str(name), v.into_iter())
                    .into_series()
                    .cast(&schema::utc_micros())?
                    .into_column(),
            )
        };
        by_name.push((
            events::EVENT_TIME,
            time(
                events::EVENT_TIME,
                self.event_time.into_iter().map(Some).collect(),
            )?,
        ));
        by_name.push((
            events::SESSION_CREATED_AT,
            time(events::SESSION_CREATED_AT, self.session_created_at)?,
        ));
        let mut resources = self.resources;
        by_name.push((events::RESOURCES, resources.finish().into_column()));
        let mut feature_ids = self.feature_ids;
        by_name.push((events::FEATURE_IDS, feature_ids.finish().into_column()));
        by_name.push((
            events::SOURCE_FILE,
            StringChunked::from_iter_values(
                PlSmallStr::from_static(events::SOURCE_FILE),
                self.source_runs
                    .iter()
                    .flat_map(|(p, rows)| std::iter::repeat_n(p.as_str(), *rows)),
            )
            .into_column(),
        ));
        by_name.push((
            events::SOURCE_LINE,
            // Signed, as stored (issue 21); a line number never needs bit 64.
            Int64Chunked::from_iter_options(
                PlSmallStr::from_static(events::SOURCE_LINE),
                self.source_line.into_iter().map(|l| l.map(|l| l as i64)),
            )
            .into_column(),
        ));
        by_name.push((
            events::SOURCE_INDEX,
            Int64Chunked::from_iter_values(
                PlSmallStr::from_static(events::SOURCE_INDEX),
                self.source_index.into_iter().map(|i| i as i64),
            )
            .into_column(),
        ));
        let mut keys = StringChunkedBuilder::new(PlSmallStr::from_static(events::EVENT_KEY), n);
        let mut text = String::with_capacity(32);
        for &k in &self.id_hashes {
            text.clear();
            schema::event_key::write(k, &mut text);
            keys.append_value(&text);
        }
        by_name.push((events::EVENT_KEY, keys.finish().into_column()));
        let mut columns = Vec::with_capacity(by_name.len());
        for c in schema::events_columns() {
            let at = by_name
                .iter()
                .position(|(n, _)| *n == c.name)
                .ok_or_else(|| anyhow::anyhow!("batch has no column {}", c.name))?;
            columns.push(by_name.swap_remove(at).1);
        }
        Ok(DataFrame::new(n, columns)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::iam_action::exceptions;
    use crate::ingest::normalise::{Origin, normalise};
    use crate::ingest::record::Doc;

    #[test]
    fn frame_matches_schema() {
        let json = r#"{"eventID":"e","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com",
          "eventName":"GetObject","resources":[{"ARN":"arn:aws:s3:::b/k"}],
          "userAgent":"aws-cli/2.32.0 m/b,AN md/command#s3.cp"}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let row = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        let mut b = EventBatch::new("f.json", 4);
        b.push(&row, Some(1), 0);
        b.push(&row, None, 1);
        assert_eq!(b.days, vec![20430, 20430]);
        let df = b.finish().unwrap();
        let want = schema::events_schema();
        assert_eq!(df.schema().as_ref(), &want);
        assert_eq!(df.height(), 2);
        let ids = df
            .column(events::FEATURE_IDS)
            .unwrap()
            .list()
            .unwrap()
            .get_as_series(0)
            .unwrap();
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn rows_of_several_files_name_their_file() {
        let json = r#"{"eventID":"e","eventTime":"2025-12-08T09:01:02Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        let row = normalise(&doc, Origin::default(), exceptions().unwrap()).unwrap();
        let mut b = EventBatch::new("a.json", 4);
        b.push(&row, Some(1), 0);
        b.start_file("b.json");
        b.start_file("c.json");
        b.push(&row, Some(1), 0);
        b.push(&row, Some(2), 1);
        let df = b.finish().unwrap();
        let col = df.column(events::SOURCE_FILE).unwrap().str().unwrap();
        let files: Vec<Option<&str>> = (0..col.len()).map(|i| col.get(i)).collect();
        assert_eq!(files, [Some("a.json"), Some("c.json"), Some("c.json")]);
    }
}
