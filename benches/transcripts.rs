//! Transcript ingest benchmark: 10,000 Claude Code sessions, 1M lines, the
//! same number of sessions as Claude Code telemetry (Collector
//! file-exporter lines, 100 events each) and as one OpenCode database (100
//! parts each, half of the rows in its `-wal`); half as many as Cursor hook
//! logs (100 payloads each: once with every member Cursor documents, once
//! with only those the reader needs), Cline task folders (133 messages
//! each, as Cline writes them), GitHub Copilot CLI sessions (103 events),
//! one Goose database (101 messages each, half in its `-wal`) and Claude
//! Code hook logs (100 payloads); a quarter as many as Claude Code
//! telemetry stored by Elasticsearch (101 documents). Each is ingested on
//! its own and compared per decompressed byte with CloudTrail ingest of a
//! synthetic corpus in the same run (target: no slower per byte).
//!
//! The machine's speed drifts between runs (page faults cost 2–3× more in
//! some runs than in others), so each row is paired with a CloudTrail run
//! just before it, and the median of `TB_BENCH_RUNS` (default 3) pairs'
//! ratios is reported, each pair's ratio beside it.
//!
//! `cargo bench --bench transcripts`. `TB_BENCH_SESSIONS` changes the number
//! of sessions (101 lines each). Data is cached under `target/bench-data/`.

mod common;

use common::{bin, files_under, settle, synth_corpus};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const COMMANDS: &[&str] = &[
    "aws s3 ls s3://acme-artifacts/releases/ --region us-east-1",
    "aws ec2 describe-instances --filters Name=tag:env,Values=staging --region eu-west-1",
    "terraform plan -out tf.plan",
    "aws cloudformation describe-stacks --stack-name billing-api --profile prod",
    "cargo test --workspace",
    "git status --short",
    "AWS_PROFILE=dev aws lambda list-functions | jq '.Functions[].FunctionName'",
    "bash -lc 'aws sts get-caller-identity && aws iam list-roles --max-items 20'",
];

/// `target/bench-data/<name>`, made by `make` unless a finished copy is
/// there (a copy cut short is made again).
fn cached(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(name);
    let stamp = dir.join(".complete");
    if !stamp.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        make(&dir);
        std::fs::write(&stamp, "").unwrap();
    }
    dir
}

/// One Claude Code session of `lines` lines (a prompt, then call/result pairs).
fn claude_session(i: usize, lines: usize) -> String {
    let sid = format!("{:08x}-0000-4000-8000-{:012x}", i, i);
    let mut out = String::with_capacity(lines * 600);
    let base = 1_767_225_600 + (i as i64) * 3600;
    let ts = |k: usize| {
        chrono::DateTime::from_timestamp(base + k as i64 * 7, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    let _ = writeln!(
        out,
        r#"{{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/dev{}/src/service","sessionId":"{sid}","version":"2.0.14","gitBranch":"main","type":"user","message":{{"role":"user","content":"The nightly job fails with AccessDenied on the artifacts bucket; find out why and fix the policy."}},"uuid":"u{i}-0","timestamp":"{}","permissionMode":"default"}}"#,
        i % 40,
        ts(0)
    );
    let mut k = 1;
    while k + 1 < lines {
        let cmd = COMMANDS[(i + k) % COMMANDS.len()];
        let _ = writeln!(
            out,
            r#"{{"parentUuid":"u{i}-{}","isSidechain":false,"userType":"external","cwd":"/home/dev/src/service","sessionId":"{sid}","version":"2.0.14","gitBranch":"main","message":{{"id":"msg_{i}_{k}","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{{"type":"tool_use","id":"toolu_{i}_{k}","name":"Bash","input":{{"command":"{}","description":"Inspect the current state"}}}}],"usage":{{"input_tokens":1523,"output_tokens":87}}}},"requestId":"req_{i}_{k}","type":"assistant","uuid":"a{i}-{k}","timestamp":"{}"}}"#,
            k - 1,
            cmd.replace('"', "\\\""),
            ts(k)
        );
        let _ = writeln!(
            out,
            r#"{{"parentUuid":"a{i}-{k}","isSidechain":false,"userType":"external","cwd":"/home/dev/src/service","sessionId":"{sid}","version":"2.0.14","gitBranch":"main","type":"user","message":{{"role":"user","content":[{{"tool_use_id":"toolu_{i}_{k}","type":"tool_result","content":"2025-12-01 10:00:00 acme-artifacts\n2025-12-02 11:00:00 acme-logs\n","is_error":false}}]}},"uuid":"u{i}-{k}","timestamp":"{}","toolUseResult":{{"stdout":"2025-12-01 10:00:00 acme-artifacts","stderr":"","interrupted":false,"isImage":false}}}}"#,
            ts(k + 1)
        );
        k += 2;
    }
    out
}

fn transcripts(sessions: usize) -> PathBuf {
    cached(&format!("transcripts-{sessions}-v2"), |dir| {
        for i in 0..sessions {
            let d = dir.join(format!("projects/-home-dev{}-src-service", i % 40));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(
                d.join(format!("{:08x}-session.jsonl", i)),
                claude_session(i, 102),
            )
            .unwrap();
        }
    })
}

/// One Collector `file`-exporter line: a Claude Code session's prompt and
/// `lines` tool_decision / tool_result records in one `resourceLogs`
/// request, with the attributes Claude Code exports on each.
fn otel_request(i: usize, lines: usize) -> String {
    let sid = format!("{:08x}-0000-4000-8000-{:012x}", i, i);
    let base: u64 = 1_767_225_600 + (i as u64) * 3600;
    let attr = |k: &str, v: &str| {
        format!(
            r#"{{"key":"{k}","value":{{"stringValue":{}}}}}"#,
            serde_json::Value::from(v)
        )
    };
    let common = [
        attr("session.id", &sid),
        attr("organization.id", "0c2b7a9e-1111-4a2b-9c3d-5e6f7a8b9c0d"),
        attr("user.account_uuid", "a8f1e2d3-2222-4b5c-8d9e-0f1a2b3c4d5e"),
        attr("user.email", &format!("dev{}@example.com", i % 40)),
        attr("app.version", "2.0.31"),
        attr("terminal.type", "vscode"),
    ]
    .join(",");
    let mut recs = Vec::with_capacity(lines);
    for k in 0..lines {
        let t = (base + k as u64 * 7) * 1_000_000_000;
        let (body, extra) = if k % 2 == 0 {
            (
                "claude_code.tool_decision",
                [
                    attr("event.name", "tool_decision"),
                    attr("tool_name", "Bash"),
                    attr("decision", "accept"),
                    attr("source", "config"),
                ]
                .join(","),
            )
        } else {
            let cmd = COMMANDS[(i + k) % COMMANDS.len()];
            let params = serde_json::json!({"bash_command": "aws", "full_command": cmd, "description": "Inspect"})
                .to_string();
            (
                "claude_code.tool_result",
                [
                    attr("event.name", "tool_result"),
                    attr("tool_name", "Bash"),
                    attr("success", "true"),
                    attr("duration_ms", "840"),
                    attr("decision_type", "accept"),
                    attr("decision_source", "user_temporary"),
                    attr("tool_parameters", &params),
                ]
                .join(","),
            )
        };
        recs.push(format!(
            r#"{{"timeUnixNano":"{t}","observedTimeUnixNano":"{t}","body":{{"stringValue":"{body}"}},"attributes":[{common},{extra},{}]}}"#,
            attr("prompt.id", &format!("p-{}", k / 20))
        ));
    }
    format!(
        r#"{{"resourceLogs":[{{"resource":{{"attributes":[{},{}]}},"scopeLogs":[{{"scope":{{"name":"com.anthropic.claude_code.events","version":"2.0.31"}},"logRecords":[{}]}}]}}]}}"#,
        attr("service.name", "claude-code"),
        attr("service.version", "2.0.31"),
        recs.join(",")
    ) + "\n"
}

fn telemetry(sessions: usize) -> PathBuf {
    cached(&format!("otel-{sessions}-v1"), |dir| {
        std::fs::create_dir_all(dir).unwrap();
        // One exporter file per 500 sessions, as a rotating exporter writes.
        for f in 0..sessions.div_ceil(500) {
            let mut text = String::new();
            for i in f * 500..((f + 1) * 500).min(sessions) {
                text.push_str(&otel_request(i, 100));
            }
            std::fs::write(dir.join(format!("otel-logs-{f:04}.jsonl")), text).unwrap();
        }
    })
}

/// One OpenCode database (`opencode.db` and its `-wal`) of `sessions`
/// sessions, each a prompt and 50 bash calls with their replies as parts;
/// the second half of the sessions is left in the `-wal`, as OpenCode
/// leaves recent rows.
fn opencode(sessions: usize) -> PathBuf {
    cached(&format!("opencode-{sessions}-v1"), |dir| {
        std::fs::create_dir_all(dir).unwrap();
        let conn = rusqlite::Connection::open(dir.join("opencode.db")).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE `session` (`id` text PRIMARY KEY, `project_id` text NOT NULL, `parent_id` text, `directory` text NOT NULL, `title` text NOT NULL, `version` text NOT NULL, `permission` text, `model` text, `time_created` integer NOT NULL, `time_updated` integer NOT NULL);
             CREATE TABLE `message` (`id` text PRIMARY KEY, `session_id` text NOT NULL, `time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL);
             CREATE TABLE `part` (`id` text PRIMARY KEY, `message_id` text NOT NULL, `session_id` text NOT NULL, `time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL);",
        )
        .unwrap();
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
        for i in 0..sessions {
            if i == sessions / 2 {
                conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                    .unwrap();
            }
            let tx = conn.unchecked_transaction().unwrap();
            let sid = format!("ses_{i:026}");
            let t0 = 1_767_225_600_000i64 + i as i64 * 3_600_000;
            tx.execute(
                "INSERT INTO session VALUES (?1, 'p', NULL, '/home/dev/src/service', 't', '1.2.6', NULL, NULL, ?2, ?2)",
                rusqlite::params![sid, t0],
            )
            .unwrap();
            for (m, role) in [(0, "user"), (1, "assistant")] {
                tx.execute(
                    "INSERT INTO message VALUES (?1, ?2, ?3, ?3, ?4)",
                    rusqlite::params![
                        format!("msg_{i}_{m}"),
                        sid,
                        t0 + m,
                        format!(r#"{{"role":"{role}","time":{{"created":{}}},"modelID":"claude-sonnet-4-5"}}"#, t0 + m)
                    ],
                )
                .unwrap();
            }
            for k in 0..100i64 {
                let data = if k % 2 == 0 {
                    let cmd = COMMANDS[(i + k as usize) % COMMANDS.len()].replace('"', "\\\"");
                    format!(
                        r#"{{"type":"tool","callID":"toolu_{i}_{k}","tool":"bash","state":{{"status":"completed","input":{{"command":"{cmd}","description":"Inspect"}},"output":"2025-12-01 10:00:00 acme-artifacts\n","title":"x","metadata":{{"exit":0}},"time":{{"start":{},"end":{}}}}}}}"#,
                        t0 + k * 1000,
                        t0 + k * 1000 + 500
                    )
                } else {
                    r#"{"type":"text","text":"The bucket policy denies the nightly role; checking the next resource."}"#.to_owned()
                };
                tx.execute(
                    "INSERT INTO part VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                    rusqlite::params![
                        format!("prt_{i}_{k}"),
                        format!("msg_{i}_1"),
                        sid,
                        t0 + k * 1000,
                        data
                    ],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        drop(conn);
    })
}

/// How much of a Cursor payload the hook lines carry.
#[derive(Clone, Copy, PartialEq)]
enum HookShape {
    /// Every member Cursor's hooks documentation gives every payload
    /// (`model`, `user_email`, `transcript_path` too), with UUIDs for ids.
    Documented,
    /// Only the members the reader needs, short ids: the most records per
    /// byte, the hardest case per byte.
    Minimal,
}

/// Cursor hook logs: `sessions / 2` conversations of 100 payloads each,
/// one file per 500 conversations, as `trailblame-hook-log cursor` writes
/// them.
fn cursor_hooks(sessions: usize, shape: HookShape) -> PathBuf {
    let name = match shape {
        HookShape::Documented => format!("cursor-hooks-{sessions}-documented"),
        HookShape::Minimal => format!("cursor-hooks-{sessions}-minimal"),
    };
    cached(&name, |dir| {
        std::fs::create_dir_all(dir).unwrap();
        let half = sessions / 2;
        for f in 0..half.div_ceil(500) {
            let mut text = String::new();
            for i in f * 500..((f + 1) * 500).min(half) {
                for k in 0..50 {
                    let cmd = COMMANDS[(i + k) % COMMANDS.len()].replace('"', "\\\"");
                    for (ev, extra) in [
                        ("beforeShellExecution", String::new()),
                        (
                            "afterShellExecution",
                            ",\"output\":\"ok\",\"duration\":120".to_owned(),
                        ),
                    ] {
                        let (conv, generation, more) = match shape {
                            HookShape::Minimal => {
                                (format!("{i:08x}-c"), format!("g{k}"), String::new())
                            }
                            HookShape::Documented => {
                                let conv = format!("{i:08x}-5c1e-4d2a-9b7f-3e8a61c0d4f2");
                                (
                                    conv.clone(),
                                    format!("{k:08x}-0b6d-4f3c-8e21-{i:012x}"),
                                    format!(
                                        ",\"model\":\"claude-4.5-sonnet\",\"user_email\":\"dev{}@example.com\",\"transcript_path\":\"/home/dev/.cursor/projects/home-dev-src/agent-transcripts/{conv}/{conv}.jsonl\"",
                                        i % 50
                                    ),
                                )
                            }
                        };
                        let _ = writeln!(
                            text,
                            "{{\"logged_at\":\"2026-01-16T10:{:02}:{:02}Z\",\"agent\":\"cursor\",\"hook\":{{\"conversation_id\":\"{conv}\",\"generation_id\":\"{generation}\",\"hook_event_name\":\"{ev}\",\"cursor_version\":\"2.3.41\",\"workspace_roots\":[\"/home/dev/src\"],\"command\":\"{cmd}\",\"cwd\":\"/home/dev/src\"{more}{extra}}}}}",
                            k % 60,
                            i % 60
                        );
                    }
                }
            }
            std::fs::write(dir.join(format!("cursor-hooks-{f:04}.jsonl")), text).unwrap();
        }
    })
}

/// Cline task folders: `sessions / 2` tasks, each a `ui_messages.json` of
/// the task and 33 shell commands, every command as Cline's task loop
/// writes it (`src/core/task/index.ts`): the model's `say:"text"`, the
/// command (`ask` or `say`), its `command_output`, and the next
/// `say:"api_req_started"`, whose text is the JSON of `ClineApiReqInfo`:
/// the request (the tool result as `formatContentBlockToMarkdown` renders
/// it, then the smallest `<environment_details>` Cline sends: visible
/// files, open tabs, time, context window, mode; no file listing) and the
/// token counts and cost. One line, as `JSON.stringify` writes the array.
fn cline_tasks(sessions: usize) -> PathBuf {
    cached(&format!("cline-{sessions}-v2"), |dir| {
        let output = "2025-12-01 10:00:00 acme-artifacts\n2025-12-02 11:00:00 acme-logs";
        for i in sessions / 2..sessions {
            let d = dir.join(format!("tasks/{}", 1_768_564_800_000u64 + i as u64));
            std::fs::create_dir_all(&d).unwrap();
            let ts = |k: usize| 1_768_564_800_000u64 + (i * 1000 + k) as u64;
            let message = |k: usize, ty: &str, kind: &str, text: &str, index: usize| {
                format!(
                    "{{\"ts\":{},\"type\":\"{ty}\",\"{ty}\":\"{kind}\",\"text\":{},\"conversationHistoryIndex\":{index}}}",
                    ts(k),
                    q(text)
                )
            };
            let mut items = vec![message(
                0,
                "say",
                "task",
                "The nightly job fails with AccessDenied on the artifacts bucket; find out why and fix the policy.",
                0,
            )];
            for k in 0..33 {
                let cmd = COMMANDS[(i + k) % COMMANDS.len()];
                let kind = if k % 2 == 0 { "ask" } else { "say" };
                items.push(message(
                    4 * k + 1,
                    "say",
                    "text",
                    "I'll check what the job's role can see before changing the bucket policy.",
                    2 * k + 1,
                ));
                items.push(message(4 * k + 2, kind, "command", cmd, 2 * k + 1));
                items.push(message(
                    4 * k + 3,
                    "ask",
                    "command_output",
                    output,
                    2 * k + 1,
                ));
                let request = format!(
                    "[execute_command for '{cmd}'] Result:\n\nCommand executed.\nOutput:\n{output}\n\n<environment_details>\n# VSCode Visible Files\ninfra/policies/artifacts-bucket.json\n\n# VSCode Open Tabs\ninfra/policies/artifacts-bucket.json\nREADME.md\n\n# Current Time\n1/16/2026, 10:{:02}:00 AM (UTC, UTC+0:00)\n\n# Context Window Usage\n{},412 / 200K tokens used ({}%)\n\n# Current Mode\nACT MODE\n</environment_details>",
                    k % 60,
                    20 + k,
                    10 + k / 2
                );
                let info = format!(
                    "{{\"request\":{},\"tokensIn\":3,\"tokensOut\":{},\"cacheWrites\":512,\"cacheReads\":{},\"cost\":0.0{}}}",
                    q(&request),
                    100 + k,
                    20_000 + 400 * k,
                    100 + k
                );
                items.push(message(
                    4 * k + 4,
                    "say",
                    "api_req_started",
                    &info,
                    2 * k + 2,
                ));
            }
            std::fs::write(d.join("ui_messages.json"), format!("[{}]", items.join(","))).unwrap();
        }
    })
}

/// A JSON string literal of `s`.
fn q(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// GitHub Copilot CLI sessions: `sessions / 2` session folders
/// (`session-state/<id>/events.jsonl`), each the events the CLI writes for
/// a prompt and 20 shell calls, a turn each (`assistant.turn_start`,
/// `assistant.message` with its `toolRequests`, `tool.execution_start`,
/// `tool.execution_complete`, `assistant.turn_end`), with the members a
/// real session's events carry (interaction, request and API call ids,
/// model, token count, `detailedContent`, `toolTelemetry`; shaped as
/// `tests/fixtures/transcripts/copilot` and a published structural
/// analysis of a real `session-state` folder) but without the opaque
/// reasoning blobs, hooks and system messages: that session averaged
/// 3.5 KB per event, these about 0.6 KB, so per byte this is the harder
/// case.
fn copilot(sessions: usize) -> PathBuf {
    cached(&format!("copilot-{sessions}-v2"), |dir| {
        for i in 0..sessions / 2 {
            let sid = format!("{i:08x}-9d8e-4f7a-b6c5-d4e3f2a1b0c9");
            let d = dir.join(format!("session-state/{sid}"));
            std::fs::create_dir_all(&d).unwrap();
            let ts = |k: usize| {
                let ms = 1_768_579_200_000i64 + (i as i64) * 3_600_000 + (k as i64) * 1_700;
                chrono::DateTime::from_timestamp_millis(ms)
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string()
            };
            let mut out = String::with_capacity(80_000);
            let mut n = 0usize;
            let mut event = |out: &mut String, ty: &str, data: String| {
                let parent = if n == 0 {
                    "null".to_owned()
                } else {
                    format!("\"{:08x}-{:04x}-4e2a-9c1d-7b3e5f0a2c4d\"", i, n - 1)
                };
                let _ = writeln!(
                    out,
                    "{{\"type\":\"{ty}\",\"data\":{data},\"id\":\"{i:08x}-{n:04x}-4e2a-9c1d-7b3e5f0a2c4d\",\"timestamp\":\"{}\",\"parentId\":{parent}}}",
                    ts(n)
                );
                n += 1;
            };
            let interaction = format!("{i:08x}-77aa-4b1c-8d2e-3f4a5b6c7d8e");
            event(
                &mut out,
                "session.start",
                format!(
                    "{{\"sessionId\":\"{sid}\",\"version\":1,\"producer\":\"copilot-agent\",\"copilotVersion\":\"1.0.41\",\"startTime\":\"{}\",\"selectedModel\":\"claude-sonnet-4.5\",\"context\":{{\"cwd\":\"/home/dev/infra\",\"gitRoot\":\"/home/dev/infra\",\"branch\":\"main\",\"headCommit\":\"3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345\",\"repository\":\"acme/infra\",\"hostType\":\"github\",\"repositoryHost\":\"github.com\"}},\"alreadyInUse\":false,\"remoteSteerable\":false}}",
                    ts(0)
                ),
            );
            event(
                &mut out,
                "user.message",
                format!(
                    "{{\"content\":\"The nightly job fails with AccessDenied on the artifacts bucket; find out why and fix the policy.\",\"transformedContent\":\"The nightly job fails with AccessDenied on the artifacts bucket; find out why and fix the policy.\",\"attachments\":[],\"interactionId\":\"{interaction}\"}}"
                ),
            );
            for k in 0..20 {
                let cmd = q(COMMANDS[(i + k) % COMMANDS.len()]);
                let call = format!("toolu_vrtx_01{i:08x}{k:04x}Qm7pZ");
                let turn = format!("\"turnId\":\"{k}\",\"interactionId\":\"{interaction}\"");
                let args = format!(
                    "{{\"command\":{cmd},\"description\":\"Inspect the current state\",\"initial_wait\":30,\"mode\":\"sync\"}}"
                );
                let output = "2025-12-01 10:00:00 acme-artifacts\\n2025-12-02 11:00:00 acme-logs\\n2025-12-03 09:30:00 acme-terraform-state";
                event(&mut out, "assistant.turn_start", format!("{{{turn}}}"));
                event(
                    &mut out,
                    "assistant.message",
                    format!(
                        "{{\"messageId\":\"{i:08x}-{k:04x}-msg\",\"content\":\"I'll check what the job's role can see before changing the bucket policy.\",\"toolRequests\":[{{\"toolCallId\":\"{call}\",\"name\":\"bash\",\"arguments\":{args},\"type\":\"function\"}}],{turn},\"model\":\"claude-sonnet-4.5\",\"outputTokens\":{},\"requestId\":\"{i:08x}-{k:04x}-req\",\"apiCallId\":\"{i:08x}-{k:04x}-api\",\"serviceRequestId\":\"{i:08x}-{k:04x}-svc\"}}",
                        120 + k
                    ),
                );
                event(
                    &mut out,
                    "tool.execution_start",
                    format!(
                        "{{\"toolCallId\":\"{call}\",\"toolName\":\"bash\",\"arguments\":{args},\"model\":\"claude-sonnet-4.5\",{turn}}}"
                    ),
                );
                event(
                    &mut out,
                    "tool.execution_complete",
                    format!(
                        "{{\"toolCallId\":\"{call}\",\"success\":true,\"result\":{{\"content\":\"{output}\",\"detailedContent\":\"{output}\\n<exited with exit code 0>\"}},\"toolTelemetry\":{{\"metrics\":{{\"commandTimeout\":30000}},\"properties\":{{\"customTimeout\":\"false\",\"detached\":\"false\",\"executionMode\":\"sync\"}}}},\"model\":\"claude-sonnet-4.5\",{turn}}}"
                    ),
                );
                event(
                    &mut out,
                    "assistant.turn_end",
                    format!("{{\"turnId\":\"{k}\"}}"),
                );
            }
            event(&mut out, "session.shutdown", "{\"shutdownType\":\"routine\",\"totalPremiumRequests\":20,\"totalApiDurationMs\":48210,\"currentModel\":\"claude-sonnet-4.5\"}".to_owned());
            std::fs::write(d.join("events.jsonl"), out).unwrap();
        }
    })
}

/// One Goose `sessions.db` (schema v5, and its `-wal`): `sessions / 2`
/// sessions, each a prompt and 50 `developer__shell` calls, a request
/// message and a response message each (content as Goose's
/// `MessageContent` list, `tests/fixtures/transcripts/goose/sessions.sql`);
/// the second half of the sessions is left in the `-wal`.
fn goose(sessions: usize) -> PathBuf {
    cached(&format!("goose-{sessions}-v1"), |dir| {
        std::fs::create_dir_all(dir).unwrap();
        let schema = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/transcripts/goose/sessions.sql"),
        )
        .unwrap();
        // The fixture's tables, without its rows.
        let ddl: String = schema
            .split(';')
            .filter(|s| {
                s.contains("CREATE ")
                    || s.contains("PRAGMA")
                    || s.contains("INSERT INTO schema_version")
            })
            .map(|s| format!("{s};"))
            .collect();
        let conn = rusqlite::Connection::open(dir.join("sessions.db")).unwrap();
        conn.execute_batch(&ddl).unwrap();
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .unwrap();
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
        let half = sessions / 2;
        let meta = "{\"userVisible\":true,\"agentVisible\":true}";
        for i in 0..half {
            if i == half / 2 {
                conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                    .unwrap();
            }
            let tx = conn.unchecked_transaction().unwrap();
            let sid = format!("20260119_{i}");
            let t0 = 1_768_816_800i64 + i as i64 * 3_600;
            tx.execute(
                "INSERT INTO sessions (id, name, session_type, working_dir, created_at, updated_at) VALUES (?1, 'Fix the nightly job', 'user', '/home/dev/platform', '2026-01-19 10:00:00', '2026-01-19 10:59:00')",
                rusqlite::params![sid],
            )
            .unwrap();
            let insert = |role: &str, content: String, t: i64| {
                tx.execute(
                    "INSERT INTO messages (session_id, role, content_json, created_timestamp, metadata_json) VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![sid, role, content, t, meta],
                )
                .unwrap();
            };
            insert(
                "user",
                "[{\"type\":\"text\",\"text\":\"The nightly job fails with AccessDenied on the artifacts bucket; find out why and fix the policy.\"}]".to_owned(),
                t0,
            );
            for k in 0..50i64 {
                let cmd = q(COMMANDS[(i + k as usize) % COMMANDS.len()]);
                insert(
                    "assistant",
                    format!(
                        "[{{\"type\":\"text\",\"text\":\"Checking what the job's role can see.\"}},{{\"type\":\"toolRequest\",\"id\":\"toolu_g_{i}_{k}\",\"toolCall\":{{\"status\":\"success\",\"value\":{{\"name\":\"developer__shell\",\"arguments\":{{\"command\":{cmd}}}}}}}}}]"
                    ),
                    t0 + 2 * k + 1,
                );
                insert(
                    "user",
                    format!(
                        "[{{\"type\":\"toolResponse\",\"id\":\"toolu_g_{i}_{k}\",\"toolResult\":{{\"status\":\"success\",\"value\":{{\"content\":[{{\"type\":\"text\",\"text\":\"2025-12-01 10:00:00 acme-artifacts\\n2025-12-02 11:00:00 acme-logs\"}}],\"isError\":false}}}}}}]"
                    ),
                    t0 + 2 * k + 2,
                );
            }
            tx.commit().unwrap();
        }
        drop(conn);
    })
}

/// Claude Code hook logs as `scripts/hooks/trailblame-hook-log claude-code`
/// appends them: `sessions / 2` sessions of a `SessionStart`, a
/// `UserPromptSubmit` and 49 `PreToolUse` / `PostToolUse` pairs (payloads
/// as `tests/fixtures/transcripts/claude-hooks`), one log per 500 sessions.
fn claude_hooks(sessions: usize) -> PathBuf {
    cached(&format!("claude-hooks-{sessions}-v1"), |dir| {
        std::fs::create_dir_all(dir).unwrap();
        let half = sessions / 2;
        for f in 0..half.div_ceil(500) {
            let mut text = String::new();
            for i in f * 500..((f + 1) * 500).min(half) {
                let sid = format!("{i:08x}-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
                let common = format!(
                    "\"session_id\":\"{sid}\",\"transcript_path\":\"/home/dev{}/.claude/projects/-home-dev-src-service/{sid}.jsonl\",\"cwd\":\"/home/dev/src/service\"",
                    i % 40
                );
                let at = |k: usize| {
                    chrono::DateTime::from_timestamp(
                        1_768_557_600 + (i as i64) * 3600 + k as i64 * 4,
                        0,
                    )
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
                };
                let mut line = |k: usize, hook: String| {
                    let _ = writeln!(
                        text,
                        "{{\"logged_at\":\"{}\",\"agent\":\"claude-code\",\"hook\":{{{common},{hook}}}}}",
                        at(k)
                    );
                };
                line(0, "\"hook_event_name\":\"SessionStart\",\"source\":\"startup\",\"model\":\"claude-sonnet-4-5-20250929\"".to_owned());
                line(1, "\"permission_mode\":\"default\",\"hook_event_name\":\"UserPromptSubmit\",\"prompt\":\"The nightly job fails with AccessDenied on the artifacts bucket; find out why and fix the policy.\"".to_owned());
                for k in 0..49 {
                    let cmd = q(COMMANDS[(i + k) % COMMANDS.len()]);
                    let input = format!(
                        "\"tool_name\":\"Bash\",\"tool_input\":{{\"command\":{cmd},\"description\":\"Inspect the current state\"}}"
                    );
                    line(
                        2 * k + 2,
                        format!(
                            "\"permission_mode\":\"default\",\"hook_event_name\":\"PreToolUse\",{input},\"tool_use_id\":\"toolu_{i}_{k}\""
                        ),
                    );
                    line(
                        2 * k + 3,
                        format!(
                            "\"permission_mode\":\"default\",\"hook_event_name\":\"PostToolUse\",{input},\"tool_response\":{{\"stdout\":\"2025-12-01 10:00:00 acme-artifacts\\n2025-12-02 11:00:00 acme-logs\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}},\"tool_use_id\":\"toolu_{i}_{k}\""
                        ),
                    );
                }
            }
            std::fs::write(dir.join(format!("hook-log-{f:04}.jsonl")), text).unwrap();
        }
    })
}

/// Claude Code telemetry as Elasticsearch stores it (the Elastic "Claude
/// Code" integration's documents, one search hit per line as an export
/// writes them; shaped as
/// `tests/fixtures/transcripts/otel/elasticsearch-search-response.json`):
/// `sessions / 4` sessions of a `user_prompt` and 50
/// `tool_decision` / `tool_result` pairs, one file per 250 sessions.
fn elastic(sessions: usize) -> PathBuf {
    cached(&format!("elastic-{sessions}-v1"), |dir| {
        std::fs::create_dir_all(dir).unwrap();
        let quarter = sessions / 4;
        for f in 0..quarter.div_ceil(250) {
            let mut text = String::new();
            for i in f * 250..((f + 1) * 250).min(quarter) {
                let sid = format!("{i:08x}-1b2c-4d3e-9f80-a1b2c3d4e5f6");
                let mut seq = 0usize;
                let mut doc = |text: &mut String, event: &str, attrs: String| {
                    let t = chrono::DateTime::from_timestamp_millis(
                        1_768_572_000_000 + (i as i64) * 3_600_000 + seq as i64 * 2_100,
                    )
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string();
                    let _ = writeln!(
                        text,
                        "{{\"_index\":\".ds-logs-claude_code.otel-default-2026.01.16-000001\",\"_id\":\"{i:x}Zx{seq}QBcd\",\"_score\":null,\"_source\":{{\"@timestamp\":\"{t}\",\"observed_timestamp\":\"{t}\",\"data_stream\":{{\"type\":\"logs\",\"dataset\":\"claude_code.otel\",\"namespace\":\"default\"}},\"body\":{{\"text\":\"claude_code.{event}\"}},\"event_name\":\"claude_code.{event}\",\"attributes\":{{\"session.id\":\"{sid}\",\"organization.id\":\"0c2b7a9e-1111-4a2b-9c3d-5e6f7a8b9c0d\",\"user.account_uuid\":\"b9a8c7d6-3333-4e5f-8a9b-{:012x}\",\"user.email\":\"dev{}@example.com\",\"app.version\":\"2.0.31\",\"terminal.type\":\"iTerm.app\",\"event.name\":\"{event}\",\"event.timestamp\":\"{t}\",\"event.sequence\":{seq},\"prompt.id\":\"p-{i}\",{attrs}}},\"resource\":{{\"attributes\":{{\"service.name\":\"claude-code\",\"service.version\":\"2.0.31\",\"host.name\":\"dev{}-mbp\"}}}},\"scope\":{{\"name\":\"com.anthropic.claude_code.events\",\"version\":\"2.0.31\"}},\"severity_number\":9}},\"sort\":[{seq}]}}",
                        i % 50,
                        i % 50,
                        i % 50
                    );
                    seq += 1;
                };
                doc(
                    &mut text,
                    "user_prompt",
                    "\"prompt_length\":\"98\"".to_owned(),
                );
                for k in 0..50 {
                    let cmd = COMMANDS[(i + k) % COMMANDS.len()];
                    let params = serde_json::json!({
                        "bash_command": cmd.split(' ').next().unwrap(),
                        "full_command": cmd,
                        "description": "Inspect the current state",
                    })
                    .to_string();
                    doc(
                        &mut text,
                        "tool_decision",
                        "\"tool_name\":\"Bash\",\"decision\":\"accept\",\"source\":\"config\""
                            .to_owned(),
                    );
                    doc(
                        &mut text,
                        "tool_result",
                        format!(
                            "\"tool_name\":\"Bash\",\"success\":\"true\",\"duration_ms\":\"1200\",\"decision_type\":\"accept\",\"decision_source\":\"config\",\"tool_result_size_bytes\":\"812\",\"tool_parameters\":{}",
                            q(&params)
                        ),
                    );
                }
            }
            std::fs::write(dir.join(format!("claude-code-logs-{f:04}.jsonl")), text).unwrap();
        }
    })
}

/// Reads every file once so both sides are timed with a warm page cache.
fn warm(dir: &Path) {
    for p in files_under(dir) {
        let _ = std::fs::read(&p);
    }
}

/// Runs an ingest; returns (seconds, decompressed bytes from the JSON report).
fn ingest(dir: &Path) -> (f64, u64, serde_json::Value) {
    let store = tempfile::tempdir().unwrap();
    settle();
    let t = Instant::now();
    let out = Command::new(bin())
        .arg("ingest")
        .arg(dir)
        .arg("--store")
        .arg(store.path())
        .args(["--progress", "off", "--format", "json"])
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bytes = v["accounting"]["bytes_decoded"].as_u64().unwrap();
    (secs, bytes, v)
}

/// Bytes a database row reads: the database and its -wal (the ingest
/// report counts each file up to `max_file_bytes`, and the -shm index).
fn database_bytes(dir: &Path, db: &str) -> u64 {
    [db.to_owned(), format!("{db}-wal")]
        .iter()
        .map(|f| std::fs::metadata(dir.join(f)).map_or(0, |m| m.len()))
        .sum()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let sessions: usize = std::env::var("TB_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runs: usize = std::env::var("TB_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    // `TB_BENCH_ROWS=goose,elastic`: only those rows (their short names).
    let only: Option<Vec<String>> = std::env::var("TB_BENCH_ROWS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    let wanted = |what: &str| only.as_ref().is_none_or(|o| o.iter().any(|w| w == what));
    let cdir = synth_corpus(300_000);
    // (label, short name, data, the database whose bytes count instead of
    // the report's decompressed bytes)
    // The data of a row is made (or found cached) only when the row runs.
    type Make = Box<dyn Fn() -> PathBuf>;
    let rows: Vec<(&str, &str, Make, Option<&str>)> = vec![
        (
            "Claude Code transcripts",
            "transcripts",
            Box::new(move || transcripts(sessions)),
            None,
        ),
        (
            "telemetry (OTLP/JSON)",
            "telemetry",
            Box::new(move || telemetry(sessions)),
            None,
        ),
        (
            "OpenCode database + -wal",
            "opencode",
            Box::new(move || opencode(sessions)),
            Some("opencode.db"),
        ),
        (
            "Cursor hook logs",
            "cursor hooks",
            Box::new(move || cursor_hooks(sessions, HookShape::Documented)),
            None,
        ),
        (
            "  the same, minimal payloads",
            "minimal hooks",
            Box::new(move || cursor_hooks(sessions, HookShape::Minimal)),
            None,
        ),
        (
            "Cline task folders",
            "cline",
            Box::new(move || cline_tasks(sessions)),
            None,
        ),
        (
            "Copilot CLI sessions",
            "copilot",
            Box::new(move || copilot(sessions)),
            None,
        ),
        (
            "Goose sessions.db + -wal",
            "goose",
            Box::new(move || goose(sessions)),
            Some("sessions.db"),
        ),
        (
            "Claude Code hook logs",
            "claude hooks",
            Box::new(move || claude_hooks(sessions)),
            None,
        ),
        (
            "Elastic documents (OTel)",
            "elastic",
            Box::new(move || elastic(sessions)),
            None,
        ),
    ];
    println!(
        "transcript benchmark: {sessions} sessions; each row paired with a CloudTrail ingest \
         run just before it, {runs} pairs, medians (this machine's speed drifts between runs)"
    );
    let mut ct_bytes = 0;
    for (label, what, make, db) in rows {
        if !wanted(what) {
            continue;
        }
        let dir = make();
        let (mut ct_times, mut times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let (mut bytes, mut report) = (0, serde_json::Value::Null);
        for _ in 0..runs {
            warm(&cdir);
            let (ct_s, ct_b, _) = ingest(&cdir);
            ct_bytes = ct_b;
            warm(&dir);
            let (s, reported, v) = ingest(&dir);
            bytes = db.map_or(reported, |f| database_bytes(&dir, f));
            let ct_rate = ct_b as f64 / ct_s;
            let rate = bytes as f64 / s;
            ct_times.push(ct_s);
            times.push(s);
            ratios.push(ct_rate / rate);
            report = v;
        }
        let a = &report["accounting"];
        println!(
            "  {label:<30}{:>7.2} s  {:>7.1} MB   (CloudTrail {:>5.2} s, {:.1} MB)",
            median(times),
            bytes as f64 / 1e6,
            median(ct_times),
            ct_bytes as f64 / 1e6
        );
        println!(
            "  time per byte: {what} / cloudtrail = {:.2} (target <= 1.0; pairs {}); records read: {}, tool calls stored: {}",
            median(ratios.clone()),
            ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" "),
            a["transcript_lines_read"],
            a["transcript_rows"]["tool_calls"]
        );
    }
}
