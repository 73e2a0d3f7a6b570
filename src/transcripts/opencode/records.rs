//! The shapes OpenCode stores, as serde reads them: message info (`role`,
//! times, model, path), parts (`text`, `tool` with its state), a session
//! file of the legacy JSON storage, and permission rules. In the database
//! the ids live in columns; in the legacy files they are in the JSON.

use serde::Deserialize;

use super::super::lenient::{
    RawJson, RawText, Seen, Text, flag, number, object, once, opt, scan_whole,
};
use crate::json_scan::{GiveUp, Parser, R};

#[derive(Deserialize, Default)]
pub(super) struct MessageInfo {
    pub(super) id: Option<String>,
    #[serde(rename = "sessionID")]
    pub(super) session_id: Option<String>,
    pub(super) role: Option<String>,
    pub(super) time: Option<Times>,
    #[serde(rename = "modelID")]
    pub(super) model_id: Option<String>,
    /// A user message names the model it asked for.
    pub(super) model: Option<ModelRef>,
    pub(super) path: Option<MessagePath>,
}

#[derive(Deserialize, Default, Clone, Copy, Debug)]
pub(super) struct Times {
    pub(super) created: Option<f64>,
    pub(super) updated: Option<f64>,
    pub(super) completed: Option<f64>,
    pub(super) start: Option<f64>,
    pub(super) end: Option<f64>,
}

#[derive(Deserialize)]
pub(super) struct ModelRef {
    #[serde(rename = "modelID", alias = "id")]
    pub(super) model_id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct MessagePath {
    pub(super) cwd: Option<String>,
}

/// A part, its text borrowed from the row or file where it has no escapes:
/// a database holds a million of them.
#[derive(Deserialize, Debug)]
pub(super) struct Part<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
    #[serde(rename = "sessionID", borrow)]
    pub(super) session_id: Option<Text<'a>>,
    #[serde(rename = "messageID", borrow)]
    pub(super) message_id: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) text: Option<Text<'a>>,
    pub(super) synthetic: Option<bool>,
    pub(super) ignored: Option<bool>,
    #[serde(rename = "callID", borrow)]
    pub(super) call_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) tool: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) state: Option<ToolState<'a>>,
    pub(super) time: Option<Times>,
}

#[derive(Deserialize, Debug)]
pub(super) struct ToolState<'a> {
    #[serde(borrow)]
    pub(super) status: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) input: Option<RawJson<'a>>,
    /// Only an excerpt is kept: left as JSON (a `read` tool's output is
    /// a whole file).
    #[serde(borrow)]
    pub(super) output: Option<RawText<'a>>,
    #[serde(borrow)]
    pub(super) error: Option<Text<'a>>,
    pub(super) metadata: Option<ToolMetadata>,
    pub(super) time: Option<Times>,
}

#[derive(Deserialize, Debug)]
pub(super) struct ToolMetadata {
    /// The bash tool's exit code (null when killed).
    pub(super) exit: Option<serde_json::Value>,
    pub(super) interrupted: Option<bool>,
}

#[derive(Deserialize)]
pub(super) struct BashInput {
    pub(super) command: Option<String>,
}

/// `storage/session/<projectID>/<sessionID>.json`.
#[derive(Deserialize)]
pub(super) struct SessionFile {
    pub(super) id: Option<String>,
    #[serde(rename = "parentID")]
    pub(super) parent_id: Option<String>,
    pub(super) directory: Option<String>,
    pub(super) version: Option<String>,
    pub(super) time: Option<Times>,
}

/// One permission rule: `{permission, pattern, action}`; the last rule
/// that matches decides.
#[derive(Deserialize, Clone, Debug)]
pub(super) struct Rule {
    pub(super) permission: String,
    pub(super) pattern: String,
    pub(super) action: String,
}

impl<'a> Part<'a> {
    /// A part's JSON: read straight from the text by [`Part::scan`] when
    /// it can, else by serde (whose error is the one reported).
    pub(super) fn read(text: &'a str) -> serde_json::Result<Part<'a>> {
        Part::scan(text).map_or_else(|| serde_json::from_str(text), Ok)
    }

    /// What serde makes of `text`, or `None` where this scanner does not
    /// read it exactly as serde would (a member repeated, a type serde
    /// would refuse, an object written as an array, an exponent): the
    /// caller then asks serde. A database holds a million parts, and
    /// serde's derived reader was most of the time spent on them.
    pub(super) fn scan(text: &'a str) -> Option<Part<'a>> {
        scan_whole(text, Part::fill)
    }

    fn fill(p: &mut Parser<'a>) -> R<Part<'a>> {
        let mut part = Part {
            id: None,
            session_id: None,
            message_id: None,
            kind: None,
            text: None,
            synthetic: None,
            ignored: None,
            call_id: None,
            tool: None,
            state: None,
            time: None,
        };
        let mut seen = Seen::default();
        object(p, |p, key| match key {
            b"id" => once(&mut seen, 0, &mut part.id, p.opt_str()?.map(Text)),
            b"sessionID" => once(&mut seen, 1, &mut part.session_id, p.opt_str()?.map(Text)),
            b"messageID" => once(&mut seen, 2, &mut part.message_id, p.opt_str()?.map(Text)),
            b"type" => once(&mut seen, 3, &mut part.kind, p.opt_str()?.map(Text)),
            b"text" => once(&mut seen, 4, &mut part.text, p.opt_str()?.map(Text)),
            b"synthetic" => once(&mut seen, 5, &mut part.synthetic, flag(p)?),
            b"ignored" => once(&mut seen, 6, &mut part.ignored, flag(p)?),
            b"callID" => once(&mut seen, 7, &mut part.call_id, p.opt_str()?.map(Text)),
            b"tool" => once(&mut seen, 8, &mut part.tool, p.opt_str()?.map(Text)),
            b"state" => once(&mut seen, 9, &mut part.state, opt(p, ToolState::fill)?),
            b"time" => once(&mut seen, 10, &mut part.time, opt(p, Times::fill)?),
            _ => p.skip(),
        })?;
        Ok(part)
    }
}

impl<'a> ToolState<'a> {
    fn fill(p: &mut Parser<'a>) -> R<ToolState<'a>> {
        let mut state = ToolState {
            status: None,
            input: None,
            output: None,
            error: None,
            metadata: None,
            time: None,
        };
        let mut seen = Seen::default();
        object(p, |p, key| match key {
            b"status" => once(&mut seen, 0, &mut state.status, p.opt_str()?.map(Text)),
            b"input" => once(&mut seen, 1, &mut state.input, opt(p, RawJson::scan)?),
            b"output" => once(&mut seen, 2, &mut state.output, opt(p, RawText::scan)?),
            b"error" => once(&mut seen, 3, &mut state.error, p.opt_str()?.map(Text)),
            b"metadata" => once(
                &mut seen,
                4,
                &mut state.metadata,
                opt(p, ToolMetadata::fill)?,
            ),
            b"time" => once(&mut seen, 5, &mut state.time, opt(p, Times::fill)?),
            _ => p.skip(),
        })?;
        Ok(state)
    }
}

impl ToolMetadata {
    fn fill(p: &mut Parser<'_>) -> R<ToolMetadata> {
        let mut meta = ToolMetadata {
            exit: None,
            interrupted: None,
        };
        let mut seen = Seen::default();
        object(p, |p, key| match key {
            b"exit" => {
                // A number or null; any other value (kept by serde as a
                // `Value`) is left to serde.
                let exit = opt(p, |p| number(p).map(serde_json::Value::Number))?;
                once(&mut seen, 0, &mut meta.exit, exit)
            }
            b"interrupted" => once(&mut seen, 1, &mut meta.interrupted, flag(p)?),
            _ => p.skip(),
        })?;
        Ok(meta)
    }
}

impl Times {
    /// An object of times.
    fn fill(p: &mut Parser<'_>) -> R<Times> {
        let mut t = Times::default();
        let mut seen = Seen::default();
        object(p, |p, key| {
            let (slot, at) = match key {
                b"created" => (&mut t.created, 0),
                b"updated" => (&mut t.updated, 1),
                b"completed" => (&mut t.completed, 2),
                b"start" => (&mut t.start, 3),
                b"end" => (&mut t.end, 4),
                _ => return p.skip(),
            };
            // As serde reads an `f64`: the number, integers converted.
            let v = opt(p, |p| number(p)?.as_f64().ok_or(GiveUp))?;
            once(&mut seen, at, slot, v)
        })?;
        Ok(t)
    }
}
