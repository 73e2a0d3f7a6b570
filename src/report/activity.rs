//! The report's sections on activity: the headline numbers, who acted,
//! and the destructive actions.

use super::*;

/// Totals per actor kind of `report_headline.sql`: actions, write actions,
/// destructive actions, then the API calls behind them (events, writes,
/// destructive).
fn headline(data: &Workspace, w: TimeWindow) -> Result<BTreeMap<String, [i64; 6]>> {
    let mut cx = data.sql(w)?;
    let df = crate::sql::run(&mut cx, HEADLINE_SQL)?;
    let f = Frame(&df);
    let mut out = BTreeMap::new();
    for i in 0..f.height() {
        out.insert(
            f.str("actor_kind", i).unwrap_or_else(|| "unknown".into()),
            [
                "actions",
                "write_actions",
                "destructive_actions",
                "events",
                "writes",
                "destructive",
            ]
            .map(|c| f.int(c, i)),
        );
    }
    Ok(out)
}

fn change(now: i64, before: i64, label: &str) -> (String, Trend) {
    let trend = match now.cmp(&before) {
        std::cmp::Ordering::Greater => Trend::Up,
        std::cmp::Ordering::Less => Trend::Down,
        std::cmp::Ordering::Equal => Trend::Flat,
    };
    let text = if before == 0 {
        if now == 0 {
            format!("none in {label} either")
        } else {
            format!("none in {label}")
        }
    } else {
        let pct = (now - before) as f64 / before as f64 * 100.0;
        format!("{pct:+.0}% vs {label} ({})", int(before))
    };
    (text, trend)
}

fn share(part: i64, all: i64) -> String {
    if all == 0 {
        "–".into()
    } else {
        format!("{:.0}%", part as f64 / all as f64 * 100.0)
    }
}

pub(super) fn headline_section(
    data: &Workspace,
    p: &Period,
    cmp: &Comparison,
    story: Vec<String>,
) -> Result<Section> {
    let now = headline(data, p.window)?;
    let before = headline(data, p.previous)?;
    let total = |m: &BTreeMap<String, [i64; 6]>, k: usize| m.values().map(|v| v[k]).sum::<i64>();
    let kind =
        |m: &BTreeMap<String, [i64; 6]>, kind: &str, k: usize| m.get(kind).map_or(0, |v| v[k]);
    let mut metrics = Vec::new();
    // Each metric counts actions (decisions); the API calls behind them are
    // the detail.
    for (label, k, calls) in [
        ("Actions", 0, "API calls"),
        ("Write actions", 1, "write calls"),
        ("Destructive actions", 2, "destructive calls"),
    ] {
        let (detail, trend) = change(total(&now, k), total(&before, k), &p.previous_label);
        metrics.push(Metric {
            label: label.into(),
            value: int(total(&now, k)),
            detail: Some(format!(
                "AI {} · human {} · {detail} · {} {calls}",
                share(kind(&now, "ai", k), total(&now, k)),
                share(kind(&now, "human", k), total(&now, k)),
                int(total(&now, k + 3)),
            )),
            trend: Some(trend),
        });
    }
    let i = cmp.incidents;
    metrics.push(Metric {
        label: "Incidents".into(),
        value: int(i.total as i64),
        detail: Some(format!(
            "{} traced to AI · {} to people · {} other · {} no traced cause",
            i.traced_to_ai,
            i.traced_to_human,
            i.traced_to_other + i.ambiguous,
            i.no_traced_cause
        )),
        trend: None,
    });
    let ai_writes = kind(&now, "ai", 1);
    metrics.push(Metric {
        label: "AI share of write actions".into(),
        value: share(ai_writes, total(&now, 1)),
        detail: Some(format!(
            "{} was {}",
            p.previous_label,
            share(kind(&before, "ai", 1), total(&before, 1))
        )),
        trend: None,
    });
    let mut s = Section::new("headline", "Headline")
        .with(Block::Verdict(cmp.verdict.clone()))
        .with(Block::Metrics(metrics));
    if !story.is_empty() {
        s = s
            .with(Block::Paragraph(
                "What happened to the incidents of the period:".into(),
            ))
            .with(Block::List(story));
    }
    Ok(s)
}

/// Daily series per actor kind of one column of `report_daily.sql`.
fn daily_chart(df: &DataFrame, column: &str, title: &str, y: &str) -> Chart {
    let f = Frame(df);
    let mut days: Vec<String> = Vec::new();
    let mut by: BTreeMap<(String, String), f64> = BTreeMap::new();
    for i in 0..f.height() {
        let d = f.str("day", i).unwrap_or_default();
        if days.last() != Some(&d) {
            days.push(d.clone());
        }
        let k = f.str("actor_kind", i).unwrap_or_else(|| "unknown".into());
        *by.entry((k, d)).or_default() += f.int(column, i) as f64;
    }
    let series = [
        ("ai", "AI agents", Tone::Ai),
        ("human", "People", Tone::Human),
        ("automation", "Automation", Tone::Automation),
        ("service", "AWS services", Tone::Service),
        ("unknown", "Unknown", Tone::Unknown),
    ]
    .into_iter()
    .filter(|(k, ..)| by.keys().any(|(kk, _)| kk == k))
    .map(|(k, name, tone)| Series {
        name: name.into(),
        values: days
            .iter()
            .map(|d| by.get(&(k.to_string(), d.clone())).copied().unwrap_or(0.0))
            .collect(),
        tone,
    })
    .collect();
    Chart::StackedBars(StackedBars {
        title: title.into(),
        x_labels: days,
        series,
        y_label: y.into(),
    })
}

/// `daily` is `report_daily.sql`'s result for the period.
pub(super) fn who_section(data: &Workspace, w: TimeWindow, daily: &DataFrame) -> Result<Section> {
    let mut cx = data.sql(w)?;
    let df = crate::sql::run(&mut cx, WHO_SQL)?;
    let f = Frame(&df);
    let (mut agents, mut people) = (Vec::new(), Vec::new());
    for i in 0..f.height() {
        let row = |first: Vec<Cell>| {
            let mut r = first;
            r.extend(
                [
                    "actions",
                    "write_actions",
                    "destructive_actions",
                    "calls",
                    "writes",
                    "destructive",
                ]
                .map(|c| Cell::int(f.int(c, i))),
            );
            r
        };
        if f.str("actor_kind", i).as_deref() == Some("ai") {
            let mut r = row(vec![text(f.str("actor", i)), text(f.str("operator", i))]);
            r.push(Cell::int(f.int("agent_sessions", i)));
            r.push(Cell::int(f.int("on_human_credentials", i)));
            agents.push(r);
        } else {
            people.push(row(vec![text(f.str("actor", i))]));
        }
    }
    let mut s = Section::new("who-acted", "Who acted").with(Block::Paragraph(
        "Every call is attributed to an AI agent, a person, automation or an AWS service from evidence: \
         the agent's transcript, user-agent markers, source identity, role names, and the credentials used \
         (`trailblame explain EVENT_ID` shows why)."
            .into(),
    ));
    s = s.with(Block::Table(Table {
        caption: Some("AI agents, and the person each worked for".into()),
        columns: vec![
            Column::text("Agent"),
            Column::text("Operator"),
            Column::numeric("Actions"),
            Column::numeric("Write actions"),
            Column::numeric("Destructive actions"),
            Column::numeric("API calls"),
            Column::numeric("Write calls"),
            Column::numeric("Destructive calls"),
            Column::numeric("Sessions"),
            Column::numeric("On a person's credentials"),
        ],
        rows: agents,
        note: Some("An action is one decision (a tool call, a CLI command, a stack operation with the calls \
                    CloudFormation made for it); the API calls are the detail. On a person's credentials: calls \
                    made with an identity that person also used themselves (no separate agent role)."
            .into()),
    }));
    s = s.with(Block::Table(Table {
        caption: Some("People".into()),
        columns: vec![
            Column::text("Person"),
            Column::numeric("Actions"),
            Column::numeric("Write actions"),
            Column::numeric("Destructive actions"),
            Column::numeric("API calls"),
            Column::numeric("Write calls"),
            Column::numeric("Destructive calls"),
        ],
        rows: people,
        note: None,
    }));
    Ok(s.with(Block::Chart(daily_chart(
        daily,
        "calls",
        "API calls per day, by who made them",
        "calls",
    ))))
}

/// Agent sessions with high-severity destructive calls (`high`, the result
/// of `report_high_severity.sql`), most calls first.
pub(super) fn destructive_sessions(high: &DataFrame) -> Vec<String> {
    let f = Frame(high);
    let mut per_session: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..f.height() {
        if let Some(s) = f.str("agent_session_id", i) {
            *per_session.entry(s).or_default() += 1;
        }
    }
    let mut sessions: Vec<(String, usize)> = per_session.into_iter().collect();
    sessions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    sessions.into_iter().map(|s| s.0).collect()
}

/// High-severity destructive calls, one row per action (`action_id`: the
/// decision, e.g. a delete-stack with the deletes CloudFormation made for
/// it, or one `aws s3 rm --recursive`), in the order of its first call;
/// `timelines` are the sessions the report has a timeline for; `high` and
/// `daily` are the results of `report_high_severity.sql` and
/// `report_daily.sql` for the period.
pub(super) fn destructive_section(
    high: &DataFrame,
    daily: &DataFrame,
    timelines: &[String],
) -> Result<Section> {
    let f = Frame(high);
    // (first row, last row, calls) per action, first seen first
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..f.height() {
        let action = f
            .str("action_id", i)
            .or_else(|| f.str("event_id", i))
            .unwrap_or_default();
        match index.get(&action) {
            Some(&r) => {
                runs[r].1 = i;
                runs[r].2 += 1;
            }
            None => {
                index.insert(action, runs.len());
                runs.push((i, i, 1));
            }
        }
    }
    let members = |first: usize| -> Vec<usize> {
        let action = f.str("action_id", first);
        (first..f.height())
            .filter(|&j| action.is_some() && f.str("action_id", j) == action)
            .collect()
    };
    let mut rows = Vec::new();
    for &(i, last, calls) in runs.iter().take(MAX_ROWS) {
        let session = f.str("agent_session_id", i);
        let approval = match (f.str("actor_kind", i).as_deref(), f.str("approval", i)) {
            (Some("ai"), Some(a)) => {
                let a = crate::attribution::risk::describe_approval(
                    &a,
                    f.str("approval_rule", i).as_deref(),
                );
                let silent = f
                    .str("human_last_spoke_secs", i)
                    .and_then(|s| s.parse::<i64>().ok());
                match silent {
                    Some(s) => format!("{a}; person last wrote {} min before", s / 60),
                    None => format!("{a}; no message from the person before"),
                }
            }
            (Some("ai"), None) => "no tool call".into(),
            _ => "n/a (not an agent)".into(),
        };
        let (t0, t1) = (f.time("event_time", i), f.time("event_time", last));
        rows.push(vec![
            text(match (t0, t1) {
                (Some(a), Some(b)) if minute(a) != minute(b) => {
                    Some(format!("{} – {}", minute(a), &minute(b)[11..]))
                }
                (a, _) => a.map(minute),
            }),
            text(f.str("account_id", i)),
            Cell::text(action_text(&f, members(i))),
            Cell::int(calls as i64),
            text(f.str("severity", i)),
            text(match (f.str("actor_kind", i), f.str("actor", i)) {
                (Some(k), Some(a)) => Some(format!("{a} ({k})")),
                (_, a) => a,
            }),
            text(f.str("operator", i)),
            Cell::text(approval),
            match session.filter(|s| timelines.contains(s)) {
                Some(s) => Cell::link("timeline", timeline_anchor(&s)),
                None => Cell::Empty,
            },
        ]);
    }
    let note = (runs.len() > MAX_ROWS).then(|| {
        format!(
            "First {MAX_ROWS} of {} actions; `trailblame destructive --min-severity high` lists every call.",
            runs.len()
        )
    });
    Ok(Section::new("destructive", "Destructive actions")
        .with(Block::Chart(daily_chart(
            daily,
            "destructive",
            "Successful destructive calls per day",
            "calls",
        )))
        .with(Block::Table(Table {
            caption: Some(format!(
                "High and critical severity: {} actions ({} API calls; one row per action, with the calls it caused)",
                int(runs.len() as i64),
                int(f.height() as i64)
            )),
            columns: vec![
                Column::text("Time (UTC)"),
                Column::text("Account"),
                Column::text("Action"),
                Column::numeric("API calls"),
                Column::text("Severity"),
                Column::text("Actor"),
                Column::text("On behalf of"),
                Column::text("Approval"),
                Column::text("Timeline"),
            ],
            rows,
            note,
        })))
}

/// What one action did: its calls by name and count, grouped by how they
/// came about (`via`), the action's own calls first, e.g.
/// "DeleteStack; via cloudformation: DeleteFunction20150331 ×2, DeleteTable".
fn action_text(f: &Frame, members: Vec<usize>) -> String {
    // (via, name) -> calls, in the order first seen
    let mut calls: Vec<((String, String), usize)> = Vec::new();
    for j in members {
        let key = (
            f.str("via", j).unwrap_or_else(|| "direct".into()),
            f.str("event_name", j).unwrap_or_default(),
        );
        match calls.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => calls.push((key, 1)),
        }
    }
    let mut vias: Vec<&str> = calls.iter().map(|((v, _), _)| v.as_str()).collect();
    vias.dedup();
    let mut seen: Vec<&str> = Vec::new();
    vias.retain(|v| {
        let new = !seen.contains(v);
        seen.push(v);
        new
    });
    vias.sort_by_key(|v| *v != "direct");
    vias.iter()
        .map(|via| {
            let names: Vec<String> = calls
                .iter()
                .filter(|((v, _), _)| v == via)
                .map(|((_, name), n)| match n {
                    1 => name.clone(),
                    n => format!("{name} ×{n}"),
                })
                .collect();
            match *via {
                "direct" => names.join(", "),
                via => format!("via {via}: {}", names.join(", ")),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
