//! Events and their attribution → OCSF 1.1 API Activity (class 6003)
//! records, as JSON lines or Parquet (`attribute --format ocsf`,
//! `--format ocsf-parquet`), so a SIEM or a Security Lake custom source
//! can take the labels.
//!
//! The event fields go where `super::MAPPING` puts them; the attribution
//! goes in `enrichments[]`, one entry per label field (`name` is
//! `trailblame.<column>`, `value` its text, `provider` `trailblame`,
//! `type` `attribution`), the first also carrying the whole label as
//! `data`. Nulls are left out rather than written as empty strings.

use super::{CATEGORY_UID, CLASS_UID, VERSION};
use crate::schema::{attribution as a, events as e};
use anyhow::{Context, Result};
use polars::prelude::*;
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::Path;

/// The columns `write` reads, from `events` joined to the attribution.
pub const COLUMNS: &[&str] = &[
    e::EVENT_ID,
    e::EVENT_TIME,
    e::EVENT_VERSION,
    e::EVENT_TYPE,
    e::EVENT_CATEGORY,
    e::EVENT_SOURCE,
    e::EVENT_NAME,
    e::REQUEST_ID,
    e::ERROR_CODE,
    e::ERROR_MESSAGE,
    e::AWS_REGION,
    e::ACCOUNT_ID,
    e::SOURCE_IP,
    e::VPC_ENDPOINT_ID,
    e::USER_AGENT,
    e::IDENTITY_TYPE,
    e::PRINCIPAL_ARN,
    e::PRINCIPAL_ID,
    e::ACCOUNT_OF_PRINCIPAL,
    e::USER_NAME,
    e::ACCESS_KEY_ID,
    e::INVOKED_BY,
    e::ROLE_ARN,
    e::SOURCE_IDENTITY,
    e::MFA_AUTHENTICATED,
    a::ACTOR_KIND,
    a::ACTOR,
    a::OPERATOR,
    a::AGENT_SESSION_ID,
    a::TOOL_CALL_ID,
    a::CONFIDENCE,
    a::EVIDENCE,
    a::REASON,
    a::ACTION_ID,
    a::VIA,
];

/// The label fields written to `enrichments[]`, in order.
const LABEL: &[&str] = &[
    a::ACTOR_KIND,
    a::ACTOR,
    a::OPERATOR,
    a::AGENT_SESSION_ID,
    a::TOOL_CALL_ID,
    a::CONFIDENCE,
    a::EVIDENCE,
    a::REASON,
    a::ACTION_ID,
    a::VIA,
];

/// Writes `df` (with `COLUMNS`) as OCSF to `out`: JSON lines, or Parquet.
pub fn write(df: &DataFrame, out: &Path, parquet: bool) -> Result<()> {
    let lines = json_lines(df)?;
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut sink = std::io::BufWriter::new(file);
    if parquet {
        let mut frame = JsonReader::new(std::io::Cursor::new(&lines))
            .with_json_format(JsonFormat::JsonLines)
            .infer_schema_len(None)
            .finish()
            .map_err(|e| anyhow::anyhow!("building the OCSF Parquet columns: {e}"))?;
        ParquetWriter::new(&mut sink).finish(&mut frame)?;
    } else {
        sink.write_all(&lines)?;
    }
    sink.flush()?;
    Ok(())
}

/// One OCSF record per row, as JSON lines.
pub fn json_lines(df: &DataFrame) -> Result<Vec<u8>> {
    let mut df = df.clone();
    // Milliseconds since the epoch, OCSF's `time`.
    let ms = df
        .column(e::EVENT_TIME)?
        .cast(&DataType::Int64)?
        .i64()?
        .apply_values(|us| us.div_euclid(1000))
        .into_column();
    df.with_column(ms)?;
    let mut rows = Vec::new();
    JsonWriter::new(&mut rows)
        .with_json_format(JsonFormat::JsonLines)
        .finish(&mut df)?;
    let mut out = Vec::with_capacity(rows.len() * 2);
    for line in rows.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let row: Value = serde_json::from_slice(line)?;
        serde_json::to_writer(&mut out, &record(&row))?;
        out.push(b'\n');
    }
    Ok(out)
}

fn get<'a>(row: &'a Value, k: &str) -> Option<&'a Value> {
    row.get(k).filter(|v| !v.is_null())
}

/// Builds a nested object from (path, value) pairs, leaving out nulls.
fn nest(pairs: &[(&str, Option<&Value>)]) -> Value {
    let mut root = Map::new();
    for (path, v) in pairs {
        let Some(v) = v else { continue };
        let mut cur = &mut root;
        let mut parts = path.split('.').peekable();
        while let Some(k) = parts.next() {
            if parts.peek().is_none() {
                cur.insert(k.to_string(), (*v).clone());
                break;
            }
            let next = cur
                .entry(k.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = next else { break };
            cur = m;
        }
    }
    Value::Object(root)
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join(", "),
        v => v.to_string(),
    }
}

/// One joined row → one OCSF 6003 record.
pub fn record(row: &Value) -> Value {
    let g = |k: &str| get(row, k);
    let failed = g(e::ERROR_CODE).is_some();
    let ip = g(e::SOURCE_IP);
    let is_ip = ip
        .and_then(Value::as_str)
        .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok());
    let mut rec = nest(&[
        ("metadata.uid", g(e::EVENT_ID)),
        ("metadata.product.version", g(e::EVENT_VERSION)),
        ("metadata.event_code", g(e::EVENT_TYPE)),
        ("metadata.product.feature.name", g(e::EVENT_CATEGORY)),
        ("time", g(e::EVENT_TIME)),
        ("api.service.name", g(e::EVENT_SOURCE)),
        ("api.operation", g(e::EVENT_NAME)),
        ("api.request.uid", g(e::REQUEST_ID)),
        ("api.response.error", g(e::ERROR_CODE)),
        ("api.response.message", g(e::ERROR_MESSAGE)),
        ("cloud.region", g(e::AWS_REGION)),
        ("cloud.account.uid", g(e::ACCOUNT_ID)),
        ("src_endpoint.ip", ip.filter(|_| is_ip)),
        ("src_endpoint.domain", ip.filter(|_| !is_ip)),
        ("src_endpoint.uid", g(e::VPC_ENDPOINT_ID)),
        ("http_request.user_agent", g(e::USER_AGENT)),
        ("actor.user.type", g(e::IDENTITY_TYPE)),
        ("actor.user.uid", g(e::PRINCIPAL_ARN)),
        ("actor.user.uid_alt", g(e::PRINCIPAL_ID)),
        ("actor.user.account.uid", g(e::ACCOUNT_OF_PRINCIPAL)),
        ("actor.user.name", g(e::USER_NAME)),
        ("actor.user.credential_uid", g(e::ACCESS_KEY_ID)),
        ("actor.invoked_by", g(e::INVOKED_BY)),
        ("actor.session.issuer", g(e::ROLE_ARN)),
        ("actor.session.is_mfa", g(e::MFA_AUTHENTICATED)),
    ]);
    let enrichments: Vec<Value> = LABEL
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            let v = g(k)?;
            let mut en = json!({
                "name": format!("trailblame.{k}"),
                "value": as_text(v),
                "provider": "trailblame",
                "type": "attribution",
            });
            if i == 0 {
                let data: Map<String, Value> = LABEL
                    .iter()
                    .filter_map(|k| Some(((*k).to_string(), g(k)?.clone())))
                    .collect();
                en["data"] = Value::Object(data);
            }
            Some(en)
        })
        .collect();
    if let Value::Object(m) = &mut rec {
        let fixed = json!({
            "class_uid": CLASS_UID,
            "class_name": "API Activity",
            "category_uid": CATEGORY_UID,
            "category_name": "Application Activity",
            "activity_id": 99,
            "activity_name": "Other",
            "type_uid": CLASS_UID * 100 + 99,
            "severity_id": 1,
            "severity": "Informational",
            "status_id": if failed { 2 } else { 1 },
            "status": if failed { "Failure" } else { "Success" },
        });
        if let Value::Object(f) = fixed {
            m.extend(f);
        }
        let md = m
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        md["version"] = json!(VERSION);
        md["product"]["name"] = json!("CloudTrail");
        md["product"]["vendor_name"] = json!("AWS");
        md["profiles"] = json!(["cloud"]);
        let cloud = m
            .entry("cloud")
            .or_insert_with(|| Value::Object(Map::new()));
        cloud["provider"] = json!("AWS");
        // OCSF has no attribute for it: `unmapped`, keyed by CloudTrail path.
        if let Some(v) = g(e::SOURCE_IDENTITY) {
            m.insert(
                "unmapped".into(),
                json!({ "userIdentity.sessionContext.sourceIdentity": v }),
            );
        }
        m.insert("enrichments".into(), Value::Array(enrichments));
    }
    rec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_go_to_enrichments_and_the_event_reads_back() {
        let row = json!({
            "event_id": "e1", "event_time": 1765184712000_i64, "event_source": "s3.amazonaws.com",
            "event_name": "DeleteBucket", "aws_region": "us-east-1", "account_id": "111122223333",
            "source_ip": "203.0.113.9", "principal_arn": "arn:aws:sts::1:assumed-role/R/s",
            "identity_type": "AssumedRole", "source_identity": "claude-code",
            "actor_kind": "ai", "actor": "claude-code", "confidence": 0.9,
            "evidence": ["ua:m/AN", "role:R"], "tool_call_id": null
        });
        let r = record(&row);
        assert_eq!(r["class_uid"], 6003);
        assert_eq!(r["api"]["operation"], "DeleteBucket");
        assert_eq!(r["src_endpoint"]["ip"], "203.0.113.9");
        assert_eq!(r["status"], "Success");
        let en = r["enrichments"].as_array().unwrap();
        assert_eq!(en[0]["name"], "trailblame.actor_kind");
        assert_eq!(en[0]["value"], "ai");
        assert_eq!(en[0]["data"]["evidence"][0], "ua:m/AN");
        assert!(en.iter().all(|x| x["name"] != "trailblame.tool_call_id"));
        // The reader maps it back.
        let back = super::super::read::record(&r);
        assert_eq!(back["eventName"], "DeleteBucket");
        assert_eq!(back["eventTime"], "2025-12-08T09:05:12Z");
        assert_eq!(
            back["userIdentity"]["sessionContext"]["sourceIdentity"],
            "claude-code"
        );
    }
}
