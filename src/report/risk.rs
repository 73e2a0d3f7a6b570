//! The report's sections on risk: privileges granted vs used, and the
//! anomaly findings.

use super::*;

/// `arn:aws:iam::123:role/path/Name` → `123 Name`: the account and the
/// principal's name, what a reader scans for (the full ARN is in
/// `trailblame privileges`).
fn short_principal(arn: Option<String>) -> Option<String> {
    let arn = arn?;
    let account = arn.split(':').nth(4).unwrap_or("");
    let name = arn.rsplit('/').next().unwrap_or(&arn);
    Some(if account.is_empty() {
        arn.clone()
    } else {
        format!("{account} {name}")
    })
}

pub(super) fn privileges_section(
    data: &Workspace,
    w: TimeWindow,
    iam: &[PathBuf],
) -> Result<Section> {
    let mut s = Section::new("privileges", "Privileges");
    if iam.is_empty() {
        return Ok(s.with(Block::Note(
            "No IAM data: give --iam (the output of `aws iam get-account-authorization-details`, one file per account) \
             or `iam` under [privileges] in trailblame.toml to see what each principal could do."
                .into(),
        )));
    }
    let t = crate::analysis::privilege_usage::table(data, w, iam)?;
    let f = Frame(&t.frame);
    let admin = t.frame.column("admin_equivalent")?.bool()?.clone();
    let mut ai_admin = Vec::new();
    let mut gaps: Vec<(i64, Vec<Cell>)> = Vec::new();
    for i in 0..f.height() {
        let kind = f.str("actor_kind", i);
        let is_admin = admin.get(i).unwrap_or(false);
        if kind.as_deref() == Some("ai") && is_admin {
            ai_admin.push(vec![
                text(f.str("actor", i)),
                text(short_principal(f.str("principal", i))),
                Cell::int(f.int("calls", i)),
                Cell::int(f.int("used_actions", i)),
                text(f.str("admin_reason", i)),
            ]);
        }
        if kind.is_none() && f.str("iam", i).as_deref() == Some("matched") {
            let granted = f.int("granted_actions", i);
            let used = f.int("used_actions", i);
            gaps.push((
                granted - used,
                vec![
                    text(short_principal(f.str("principal", i))),
                    Cell::int(used),
                    Cell::int(granted),
                    Cell::int(f.int("high_risk_unused", i)),
                    Cell::text(if is_admin { "yes" } else { "no" }),
                ],
            ));
        }
    }
    gaps.sort_by_key(|g| std::cmp::Reverse(g.0));
    s = s.with(Block::Table(Table {
        caption: Some("AI agents acting with admin-equivalent rights".into()),
        columns: vec![
            Column::text("Agent"),
            Column::text("Principal"),
            Column::numeric("Calls"),
            Column::numeric("Actions used"),
            Column::text("Why admin-equivalent"),
        ],
        rows: ai_admin,
        note: None,
    }));
    s = s.with(Block::Table(Table {
        caption: Some("Largest gaps between granted and used".into()),
        columns: vec![
            Column::text("Principal"),
            Column::numeric("Used"),
            Column::numeric("Granted"),
            Column::numeric("High-risk unused"),
            Column::text("Admin-equivalent"),
        ],
        rows: gaps.into_iter().take(10).map(|g| g.1).collect(),
        note: Some(
            "`trailblame privileges --suggest-policy DIR` writes a least-privilege policy per principal and per agent from what was used. \
             Granted counts are upper bounds (resources and conditions read conservatively)."
                .into(),
        ),
    }));
    Ok(s)
}

pub(super) fn anomalies_section(data: &Workspace, w: TimeWindow) -> Result<Section> {
    let found = crate::analysis::findings::findings(data, w, &data.settings.anomalies)?;
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &found {
        *per.entry(f.detector).or_default() += 1;
    }
    // The period's findings as the `findings` table, read by the shipped SQL.
    let mut cx = data.sql(w)?;
    cx.register(
        crate::schema::table::FINDINGS,
        crate::analysis::findings::frame(&found)?.lazy(),
    );
    let top = crate::sql::run(&mut cx, FINDINGS_SQL)?;
    let f = Frame(&top);
    let rows = (0..f.height())
        .map(|i| {
            vec![
                text(f.str("severity", i)),
                text(f.str("detector", i)),
                text(
                    match (
                        f.str("actor_kind", i),
                        f.str("actor", i),
                        f.str("operator", i),
                    ) {
                        (Some(k), Some(a), Some(o)) if k == "ai" => Some(format!("{a} for {o}")),
                        (_, a, _) => a,
                    },
                ),
                text(f.time("window_start", i).map(minute)),
                text(f.str("explanation", i)),
            ]
        })
        .collect();
    let counts: Vec<String> = per.iter().map(|(d, n)| format!("{d} {n}")).collect();
    Ok(Section::new("anomalies", "Anomalies").with(Block::Table(Table {
        caption: Some(format!("Top findings ({} in all)", found.len())),
        columns: vec![
            Column::text("Severity"),
            Column::text("Detector"),
            Column::text("Actor"),
            Column::text("From (UTC)"),
            Column::text("What"),
        ],
        rows,
        note: Some(if counts.is_empty() {
            "No findings. `trailblame anomalies` lists every finding with its evidence.".into()
        } else {
            format!(
                "By detector: {}. `trailblame anomalies` lists every finding with its evidence.",
                counts.join(", ")
            )
        }),
    })))
}
