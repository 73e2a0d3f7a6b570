//! The report's coverage section: what the data covers and what it cannot
//! show.

use super::*;

/// A column name of the coverage queries as a header: `first_event` →
/// "First event" (issue 22: no snake_case in the report).
fn heading(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

pub(super) fn coverage_section(
    data: &Workspace,
    w: TimeWindow,
    iam: &[PathBuf],
    incidents: Option<(&std::path::Path, u64)>,
) -> Result<Section> {
    let mut cx = data.sql(w)?;
    let table = |sql: &str, caption: &str, cx: &mut polars::sql::SQLContext| -> Result<Table> {
        let df = crate::sql::run(cx, sql)?;
        let columns = df
            .columns()
            .iter()
            .map(|c| {
                let head = heading(c.name().as_str());
                if c.dtype().is_integer() || c.dtype().is_float() {
                    Column::numeric(&head)
                } else {
                    Column::text(&head)
                }
            })
            .collect();
        let f = Frame(&df);
        let rows = (0..f.height())
            .map(|i| {
                df.columns()
                    .iter()
                    .map(|c| {
                        let name = c.name().as_str();
                        if c.dtype().is_integer() {
                            Cell::int(f.int(name, i))
                        } else if matches!(c.dtype(), DataType::Datetime(..)) {
                            text(f.time(name, i).map(minute))
                        } else {
                            text(f.str(name, i))
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(Table {
            caption: Some(caption.into()),
            columns,
            rows,
            note: None,
        })
    };
    let mut s = Section::new("coverage", "Coverage").with(Block::Paragraph(
        "What the data covers, so a reader knows what this report cannot see: accounts, regions and days without \
         CloudTrail, agents without transcripts (their calls can still be recognised from user-agent markers and \
         roles, but not tied to a prompt), and records that could not be read."
            .into(),
    ));
    s = s.with(Block::Table(table(
        SCOPE_SQL,
        "Accounts and regions in the period",
        &mut cx,
    )?));
    let files = table(FILES_SQL, "Files read (all ingests of the store)", &mut cx)?;
    let from_ocsf = files
        .rows
        .iter()
        .any(|r| matches!(r.first(), Some(Cell::Text { text }) if text == "ocsf_parquet"));
    s = s.with(Block::Table(files));
    s = s.with(Block::Table(table(
        TRANSCRIPTS_SQL,
        "Agent transcripts found",
        &mut cx,
    )?));
    s = s.with(Block::Table(table(
        USER_AGENTS_SQL,
        "The most common clients (user agents as logged)",
        &mut cx,
    )?));
    let q = table(QUARANTINE_SQL, "Quarantined records", &mut cx)?;
    s = s.with(if q.rows.is_empty() {
        Block::Note("No record was quarantined: every record read was kept.".into())
    } else {
        Block::Table(q)
    });
    let mut notes = Vec::new();
    notes.push(match incidents {
        Some((p, 0)) => format!("Incidents from {}.", p.display()),
        Some((p, bad)) => format!(
            "Incidents from {}: {bad} row(s) could not be read and are left out (the command's warnings name their lines).",
            p.display()
        ),
        None => "No incidents file.".to_string(),
    });
    notes.push(if iam.is_empty() {
        "No IAM data: privilege tiers are unknown.".to_string()
    } else {
        format!(
            "IAM data: {}.",
            iam.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    if from_ocsf {
        notes.push(format!(
            "Some events were read from Amazon Security Lake (OCSF): the CloudTrail fields OCSF has no attribute for ({}) are null unless Security Lake kept them in `unmapped`, and labels of those events rest on what remains (user agent, principal, transcripts).",
            crate::schema::ocsf::LOST_UNLESS_UNMAPPED.join(", ")
        ));
    }
    notes.push(format!("Settings: {}.", data.settings.source));
    Ok(s.with(Block::List(notes)))
}
