//! The report's incident parts: the story of each incident, the
//! comparison with its interval chart and trend, and the timelines.

use super::*;

/// One sentence per incident with a traced cause, worst first: who, on
/// which credentials (with the tiers `compare` found), with which approval.
pub(super) fn story(
    links: &DataFrame,
    tiers: &BTreeMap<String, crate::analysis::privilege_usage::Tier>,
) -> Vec<String> {
    let f = Frame(links);
    let mut out: Vec<(String, String)> = Vec::new();
    for i in 0..f.height() {
        let id = f.str("incident_id", i).unwrap_or_default();
        let sev = f.str("severity", i).unwrap_or_default();
        let title = f.str("title", i).unwrap_or_default();
        let Some(event) = f.str("event_name", i) else {
            out.push((
                sev.clone(),
                format!("{id} ({sev}, {title}): no traced cause."),
            ));
            continue;
        };
        let when = f.time("event_time", i).map(minute).unwrap_or_default();
        // A call CloudFormation made for a stack operation is the stack
        // operation's doing: say so rather than name the call alone.
        let event = match f.str("via", i).as_deref() {
            Some("cloudformation") => {
                format!("{event} (made by CloudFormation for a stack operation)")
            }
            _ => event,
        };
        let actor = f.str("actor", i).unwrap_or_else(|| "?".into());
        let principal = f.str("principal_arn", i);
        let role = principal
            .as_deref()
            .and_then(|p| p.split('/').nth(1))
            .unwrap_or("an unknown principal")
            .to_string();
        let tier = match principal.as_ref().and_then(|p| tiers.get(p)) {
            Some(crate::analysis::privilege_usage::Tier::Admin) => ", admin-equivalent",
            _ => "",
        };
        // An agent on its person's own role session: "dave's credentials".
        let session = principal.as_deref().and_then(|p| p.split('/').nth(2));
        let operator = f.str("operator", i);
        let role = match (session, &operator) {
            (Some(s), Some(op))
                if s.eq_ignore_ascii_case(op)
                    && f.str("actor_kind", i).as_deref() == Some("ai") =>
            {
                format!("{op}'s own credentials ({role}{tier})")
            }
            _ if tier.is_empty() => role,
            _ => format!("{role} ({})", tier.trim_start_matches(", ")),
        };
        let who = match (f.str("actor_kind", i).as_deref(), f.str("operator", i)) {
            (Some("ai"), Some(op)) => format!("{actor}, an AI agent working for {op},"),
            (Some("ai"), None) => format!("{actor}, an AI agent,"),
            (Some("human"), _) => format!("{actor} (a person)"),
            (Some(k), _) => format!("{actor} ({k})"),
            _ => actor,
        };
        let approval = match f.str("approval", i) {
            Some(a) if a == "approved" => "; the record shows a person approved the tool call".to_string(),
            Some(a) if a == "auto_approved" => "; the tool call was auto-approved by a rule or mode".to_string(),
            Some(a) if a == "rejected" => "; the tool call was rejected".to_string(),
            Some(_) => "; no approval on record (unknown): the tool cannot tell whether a person clicked yes".to_string(),
            None => String::new(),
        };
        out.push((
            sev.clone(),
            format!("{id} ({sev}, {title}): most likely caused by {event} at {when} by {who} on {role}{approval}."),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|x| x.1).collect()
}

fn interval_row(label: &str, r: Option<&crate::stats::rates::RateComparison>) -> IntervalRow {
    match r {
        Some(r) => IntervalRow {
            label: label.into(),
            estimate: r.rate_ratio,
            low: Some(r.ci.lower),
            high: Some(r.ci.upper).filter(|h| h.is_finite()),
            note: Some(format!("{} vs {} incidents", r.ai.events, r.human.events)),
        },
        None => IntervalRow {
            label: label.into(),
            estimate: None,
            low: None,
            high: None,
            note: Some("no data".into()),
        },
    }
}

pub(super) fn incidents_section(
    links: Option<&DataFrame>,
    cmp: &Comparison,
    trend: &Comparison,
    timelines: &[String],
) -> Result<Section> {
    let mut s = Section::new("incidents", "Incidents and the comparison");
    let Some(links) = links else {
        return Ok(s.with(Block::Note(
            "No incidents file: give --incidents FILE or `file` under [incidents] in trailblame.toml.".into(),
        )));
    };
    let f = Frame(links);
    let rows = (0..f.height())
        .map(|i| {
            let who = match (
                f.str("actor", i),
                f.str("actor_kind", i),
                f.str("operator", i),
            ) {
                (Some(a), Some(k), Some(o)) if k == "ai" => format!("{a} for {o} (ai)"),
                (Some(a), Some(k), _) => format!("{a} ({k})"),
                (Some(a), None, _) => a,
                _ => "?".to_string(),
            };
            let cause = match (f.str("event_name", i), f.str("via", i).as_deref()) {
                (Some(e), Some("cloudformation")) => format!("{e} via CloudFormation by {who}"),
                (Some(e), _) => format!("{e} by {who}"),
                (None, _) => "no traced cause".to_string(),
            };
            vec![
                text(f.str("incident_id", i)),
                text(f.str("severity", i)),
                text(f.str("title", i)),
                text(f.time("started_at", i).map(minute)),
                Cell::text(cause),
                text(f.str("approval", i)),
                match f
                    .str("agent_session_id", i)
                    .filter(|s| timelines.contains(s))
                {
                    Some(sid) => Cell::link("timeline", timeline_anchor(&sid)),
                    None => Cell::Empty,
                },
            ]
        })
        .collect();
    s = s.with(Block::Table(Table {
        caption: Some("Incidents that started in the period, with their most likely cause".into()),
        columns: vec![
            Column::text("Incident"),
            Column::text("Severity"),
            Column::text("Title"),
            Column::text("Started (UTC)"),
            Column::text("Most likely cause"),
            Column::text("Approval"),
            Column::text("Timeline"),
        ],
        rows,
        note: Some(
            "`trailblame incidents --top 3` shows the other candidates and why each was linked."
                .into(),
        ),
    }));
    s = s.with(Block::Verdict(cmp.verdict.clone()));
    let eq = cmp.at_equal_privilege.mantel_haenszel.as_ref();
    let boot = cmp.session_bootstrap.as_ref();
    s = s.with(Block::Chart(Chart::Intervals(Intervals {
        title: "Incident rate ratio, AI vs people (95% interval)".into(),
        rows: vec![
            interval_row("Per 1,000 write actions", cmp.per_1000_writes.as_ref()),
            interval_row("Per 100 sessions", cmp.per_100_sessions.as_ref()),
            IntervalRow {
                label: "At equal privilege (Mantel–Haenszel)".into(),
                estimate: eq.and_then(|m| m.rate_ratio),
                low: eq.map(|m| m.ci.lower),
                high: eq.map(|m| m.ci.upper).filter(|h| h.is_finite()),
                note: Some(if eq.is_some() {
                    format!("{} privilege tiers", cmp.at_equal_privilege.tiers.len())
                } else {
                    "no IAM data".into()
                }),
            },
            IntervalRow {
                label: "Resampling sessions (bootstrap)".into(),
                estimate: boot.and_then(|b| b.rate_ratio),
                low: boot.and_then(|b| b.ci).map(|c| c.lower),
                high: boot
                    .and_then(|b| b.ci)
                    .map(|c| c.upper)
                    .filter(|h| h.is_finite()),
                note: boot
                    .map(|b| format!("{} AI, {} human sessions", b.ai_clusters, b.human_clusters)),
            },
        ],
        reference: 1.0,
        log_scale: true,
        x_label: "rate ratio (AI / people); 1 = the same".into(),
    })));
    let side = |name: &str, sd: &crate::analysis::compare::Side| {
        vec![
            Cell::text(name),
            Cell::int(sd.write_actions as i64),
            Cell::int(sd.destructive_actions as i64),
            Cell::int(sd.writes as i64),
            Cell::int(sd.sessions as i64),
            Cell::int(sd.incidents as i64),
            if sd.write_actions > 0 {
                Cell::number(sd.incidents as f64 / sd.write_actions as f64 * 1000.0, 2)
            } else {
                Cell::Empty
            },
            Cell::int(sd.mass_deletion_bursts as i64),
        ]
    };
    s = s.with(Block::Table(Table {
        caption: Some("Exposure and incidents".into()),
        columns: vec![
            Column::text(""),
            Column::numeric("Write actions"),
            Column::numeric("Destructive actions"),
            Column::numeric("Write API calls"),
            Column::numeric("Sessions"),
            Column::numeric("Incidents"),
            Column::numeric("Per 1,000 write actions"),
            Column::numeric("Mass-deletion bursts"),
        ],
        rows: vec![side("AI agents", &cmp.ai), side("People", &cmp.human)],
        note: Some("An action is one decision (an agent's tool call, a person's command, a stack operation with its CloudFormation cascade) with every API call it caused; a write action has a successful non-read-only call. Write API calls are shown as a detail. Sessions: an agent's transcript session, a person's working day.".into()),
    }));
    s = s.with(Block::List(cmp.notes.clone()));
    // The trend: the weeks up to this one.
    let weeks: Vec<&crate::analysis::compare::Week> =
        trend.weeks.iter().rev().take(8).rev().collect();
    let rate = |inc: u64, writes: u64| {
        if writes == 0 {
            f64::NAN
        } else {
            inc as f64 / writes as f64 * 1000.0
        }
    };
    s = s.with(Block::Chart(Chart::Lines(Lines {
        title: "Incidents per 1,000 write actions, week by week".into(),
        x_labels: weeks.iter().map(|w| w.week.clone()).collect(),
        series: vec![
            Series {
                name: "AI agents".into(),
                values: weeks
                    .iter()
                    .map(|w| rate(w.ai.incidents, w.ai.write_actions))
                    .collect(),
                tone: Tone::Ai,
            },
            Series {
                name: "People".into(),
                values: weeks
                    .iter()
                    .map(|w| rate(w.human.incidents, w.human.write_actions))
                    .collect(),
                tone: Tone::Human,
            },
        ],
        y_label: "incidents per 1,000 write actions".into(),
    })));
    Ok(s)
}

pub(super) fn timelines_section(
    data: &Workspace,
    period: TimeWindow,
    sessions: &[String],
    incidents: &[crate::incidents::read::Incident],
) -> Result<Option<Section>> {
    if sessions.is_empty() {
        return Ok(None);
    }
    let mut s = Section::new("timelines", "Timelines").with(Block::Paragraph(
        "What each agent session with high-severity destructive calls was asked, what it ran, and what that did \
         in CloudTrail (indented under the call), with other actors' writes to the same resources. \
         `trailblame timeline --session ID --format html` gives the whole session."
            .into(),
    ));
    for sid in sessions {
        let mut cx = data.sql(TimeWindow::default())?;
        let df = crate::sql::run(
            &mut cx,
            &crate::sql::substitute(
                "SELECT CAST(MIN(event_time) AS BIGINT) AS lo, CAST(MAX(event_time) AS BIGINT) AS hi, \
                 MIN(actor) AS actor, MIN(operator) AS operator FROM events WHERE agent_session_id = :sid",
                &[("sid".to_string(), sid.clone())],
            )?,
        )?;
        let f = Frame(&df);
        let (Some(lo), Some(hi)) = (f.time("lo", 0), f.time("hi", 0)) else {
            continue;
        };
        let pad = 30 * 60_000_000;
        // Around the session, inside the period.
        let clip = |t: i64| {
            t.clamp(
                period.since.unwrap_or(i64::MIN),
                period.until.unwrap_or(i64::MAX),
            )
        };
        let window = TimeWindow {
            since: Some(clip(lo - pad)),
            until: Some(clip(hi + 3 * 3_600_000_000)),
        };
        let title = format!(
            "{} for {} (session {})",
            f.str("actor", 0).unwrap_or_default(),
            f.str("operator", 0).unwrap_or_else(|| "?".into()),
            sid
        );
        let focus = Focus {
            session: Some(sid.clone()),
            ..Focus::default()
        };
        let (tl, total) = crate::analysis::timeline::build(
            data,
            window,
            &focus,
            incidents,
            &timeline_anchor(sid),
            &title,
            200,
        )?;
        s = s.with(Block::Timeline(tl));
        if total > 200 {
            s = s.with(Block::Note(format!(
                "First 200 of {total} entries; `trailblame timeline --session {sid}` shows them all."
            )));
        }
    }
    Ok(Some(s))
}
