//! Renderer tests on one document full of hostile values, plus the JSON
//! field-name snapshot.

use super::*;

const SCRIPT: &str = "<script>alert(1)</script>";
const ATTR: &str = "\"><img src=x onerror=alert(1)>";
const FORMULA: &str = "=cmd|' /C calc'!A0";
const ANSI: &str = "\u{1b}[31mred\u{1b}[0m";
const JS: &str = "javascript:alert(document.cookie)";
const URL: &str = "https://evil.example/x?y=1";

fn hostile_document() -> Document {
    let table = Table {
        caption: Some(format!("Who acted {SCRIPT}")),
        columns: vec![
            Column::text(ATTR),
            Column::numeric("events"),
            Column::numeric("share"),
            Column::text("timeline"),
        ],
        rows: vec![
            vec![
                Cell::text(SCRIPT),
                Cell::int(9076),
                Cell::percent(0.625, 1),
                Cell::link(ATTR, JS),
            ],
            vec![
                Cell::text(FORMULA),
                Cell::number(f64::NAN, 2),
                Cell::Empty,
                Cell::link("see", URL),
            ],
            vec![Cell::text(ANSI)],
        ],
        note: Some(format!("note {ANSI}")),
    };
    let timeline = Timeline {
        id: JS.to_string(),
        title: format!("Session {SCRIPT}"),
        entries: vec![
            TimelineEntry {
                time: "2025-12-10T14:03:12Z".into(),
                depth: 0,
                kind: EntryKind::Prompt,
                actor: Some(ATTR.into()),
                text: format!("please {SCRIPT}"),
                detail: None,
                flags: vec![],
                anchor: None,
            },
            TimelineEntry {
                time: "2025-12-10T14:03:20Z".into(),
                depth: 0,
                kind: EntryKind::ToolCall,
                actor: Some("claude-code".into()),
                text: format!("aws s3 rb s3://x --force {ANSI}"),
                detail: Some(FORMULA.into()),
                flags: vec!["destructive".into(), ATTR.into()],
                anchor: Some(format!("call {ATTR}")),
            },
            TimelineEntry {
                time: "2025-12-10T14:03:21Z".into(),
                depth: 1,
                kind: EntryKind::Event,
                actor: None,
                text: "s3:DeleteBucket".into(),
                detail: Some(URL.into()),
                flags: vec!["error: AccessDenied".into()],
                anchor: Some(URL.into()),
            },
        ],
        collapsed: false,
        summary: vec![format!("{SCRIPT} {ANSI} {ATTR}")],
    };
    Document {
        title: format!("Report {SCRIPT}"),
        subtitle: Some(ATTR.into()),
        generated_by: format!("trailblame {ANSI}"),
        sections: vec![
            Section::new(JS, format!("Headline {SCRIPT}"))
                .with(Block::Metrics(vec![Metric {
                    label: ATTR.into(),
                    value: SCRIPT.into(),
                    detail: Some(FORMULA.into()),
                    trend: Some(Trend::Up),
                }]))
                .with(Block::Verdict(format!("{SCRIPT} {URL}")))
                .with(Block::Paragraph(format!("{ATTR} {ANSI}")))
                .with(Block::Note(JS.into()))
                .with(Block::List(vec![SCRIPT.into(), FORMULA.into()])),
            Section::new(ATTR, "Table").with(Block::Table(table)),
            Section::new(URL, "Charts")
                .with(Block::Chart(Chart::StackedBars(StackedBars {
                    title: SCRIPT.into(),
                    x_labels: vec![ATTR.into(), ANSI.into()],
                    series: vec![Series {
                        name: SCRIPT.into(),
                        values: vec![3.0, 4.0],
                        tone: Tone::Ai,
                    }],
                    y_label: ATTR.into(),
                })))
                .with(Block::Chart(Chart::Intervals(Intervals {
                    title: ATTR.into(),
                    rows: vec![IntervalRow {
                        label: SCRIPT.into(),
                        estimate: Some(2.0),
                        low: Some(1.0),
                        high: None,
                        note: Some(ANSI.into()),
                    }],
                    reference: 1.0,
                    log_scale: true,
                    x_label: SCRIPT.into(),
                })))
                .with(Block::Chart(Chart::Lines(Lines {
                    title: URL.into(),
                    x_labels: vec![SCRIPT.into()],
                    series: vec![Series {
                        name: ATTR.into(),
                        values: vec![1.0],
                        tone: Tone::Other,
                    }],
                    y_label: String::new(),
                }))),
            Section::new("timeline", "Timeline").with(Block::Timeline(timeline)),
        ],
    }
}

/// Attribute names of every tag in `html`, quotes respected (so an escaped
/// `onerror=` inside a quoted value is not an attribute).
fn attribute_names(html: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
            i += 1; // tag name
        }
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let start = i;
            while i < bytes.len() && !b" \t\n=>".contains(&bytes[i]) {
                i += 1;
            }
            names.push(html[start..i].to_ascii_lowercase());
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                    let q = bytes[i];
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
    }
    names
}

/// Values of `attr="…"` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn html_is_inert_with_hostile_values() {
    let html = to_html(&hostile_document());
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script element");
    assert!(!lower.contains("<img"), "an img element");
    for attr in ["href", "src", "title", "id", "class", "content"] {
        for value in attribute_values(&lower, attr) {
            assert!(
                !value.contains("javascript:") && !value.contains("://"),
                "{attr}={value:?}"
            );
        }
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("=cmd|&#39; /C calc&#39;!A0"));
    assert!(!html.contains('\u{1b}'));
    let names = attribute_names(&html);
    assert!(!names.is_empty());
    for name in &names {
        assert!(!name.starts_with("on"), "event handler attribute {name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "odd attribute {name:?}"
        );
    }
}

#[test]
fn html_has_no_url_when_hostile_values_are_anchors() {
    let mut doc = hostile_document();
    // URLs given only where the model takes anchors and ids
    doc.sections.retain(|s| s.id != URL);
    doc.sections[0].blocks.truncate(1);
    for s in &mut doc.sections {
        s.id = URL.to_string();
    }
    for s in &mut doc.sections {
        for b in &mut s.blocks {
            if let Block::Timeline(t) = b {
                for e in &mut t.entries {
                    e.detail = None;
                    e.text = e.text.replace("s3://", "");
                }
            }
        }
    }
    let html = to_html(&doc).to_ascii_lowercase();
    // `http` survives only as letters of a slug (`#https-evil-example…`)
    // and in the CSP's `http-equiv`: no scheme, no `//`
    for scheme in ["http:", "https:", "javascript:", "://"] {
        assert!(!html.contains(scheme), "{scheme} in {html}");
    }
    let stripped = html
        .replace("http-equiv", "")
        .replace("#https-evil", "")
        .replace("\"https-evil", "");
    assert!(!stripped.contains("http"), "{stripped}");
}

#[test]
fn html_declares_its_security_policy() {
    let html = to_html(&hostile_document());
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    assert!(html.contains("<style>") && !html.contains("<link"));
}

#[test]
fn html_anchors_are_slugs_and_links_stay_in_the_page() {
    let html = to_html(&hostile_document());
    let ids = attribute_values(&html, "id");
    assert!(ids.len() > 5);
    for id in &ids {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'),
            "id {id:?}"
        );
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for href in attribute_values(&html, "href") {
        assert!(href.starts_with('#'), "href {href:?}");
        let target = &href[1..];
        assert!(
            target
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "href {href:?}"
        );
    }
    // the contents link each section by its id
    assert!(html.contains("<a href=\"#javascript-alert-document-cookie\">"));
    assert!(html.contains("<section id=\"javascript-alert-document-cookie\">"));
    // the timeline's id was taken by the first section: it gets a suffix
    assert!(html.contains("id=\"javascript-alert-document-cookie-2\""));
}

#[test]
fn degenerate_charts_never_print_nan() {
    let bars = |labels: Vec<String>, values: Vec<f64>| {
        Block::Chart(Chart::StackedBars(StackedBars {
            title: "bars".into(),
            x_labels: labels,
            series: vec![Series {
                name: "AI".into(),
                values,
                tone: Tone::Ai,
            }],
            y_label: "events".into(),
        }))
    };
    let days = |n: usize| (0..n).map(|d| format!("d{d}")).collect::<Vec<_>>();
    let doc = Document {
        title: "degenerate".into(),
        subtitle: None,
        generated_by: "test".into(),
        sections: vec![
            Section::new("a", "a")
                .with(bars(vec![], vec![]))
                .with(bars(days(1), vec![1.0]))
                .with(bars(days(5), vec![0.0; 5]))
                .with(bars(days(60), vec![1e9; 60]))
                .with(Block::Chart(Chart::Intervals(Intervals {
                    title: "rr".into(),
                    rows: vec![IntervalRow {
                        label: "x".into(),
                        estimate: Some(0.0),
                        low: None,
                        high: Some(f64::INFINITY),
                        note: None,
                    }],
                    reference: 1.0,
                    log_scale: true,
                    x_label: String::new(),
                })))
                .with(Block::Chart(Chart::Lines(Lines {
                    title: "trend".into(),
                    x_labels: vec![],
                    series: vec![],
                    y_label: String::new(),
                })))
                .with(Block::Table(Table {
                    caption: None,
                    columns: vec![],
                    rows: vec![],
                    note: None,
                }))
                .with(Block::Metrics(vec![])),
        ],
    };
    let html = to_html(&doc);
    assert!(
        !html.contains("NaN") && !html.contains("inf\""),
        "NaN in HTML"
    );
    let md = to_markdown(&doc);
    assert!(!md.contains("NaN"));
    let text = to_text(&doc, 80);
    assert!(!text.contains("NaN"));
    let json = to_json(&doc).expect("serializes");
    assert!(json.contains("\"Infinity\""));
}

#[test]
fn markdown_is_inert_with_hostile_values() {
    let md = to_markdown(&hostile_document());
    let lower = md.to_ascii_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<img"));
    assert!(!lower.contains("://"), "autolinks are broken");
    assert!(!lower.contains("](javascript") && !lower.contains("](http"));
    // every `<` is one of the renderer's own tags
    for (i, _) in md.match_indices('<') {
        let rest = &md[i..];
        assert!(
            [
                "<a id=\"",
                "</a>",
                "<br>",
                "<details>",
                "</details>",
                "<summary>",
                "</summary>"
            ]
            .iter()
            .any(|t| rest.starts_with(t)),
            "raw `<` at {:?}",
            &rest[..rest.len().min(30)]
        );
    }
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!md.contains('\u{1b}'));
}

#[test]
fn text_is_inert_with_hostile_values() {
    let text = to_text(&hostile_document(), 100);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    assert!(text.contains(r"\u{1b}[31mred"));
    assert!(text.contains(SCRIPT), "shown as text, verbatim");
    for line in text.lines() {
        assert!(escape::width(line) <= 100, "{line}");
    }
}

/// Every object key in the JSON, recursively.
fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn json_field_names_are_stable() {
    let json = to_json(&hostile_document()).expect("serializes");
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let mut found = std::collections::BTreeSet::new();
    keys(&value, &mut found);
    let expected = [
        "actor",
        "anchor",
        "blocks",
        "caption",
        "columns",
        "content",
        "depth",
        "detail",
        "entries",
        "estimate",
        "flags",
        "generated_by",
        "high",
        "id",
        "kind",
        "label",
        "log_scale",
        "low",
        "name",
        "note",
        "numeric",
        "precision",
        "ratio",
        "reference",
        "rows",
        "sections",
        "series",
        "subtitle",
        "summary",
        "text",
        "time",
        "title",
        "tone",
        "trend",
        "type",
        "value",
        "values",
        "x_label",
        "x_labels",
        "y_label",
    ];
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(found, expected);
    // tags and enum values are snake_case
    let s = json.as_str();
    for tag in [
        "\"type\": \"metrics\"",
        "\"type\": \"stacked_bars\"",
        "\"type\": \"intervals\"",
        "\"type\": \"lines\"",
        "\"type\": \"timeline\"",
        "\"type\": \"link\"",
        "\"type\": \"percent\"",
        "\"type\": \"empty\"",
        "\"kind\": \"tool_call\"",
        "\"trend\": \"up\"",
        "\"tone\": \"ai\"",
        "\"high\": null",
    ] {
        assert!(s.contains(tag), "{tag} missing");
    }
}

#[test]
fn json_snapshot_of_a_small_document() {
    let doc = Document {
        title: "T".into(),
        subtitle: None,
        generated_by: "trailblame 0.1.0".into(),
        sections: vec![
            Section::new("s", "S")
                .with(Block::Paragraph("p".into()))
                .with(Block::Table(Table {
                    caption: None,
                    columns: vec![Column::numeric("n")],
                    rows: vec![vec![Cell::int(1), Cell::number(f64::INFINITY, 1)]],
                    note: None,
                })),
        ],
    };
    let expected = r#"{
  "title": "T",
  "subtitle": null,
  "generated_by": "trailblame 0.1.0",
  "sections": [
    {
      "id": "s",
      "title": "S",
      "blocks": [
        {
          "type": "paragraph",
          "content": "p"
        },
        {
          "type": "table",
          "content": {
            "caption": null,
            "columns": [
              {
                "name": "n",
                "numeric": true
              }
            ],
            "rows": [
              [
                {
                  "type": "integer",
                  "value": 1
                },
                {
                  "type": "number",
                  "value": "Infinity",
                  "precision": 1
                }
              ]
            ],
            "note": null
          }
        }
      ]
    }
  ]
}"#;
    assert_eq!(to_json(&doc).expect("serializes"), expected);
}
