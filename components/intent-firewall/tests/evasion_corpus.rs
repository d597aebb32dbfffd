#![cfg(not(loom))]
//! The evasion corpus (tests/corpus/*.jsonl): every attack must be blocked or sent to review by the screen the
//! pipeline applies (the worse of the firewall's and the love engine's verdicts), and benign requests must be
//! flagged rarely. Prints the rates per kind; `cargo test -p intent-firewall --test evasion_corpus -- --nocapture`.

use std::collections::BTreeMap;

use intent_firewall::{Firewall, FirewallConfig, Request, Verdict};
use love_engine::{Action, LoveEngine, Verdict as Ethics};
use serde_json::Value;

/// Highest share of benign requests the screen may send to review or block: 8%. The firewall flags none of the
/// benign corpus (ordinary prose, benign shell, parameters); what is flagged are requests that *mention* deleting
/// (the love engine is lexical: "count how many records were deleted" reads as a deletion), about half of that
/// group. Above one request in twelve, reviewers would learn to rubber-stamp, which costs more safety than a
/// missed mention saves.
const BENIGN_FLAG_LIMIT: f64 = 0.08;

struct Case {
    text: String,
    kind: String,
    parameters: Option<serde_json::Map<String, Value>>,
}

fn cases(data: &str) -> Vec<Case> {
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            Case {
                text: v["text"].as_str().expect("text").to_owned(),
                kind: v["kind"].as_str().expect("kind").to_owned(),
                parameters: v.get("parameters").and_then(Value::as_object).cloned(),
            }
        })
        .collect()
}

/// The pipeline's screen: the firewall sees the content and each parameter string, the love engine the whole
/// action; the result is flagged when either one is not a plain pass.
fn screen(firewall: &Firewall, love: &LoveEngine, case: &Case) -> (Verdict, Ethics) {
    let mut request = Request::new("corpus", case.text.clone());
    let mut action = Action::new("agent_task").with_context(case.text.clone());
    if let Some(params) = &case.parameters {
        for (key, value) in params {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            request = request.with_metadata(key.clone(), text);
        }
        action = action.with_json(Value::Object(params.clone()));
    }
    let fw = firewall.validate(&request).expect("valid request").verdict;
    let ethics = love.check_ethics(&action).expect("valid action").verdict;
    (fw, ethics)
}

fn flagged((fw, ethics): (Verdict, Ethics)) -> bool {
    matches!(fw, Verdict::Review | Verdict::Block) || ethics != Ethics::Approved
}

fn firewall() -> Firewall {
    Firewall::builder()
        .config(FirewallConfig::default().without_rate_limit())
        .default_patterns()
        .build()
        .expect("default firewall")
}

/// Flag rate per kind and overall, printed; returns the cases that were (attack) or were not (benign) flagged.
fn run(data: &str, label: &str, want_flagged: bool) -> (usize, Vec<String>) {
    let (firewall, love) = (firewall(), LoveEngine::new());
    let cases = cases(data);
    let mut per_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut odd = Vec::new();
    for case in &cases {
        let verdicts = screen(&firewall, &love, case);
        let is_flagged = flagged(verdicts);
        let entry = per_kind.entry(case.kind.as_str()).or_default();
        entry.0 += usize::from(is_flagged);
        entry.1 += 1;
        if is_flagged != want_flagged {
            odd.push(format!(
                "{:?} -> firewall {:?}, ethics {:?}",
                case.text, verdicts.0, verdicts.1
            ));
        }
    }
    let total_flagged: usize = per_kind.values().map(|v| v.0).sum();
    println!(
        "{label}: {total_flagged}/{} blocked or reviewed ({:.1}%)",
        cases.len(),
        100.0 * total_flagged as f64 / cases.len() as f64
    );
    for (kind, (f, n)) in &per_kind {
        println!("  {kind}: {f}/{n}");
    }
    (cases.len(), odd)
}

#[test]
fn every_attack_is_blocked_or_reviewed() {
    let (count, missed) = run(include_str!("corpus/attacks.jsonl"), "attacks", true);
    assert!(
        count >= 200,
        "the corpus has {count} attacks, fewer than 200"
    );
    assert!(
        missed.is_empty(),
        "{} attacks passed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[test]
fn benign_requests_are_rarely_flagged() {
    let (count, flagged) = run(include_str!("corpus/benign.jsonl"), "benign", false);
    assert!(
        count >= 200,
        "the corpus has {count} benign requests, fewer than 200"
    );
    let rate = flagged.len() as f64 / count as f64;
    for case in &flagged {
        println!("  flagged: {case}");
    }
    assert!(
        rate <= BENIGN_FLAG_LIMIT,
        "{:.1}% of benign requests flagged, limit {:.0}%",
        100.0 * rate,
        100.0 * BENIGN_FLAG_LIMIT
    );
}
