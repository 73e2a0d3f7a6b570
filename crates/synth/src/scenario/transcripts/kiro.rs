//! Kiro CLI's SQLite database, `~/.local/share/kiro-cli/data.sqlite3`:
//! each conversation is one `ConversationState` JSON value in
//! `conversations_v2` (key = working directory, plus the conversation id),
//! and the legacy `conversations` table keeps the latest state per
//! directory. `history` entries pair a user message (a prompt with its
//! local-time `timestamp`, or tool results with none) and an assistant
//! message (`ToolUse` with one tool use, or `Response`), with request
//! metadata whose millisecond timestamps give each call's window: it starts
//! when the response that asked for it finished streaming and ends when the
//! next request starts.

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{Connection, params};

use crate::json::{Obj, push_str};
use crate::rng::{Rng, mix};
use crate::scenario::cast;
use crate::scenario::session::{Call, Session, Tool};

/// The database path relative to `transcripts/`.
pub(crate) fn rel_path(human: u8) -> String {
    format!(
        "{}/.local/share/kiro-cli/data.sqlite3",
        cast::HUMANS[human as usize].user
    )
}

/// `2025-12-10T09:20:00.412-06:00` in the person's zone.
fn local_ts(ms: i64, human: u8) -> String {
    let off = cast::offset_secs(human);
    let mut s = crate::json::iso((ms / 1000) + off);
    s.pop();
    let h = off / 3600;
    format!(
        "{s}.{:03}{}{:02}:00",
        ms.rem_euclid(1000),
        if h < 0 { '-' } else { '+' },
        h.abs()
    )
}

fn user_msg(o: &mut Obj<'_>, s: &Session, content: impl FnOnce(&mut Obj<'_>), ts: Option<String>) {
    let mut u = o.obj("user");
    u.str("additional_context", "");
    {
        let mut e = u.obj("env_context");
        let mut st = e.obj("env_state");
        st.str("operating_system", "linux")
            .str("current_working_directory", &s.cwd)
            .arr("environment_variables")
            .end();
        st.end();
        e.end();
    }
    {
        let mut c = u.obj("content");
        content(&mut c);
        c.end();
    }
    match ts {
        Some(t) => u.str("timestamp", &t),
        None => u.null("timestamp"),
    };
    u.null("images");
    u.end();
}

fn tool_use(o: &mut Obj<'_>, c: &Call) {
    let (name, args) = match &c.tool {
        Tool::KiroUseAws(u) => {
            let mut b = Vec::new();
            {
                let mut a = Obj::new(&mut b);
                a.str("service_name", &u.service)
                    .str("operation_name", &u.operation);
                if !u.params.is_empty() {
                    let mut p = a.obj("parameters");
                    for (k, v) in &u.params {
                        p.str(k, v);
                    }
                    p.end();
                }
                a.str("region", &u.region);
                if let Some(pr) = &u.profile {
                    a.str("profile_name", pr);
                }
                a.str("label", &u.label);
                a.end();
            }
            ("use_aws", b)
        }
        Tool::KiroBash { command, summary } => {
            let mut b = Vec::new();
            Obj::new(&mut b)
                .str("command", command)
                .str("summary", summary)
                .end();
            ("execute_bash", b)
        }
        Tool::KiroFs { name, args } => (*name, args.as_bytes().to_vec()),
        _ => ("unknown", b"{}".to_vec()),
    };
    o.str("id", &c.id).str("name", name).str("orig_name", name);
    o.raw("args", &args).raw("orig_args", &args);
}

fn results(o: &mut Obj<'_>, c: &Call) {
    let mut r = o.obj("ToolUseResults");
    let mut a = r.arr("tool_use_results");
    let mut x = a.obj();
    x.str("tool_use_id", &c.id);
    {
        let mut content = x.arr("content");
        let mut b = content.obj();
        match c.tool {
            Tool::KiroFs { .. } => {
                b.str("Text", &c.output);
            }
            _ => {
                let (out, err) = if c.exit == 0 {
                    (c.output.as_str(), "")
                } else {
                    ("", c.output.as_str())
                };
                b.obj("Json")
                    .str("exit_status", &c.exit.to_string())
                    .str("stdout", out)
                    .str("stderr", err)
                    .end();
            }
        }
        b.end();
        content.end();
    }
    x.str("status", if c.exit == 0 { "Success" } else { "Error" });
    x.end();
    a.end();
    r.end();
}

fn metadata(
    o: &mut Obj<'_>,
    rng: &mut Rng,
    start: i64,
    end: i64,
    call: Option<&Call>,
    s: &Session,
) {
    let mut m = o.obj("request_metadata");
    m.str("request_id", &rng.uuid())
        .str("message_id", &rng.uuid())
        .num("request_start_timestamp_ms", start)
        .num("stream_end_timestamp_ms", end);
    m.obj("time_to_first_chunk")
        .num("secs", 1)
        .num("nanos", rng.below(999_999_999) as i64)
        .end();
    m.arr("time_between_chunks").end();
    m.num("user_prompt_length", 0)
        .num("response_size", 40 + rng.below(900) as i64)
        .str(
            "chat_conversation_type",
            if call.is_some() {
                "ToolUse"
            } else {
                "NotToolUse"
            },
        );
    let mut pairs = b"[".to_vec();
    if let Some(c) = call {
        let name = match c.tool {
            Tool::KiroUseAws(_) => "use_aws",
            Tool::KiroBash { .. } => "execute_bash",
            Tool::KiroFs { name, .. } => name,
            _ => "unknown",
        };
        pairs.push(b'[');
        push_str(&mut pairs, &c.id);
        pairs.push(b',');
        push_str(&mut pairs, name);
        pairs.push(b']');
    }
    pairs.push(b']');
    m.raw("tool_use_ids_and_names", &pairs);
    m.str("model_id", s.model).arr("message_meta_tags").end();
    m.end();
}

/// The `ConversationState` JSON of one session.
pub(crate) fn state(s: &Session, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(mix(seed ^ 0x0C1_0000, cast::hash(&[&s.id])));
    let mut buf = Vec::new();
    let mut o = Obj::new(&mut buf);
    o.str("conversation_id", &s.id).null("next_message");
    let mut entries = 0;
    {
        let mut h = o.arr("history");
        for t in &s.turns {
            // (user part, request start) then each call, then the reply.
            let mut prev: Option<&Call> = None;
            let mut req_start = t.prompt_ms + 150;
            let steps: Vec<Option<&Call>> = t
                .calls
                .iter()
                .map(Some)
                .chain(std::iter::once(None))
                .collect();
            for step in steps {
                let mut e = h.obj();
                match prev {
                    None => user_msg(
                        &mut e,
                        s,
                        |c| {
                            c.obj("Prompt").str("prompt", &t.prompt).end();
                        },
                        Some(local_ts(t.prompt_ms, s.operator)),
                    ),
                    Some(p) => user_msg(&mut e, s, |c| results(c, p), None),
                }
                let stream_end = match step {
                    Some(c) => c.start_ms,
                    None => t.reply_ms,
                };
                {
                    let mut a = e.obj("assistant");
                    match step {
                        Some(c) => {
                            let mut tu = a.obj("ToolUse");
                            tu.str("message_id", &rng.uuid())
                                .str("content", c.text_before.as_deref().unwrap_or(""));
                            let mut uses = tu.arr("tool_uses");
                            let mut x = uses.obj();
                            tool_use(&mut x, c);
                            x.end();
                            uses.end();
                            tu.end();
                        }
                        None => {
                            a.obj("Response")
                                .str("message_id", &rng.uuid())
                                .str("content", &t.reply)
                                .end();
                        }
                    }
                    a.end();
                }
                metadata(&mut e, &mut rng, req_start, stream_end, step, s);
                e.end();
                entries += 1;
                if let Some(c) = step {
                    req_start = c.end_ms;
                }
                prev = step;
            }
        }
        h.end();
    }
    o.raw("valid_history_range", format!("[0,{entries}]").as_bytes());
    o.null("latest_summary");
    o.obj("model_info")
        .str("model_name", s.model)
        .str("model_id", s.model)
        .num("context_window_tokens", 200_000)
        .end();
    o.end();
    buf
}

/// Writes one person's Kiro database with all their sessions.
pub(crate) fn write_db(path: &Path, sessions: &[&Session], seed: u64) -> Result<u64> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if path.exists() {
        std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
    }
    let mut conn =
        Connection::open(path).with_context(|| format!("creating {}", path.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode=DELETE;
         CREATE TABLE migrations (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, migration_time INTEGER NOT NULL);
         CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT, shell TEXT, pid INTEGER, session_id TEXT, cwd TEXT, start_time INTEGER, hostname TEXT, exit_code INTEGER, end_time INTEGER, duration INTEGER);
         CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB);
         CREATE TABLE conversations (key TEXT PRIMARY KEY, value TEXT);
         CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT);
         CREATE TABLE conversations_v2 (key TEXT NOT NULL, conversation_id TEXT NOT NULL, value TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (key, conversation_id));",
    )
    .with_context(|| format!("creating tables in {}", path.display()))?;
    let tx = conn.transaction()?;
    for v in 0..9i64 {
        tx.execute(
            "INSERT INTO migrations (version, migration_time) VALUES (?1, ?2)",
            params![v, 1_756_000_000 + v * 86_400],
        )?;
    }
    let mut latest: std::collections::BTreeMap<&str, (i64, Vec<u8>)> =
        std::collections::BTreeMap::new();
    for s in sessions {
        let value = state(s, seed);
        let created = s.start_ms;
        let updated = s.turns.last().map_or(created, |t| t.reply_ms);
        let text = String::from_utf8_lossy(&value).into_owned();
        tx.execute(
            "INSERT INTO conversations_v2 (key, conversation_id, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.cwd, s.id, text, created, updated],
        )?;
        let e = latest
            .entry(s.cwd.as_str())
            .or_insert((updated, value.clone()));
        if updated >= e.0 {
            *e = (updated, value);
        }
    }
    for (k, (_, v)) in &latest {
        tx.execute(
            "INSERT INTO conversations (key, value) VALUES (?1, ?2)",
            params![k, String::from_utf8_lossy(v).into_owned()],
        )?;
    }
    tx.commit()?;
    drop(conn);
    Ok(std::fs::metadata(path)?.len())
}
