//! `SCHEMA.md`: every table's introduction and columns rendered as
//! Markdown, with the SQL type a reader of the Parquet files sees.

use super::{
    agent_sessions_columns, attribution_columns, events_columns, findings_columns,
    ingested_files_columns, messages_columns, quarantine_columns, store_state_columns, table,
    tool_calls_columns,
};
use polars::prelude::DataType;

/// Renders the schema reference (SCHEMA.md is this text).
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# trailblame tables\n\nGenerated from `src/schema.rs` (`trailblame schema`); a test keeps this file in step. \
         Every table folder holds at least one part with these types (an empty one when the table has no rows; \
         for `events` under `event_date=1970-01-01`), so other engines can read each folder as it is; \
         `trailblame schema --ddl spark|athena|trino|duckdb` prints their CREATE statements.\n",
    );
    for (name, intro, cols) in [
        (
            table::EVENTS,
            "One row per CloudTrail event. Stored as `events/event_date=YYYY-MM-DD/part-*.parquet`; \
             `event_date` (DATE, the UTC day of `event_time`) is the Hive partition column and is not inside the files. \
             Empty strings in the input are stored as null.",
            events_columns(),
        ),
        (
            table::QUARANTINE,
            "Records that could not be read, with where and why. Stored as `quarantine/part-*.parquet`.",
            quarantine_columns(),
        ),
        (
            table::INGESTED_FILES,
            "Every input file an ingest met, with its accounting. Stored as `ingested_files/part-*.parquet`.",
            ingested_files_columns(),
        ),
        (
            table::AGENT_SESSIONS,
            "One row per agent session read from a transcript. Stored as `agent_sessions/part-*.parquet`.",
            agent_sessions_columns(),
        ),
        (
            table::TOOL_CALLS,
            "One row per tool call an agent made and file that recorded it (a transcript and a hook log may both hold one call; attribution reads it once, with the stronger approval), with the AWS operations it is expected to cause. \
             Stored as `tool_calls/part-*.parquet`.",
            tool_calls_columns(),
        ),
        (
            table::MESSAGES,
            "User prompts and assistant text, for timelines. Stored as `messages/part-*.parquet`.",
            messages_columns(),
        ),
        (
            table::ATTRIBUTION,
            "Who made each event and how we know, one row per distinct `event_id`. An ingest recomputes \
             the days its new rows can change and keeps the others' rows; a settings change recomputes every day. \
             Stored as `attribution/part-*.parquet` (each part holds one `event_date`'s rows; `attribution/_links/` holds \
             per-day summaries for incremental runs, which engines skip). In trailblame's SQL \
             these columns are also joined onto `events`; on other engines join `attribution` to `events` on `event_key` (the `events` view of `trailblame schema --ddl` does).",
            attribution_columns(),
        ),
        (
            table::FINDINGS,
            "What the anomaly detectors found (`trailblame anomalies`), ranked; the latest run over a store is saved as \
             `findings/part-*.parquet`.",
            findings_columns(),
        ),
        (
            table::STORE_STATE,
            "One row, rewritten by every commit: the store's format, its last run and whether `attribution` is up to \
             date, for engines that do not read `_trailblame.json`. Stored as `store_state/part-*.parquet`.",
            store_state_columns(),
        ),
    ] {
        out.push_str(&format!(
            "\n## `{name}`\n\n{intro}\n\n| column | type | meaning |\n|---|---|---|\n"
        ));
        for c in cols {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.name,
                sql_type(&c.dtype),
                c.doc
            ));
        }
    }
    out.push_str(&ocsf_section());
    out
}

/// The OCSF mapping: how Security Lake rows are read and labels written.
fn ocsf_section() -> String {
    let mut out = String::from(
        "\n## OCSF (Amazon Security Lake in, `attribute --format ocsf` out)\n\n\
         Security Lake stores CloudTrail as OCSF 1.1 class 6003 (API Activity) Parquet under \
         `region=…/accountId=…/eventDay=YYYYMMDD/`. `ingest` reads those files (detected by the Parquet magic) by \
         mapping each row back to the CloudTrail field below, then reads it like any CloudTrail record; their \
         `ingested_files.kind` is `ocsf_parquet`. `attribute --format ocsf|ocsf-parquet` writes the same mapping the \
         other way, with the attribution in `enrichments[]` (`name` `trailblame.<attribution column>`, `value`, \
         `provider` `trailblame`, `type` `attribution`; the first entry's `data` holds the whole label). Source: the \
         OCSF project's CloudTrail example for OCSF 1.1.0 (\"Event Dossier: Amazon CloudTrail Generic API \
         Activity\", github.com/ocsf/examples) and the Amazon Security Lake documentation (CloudTrail source \
         version 2, OCSF 1.1).\n\n| OCSF attribute | CloudTrail field |\n|---|---|\n",
    );
    for (o, c) in super::ocsf::MAPPING {
        out.push_str(&format!("| `{o}` | `{c}` |\n"));
    }
    out.push_str(
        "\nOCSF has no attribute for these; they are read from `unmapped` when Security Lake kept them there, \
         and are null otherwise (never guessed): ",
    );
    let lost: Vec<String> = super::ocsf::LOST_UNLESS_UNMAPPED
        .iter()
        .map(|f| format!("`{f}`"))
        .collect();
    out.push_str(&lost.join(", "));
    out.push_str(
        ". Without `sourceIdentity` and the session issuer's name, attribution loses its strongest built-in \
         agent tag and role names; the labels of such events rest on the user agent and transcripts.\n",
    );
    out
}

/// The portable SQL type name a reader of the Parquet files sees.
fn sql_type(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::String => "VARCHAR",
        DataType::Boolean => "BOOLEAN",
        DataType::Int64 => "BIGINT",
        DataType::Date => "DATE",
        DataType::Float64 => "DOUBLE",
        DataType::Datetime(..) => "TIMESTAMP (UTC, µs)",
        DataType::List(_) => "ARRAY<VARCHAR>",
        _ => "other",
    }
}
