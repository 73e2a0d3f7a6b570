//! Attribution accuracy on the sample scenario against its ground truth
//! (`sample-data/ground_truth.csv`): AI-event precision ≥ 0.99 and recall
//! ≥ 0.97 overall, recall ≥ 0.90 on the hardest subset (an agent on a
//! person's own credentials with an old CLI: no user-agent marker), and no
//! console event labelled AI. The confusion matrix per actor kind is printed
//! (`cargo nextest run --no-capture -E 'binary(accuracy)'`).
//!
//! Also checks the committed sample data is what the generator writes.

mod common;

use common::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[test]
fn attribution_meets_its_accuracy_targets_on_the_sample_scenario() {
    let truth = read_csv(&std::fs::read_to_string(sample().join("ground_truth.csv")).unwrap());
    assert!(truth.len() > 5000, "ground truth has {} rows", truth.len());
    let r = run(&[
        "attribute",
        sample().to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: HashMap<String, HashMap<String, String>> = read_csv(&r.stdout)
        .into_iter()
        .map(|row| (row["event_id"].clone(), row))
        .collect();
    assert_eq!(got.len(), truth.len(), "every event is attributed once");

    let mut confusion: BTreeMap<(String, String), u64> = BTreeMap::new();
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    let (mut hard, mut hard_found) = (0u64, 0u64);
    let (mut console_as_ai, mut wrong_details) = (0u64, Vec::new());
    for t in &truth {
        let g = &got[&t["event_id"]];
        let (want, have) = (t["actor_kind"].as_str(), g["actor_kind"].as_str());
        *confusion.entry((want.into(), have.into())).or_default() += 1;
        match (want == "ai", have == "ai") {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            _ => {}
        }
        if t["case"] == "ai_shared_no_marker" {
            hard += 1;
            hard_found += u64::from(have == "ai");
        }
        console_as_ai += u64::from(t["case"] == "console" && have == "ai");
        // For agents' events found: the agent, the session and call, the person.
        if want == "ai" && have == "ai" {
            for col in ["actor", "agent_session_id", "tool_call_id", "operator"] {
                if t[col] != g[col] {
                    wrong_details.push(format!(
                        "{} {col}: want {:?} got {:?}",
                        t["event_id"], t[col], g[col]
                    ));
                }
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let hard_recall = hard_found as f64 / hard.max(1) as f64;
    println!("confusion (truth → label):");
    for ((w, h), n) in &confusion {
        println!("  {w:>10} → {h:<10} {n}");
    }
    println!(
        "AI precision {precision:.4}, recall {recall:.4}; shared credentials without marker: {hard_found}/{hard} = {hard_recall:.4}; details wrong on {} AI events",
        wrong_details.len()
    );
    assert!(hard > 100, "the hard subset is there ({hard} events)");
    assert!(precision >= 0.99, "AI precision {precision:.4}");
    assert!(recall >= 0.97, "AI recall {recall:.4}");
    assert!(hard_recall >= 0.90, "hard-subset recall {hard_recall:.4}");
    assert_eq!(console_as_ai, 0, "console events labelled AI");
    // The session, call and operator are right for nearly all found agents' events.
    assert!(
        (wrong_details.len() as f64) <= 0.01 * tp as f64,
        "{} wrong: {:?}",
        wrong_details.len(),
        &wrong_details[..wrong_details.len().min(10)]
    );
}

/// Issues 18 and 19: the agents that AWS or GitHub vouch for (the managed
/// AWS MCP Server, the Copilot coding agent) and the Copilot CLI are in the
/// sample and attributed to themselves. Which events are theirs comes from
/// the generator's ground truth.
#[test]
fn the_managed_mcp_server_the_copilot_coding_agent_and_copilot_cli_are_attributed_on_the_sample() {
    let truth = read_csv(&std::fs::read_to_string(sample().join("ground_truth.csv")).unwrap());
    let r = run(&[
        "attribute",
        sample().to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: HashMap<String, HashMap<String, String>> = read_csv(&r.stdout)
        .into_iter()
        .map(|row| (row["event_id"].clone(), row))
        .collect();
    let of = |case: &str| -> Vec<&HashMap<String, String>> {
        truth.iter().filter(|t| t["case"] == case).collect()
    };
    let mcp = of("ai_managed_mcp");
    let copilot_agent = of("ai_copilot_coding_agent");
    let copilot_cli: Vec<_> = truth
        .iter()
        .filter(|t| t["actor"] == "copilot-cli")
        .collect();
    for (what, rows) in [
        ("managed MCP", &mcp),
        ("Copilot coding agent", &copilot_agent),
        ("Copilot CLI", &copilot_cli),
    ] {
        assert!(
            rows.len() >= 10,
            "{what}: {} events in the sample",
            rows.len()
        );
    }
    let show = |t: &HashMap<String, String>| {
        let g = &got[&t["event_id"]];
        format!(
            "{} ({}): got {} {} session {} operator {} [{}]",
            t["event_id"],
            t["case"],
            g["actor_kind"],
            g["actor"],
            g["agent_session_id"],
            g["operator"],
            g["evidence"]
        )
    };
    // What AWS writes about the agent decides, with no transcript: every
    // such event is the agent's, with that evidence.
    let mut wrong = Vec::new();
    for t in mcp.iter().chain(&copilot_agent) {
        let g = &got[&t["event_id"]];
        let want = if t["case"] == "ai_managed_mcp" {
            "invoked_by:aws-mcp.amazonaws.com"
        } else {
            "web_identity:repo:acme-corp/billing-api:environment:copilot"
        };
        let fits = g["actor_kind"] == "ai"
            && g["actor"] == t["actor"]
            && (t["case"] != "ai_managed_mcp" || g["actor"].starts_with("mcp:"))
            && g["evidence"].contains(want)
            && g["operator"] == t["operator"];
        if !fits {
            wrong.push(show(t));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The Copilot CLI's events are found through its transcript: the
    // agent, session and person are the ground truth's, but for a near
    // miss or two (clock skew).
    let missed: Vec<String> = copilot_cli
        .iter()
        .filter(|t| {
            let g = &got[&t["event_id"]];
            g["actor_kind"] != "ai"
                || g["actor"] != t["actor"]
                || g["agent_session_id"] != t["agent_session_id"]
                || g["operator"] != t["operator"]
        })
        .map(|t| show(t))
        .collect();
    assert!(missed.len() * 20 <= copilot_cli.len(), "{missed:#?}");
}

#[test]
fn the_committed_sample_data_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    // What `trailblame-synth --scenario --seed 1` writes (scripts/gen_sample_data.sh).
    let cfg = trailblame_synth::scenario::ScenarioConfig {
        seed: 1,
        ..Default::default()
    };
    trailblame_synth::scenario::generate(&cfg, &out).expect("the generator runs");
    let ours = files_under(&out);
    let committed = files_under(&sample());
    let rel = |base: &Path, v: &[PathBuf]| -> Vec<String> {
        v.iter()
            .map(|p| p.strip_prefix(base).unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(rel(&out, &ours), rel(&sample(), &committed), "same files");
    for (a, b) in ours.iter().zip(&committed) {
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
            "{} differs: run scripts/gen_sample_data.sh",
            b.display()
        );
    }
}
#[test]
fn incidents_are_linked_to_their_true_causes_and_the_untraceable_one_to_none() {
    let truth = read_csv(&std::fs::read_to_string(sample().join("incident_truth.csv")).unwrap());
    let r = run(&[
        "incidents",
        "--incidents",
        sample().join("incidents.csv").to_str().unwrap(),
        sample().to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    for t in &truth {
        let first = rows
            .iter()
            .find(|x| x["incident_id"] == t["incident_id"].as_str())
            .unwrap_or_else(|| panic!("no row for {}", t["incident_id"]));
        if t["cause_event_ids"] == "none" {
            assert_eq!(first["matched"], "none", "{first}");
            assert!(first["event_id"].is_null());
            continue;
        }
        let causes: Vec<&str> = t["cause_event_ids"].split(';').collect();
        let id = first["event_id"].as_str().unwrap_or("");
        assert!(
            causes.contains(&id),
            "{}: top cause {id} not in {causes:?}",
            t["incident_id"]
        );
        assert_eq!(first["actor_kind"], t["actor_kind"].as_str(), "{first}");
        assert_eq!(first["actor"], t["actor"].as_str(), "{first}");
    }
}

#[test]
fn compare_counts_incidents_by_the_actor_kind_of_their_cause_and_states_the_verdict() {
    let truth = read_csv(&std::fs::read_to_string(sample().join("incident_truth.csv")).unwrap());
    let count = |k: &str| truth.iter().filter(|t| t["actor_kind"] == k).count() as u64;
    let r = run(&[
        "compare",
        "--incidents",
        sample().join("incidents.csv").to_str().unwrap(),
        sample().to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["incidents"]["traced_to_ai"], count("ai"));
    assert_eq!(v["incidents"]["traced_to_human"], count("human"));
    assert_eq!(v["incidents"]["no_traced_cause"], count("none"));
    let (ai, human) = (&v["ai"], &v["human"]);
    // The exposure is write actions (decisions), not write API calls.
    let rate = |side: &serde_json::Value| {
        side["incidents"].as_f64().unwrap() / side["write_actions"].as_f64().unwrap()
    };
    let rr = rate(ai) / rate(human);
    let got = v["per_1000_writes"]["rate_ratio"].as_f64().unwrap();
    assert!((got - rr).abs() < 1e-9, "{got} vs {rr}");
    // The verdict follows the interval by rule: above 1 and rejected →
    // "higher"; containing 1 → "cannot tell". (Counted in write actions the
    // sample's 3 AI incidents fall on 23 decisions, the person's 1 on 128.)
    let p = &v["per_1000_writes"];
    let (lower, upper) = (
        p["ci"]["lower"].as_f64().unwrap(),
        p["ci"]["upper"].as_f64().unwrap(),
    );
    let expected = if lower > 1.0 && p["p_value"].as_f64().unwrap() < 0.05 {
        "ai_higher"
    } else if upper < 1.0 {
        "human_higher"
    } else {
        "cannot_tell"
    };
    assert_eq!(p["verdict"], expected, "{p}");
    assert_eq!(v["verdict"], p["sentence"]);
    let sentence = v["verdict"].as_str().unwrap();
    match expected {
        "cannot_tell" => assert!(sentence.contains("cannot tell"), "{sentence}"),
        _ => assert!(sentence.contains("the human rate"), "{sentence}"),
    }
}
