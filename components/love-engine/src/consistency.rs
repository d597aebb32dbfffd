//! Consistency ("hallucination") check of a generated text against the facts it was given.
//!
//! Claims are extracted from both texts (see [`crate::claims`]); the context's claims go into
//! hash maps, and each claim of the generated text is looked up once, so the whole check is
//! linear in the two lengths. Rules:
//! - a quantity whose unit the context states with other values only is **contradicted**;
//! - a quantity, number, date or entity the context does not contain is **unsupported**
//!   (an entity is supported when every one of its words appears capitalised in the context; a
//!   date when the context has a date agreeing on every part the claim gives);
//! - the same quantity (same subject and unit) stated with two values in the generated text is a
//!   **self-contradiction**;
//! - every hedging word is reported.
//!
//! # Score
//! ```text
//! penalty = 1.0 * contradicted + 1.0 * self_contradictions + 0.5 * unsupported
//! score   = exp(-penalty) * (1 - min(0.3, 0.05 * hedges))        in [0, 1]
//! ```
//! One fabricated figure is enough to pull a text below the default threshold of 0.7:
//! `exp(-0.5) = 0.61`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::claims::{ClaimKind, extract};

/// What kind of problem a finding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FindingKind {
    /// The claim is not in the context.
    Unsupported,
    /// The context states the same kind of quantity with a different value.
    Contradicted,
    /// The text states the same quantity with two different values.
    SelfContradiction,
    /// A hedging word ("might", "probably").
    Hedge,
}

/// One reason the text is less than fully consistent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// The claim or word as written in the generated text.
    pub text: String,
    /// Byte range in the generated text.
    pub span: Range<usize>,
    /// A human-readable explanation.
    pub reason: String,
}

/// The result of [`LoveEngine::detect_hallucination`](crate::LoveEngine::detect_hallucination).
///
/// Invariants: `score` is in [0, 1]; `supported + unsupported + contradicted == claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsistencyReport {
    /// Consistency score (1 = every claim supported, no hedging).
    pub score: f64,
    /// Returns true if and only if `score` is at or above the configured consistency threshold.
    pub consistent: bool,
    /// Claims found in the generated text.
    pub claims: usize,
    /// Claims the context supports.
    pub supported: usize,
    /// Claims absent from the context.
    pub unsupported: usize,
    /// Claims the context contradicts.
    pub contradicted: usize,
    /// Quantities the text states twice with different values.
    pub self_contradictions: usize,
    /// Hedging words.
    pub hedges: usize,
    /// Every finding, in text order per kind of pass (claims first, then hedges).
    pub findings: Vec<Finding>,
}

impl ConsistencyReport {
    /// `1 - score`: the estimated risk that the text is hallucinated.
    #[must_use]
    pub fn hallucination_risk(&self) -> f64 {
        1.0 - self.score
    }
}

/// Canonical hash key of a number: `-0.0` and `0.0` agree.
fn key(value: f64) -> u64 {
    (value + 0.0).to_bits()
}

/// The facts of a context, indexed for O(1) lookups.
#[derive(Debug, Default)]
struct ContextIndex {
    numbers: HashSet<u64>,
    /// unit -> (values stated, first value stated).
    quantities: HashMap<String, (HashSet<u64>, f64)>,
    capitalised: HashSet<String>,
    /// (year, month, day) with 0 for "any"; every date is also stored with its less specific forms.
    dates: HashSet<(u16, u8, u8)>,
}

impl ContextIndex {
    fn build(context: &str) -> Self {
        let ex = extract(context, true);
        let mut idx = Self {
            capitalised: ex.capitalised.into_iter().collect(),
            ..Self::default()
        };
        for claim in ex.claims {
            match claim.kind {
                ClaimKind::Quantity { value, unit, .. } => {
                    idx.numbers.insert(key(value));
                    idx.quantities
                        .entry(unit)
                        .or_insert_with(|| (HashSet::new(), value))
                        .0
                        .insert(key(value));
                }
                ClaimKind::Number { value } => {
                    idx.numbers.insert(key(value));
                }
                ClaimKind::Entity { name } => {
                    idx.capitalised.extend(name.split(' ').map(str::to_owned));
                }
                ClaimKind::Date { year, month, day } => {
                    idx.numbers.insert(key(f64::from(year)));
                    for d in [
                        (year, month, day),
                        (year, month, 0),
                        (year, 0, 0),
                        (0, month, day),
                    ] {
                        idx.dates.insert(d);
                    }
                }
            }
        }
        idx
    }
}

/// Checks `text` against `context`; `threshold` decides [`ConsistencyReport::consistent`].
///
/// Cost: linear in `text.len() + context.len()` (expected, with hashing).
pub(crate) fn check(text: &str, context: &str, threshold: f64) -> ConsistencyReport {
    let idx = ContextIndex::build(context);
    let ex = extract(text, false);
    let mut report = ConsistencyReport {
        score: 1.0,
        consistent: true,
        claims: ex.claims.len(),
        supported: 0,
        unsupported: 0,
        contradicted: 0,
        self_contradictions: 0,
        hedges: ex.hedges.len(),
        findings: Vec::new(),
    };
    // (subject, unit) -> first value stated in the text.
    let mut stated: HashMap<(String, String), f64> = HashMap::new();
    for claim in ex.claims {
        let quoted = text.get(claim.span.clone()).unwrap_or_default();
        let finding = |kind, reason: String| Finding {
            kind,
            text: quoted.to_owned(),
            span: claim.span.clone(),
            reason,
        };
        match &claim.kind {
            ClaimKind::Quantity {
                value,
                unit,
                subject,
            } => {
                match stated.entry((subject.clone(), unit.clone())) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        if key(*first.get()) != key(*value) {
                            report.self_contradictions += 1;
                            report.findings.push(finding(
                                FindingKind::SelfContradiction,
                                format!(
                                    "{unit} of {subject:?} stated as {} and as {value}",
                                    first.get()
                                ),
                            ));
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(*value);
                    }
                }
                match idx.quantities.get(unit) {
                    Some((values, _)) if values.contains(&key(*value)) => report.supported += 1,
                    Some((_, first)) => {
                        report.contradicted += 1;
                        report.findings.push(finding(
                            FindingKind::Contradicted,
                            format!("context states {first} {unit}, not {value}"),
                        ));
                    }
                    None if idx.numbers.contains(&key(*value)) => report.supported += 1,
                    None => {
                        report.unsupported += 1;
                        report.findings.push(finding(
                            FindingKind::Unsupported,
                            format!("quantity {value} {unit} is not in the context"),
                        ));
                    }
                }
            }
            ClaimKind::Number { value } => {
                if idx.numbers.contains(&key(*value)) {
                    report.supported += 1;
                } else {
                    report.unsupported += 1;
                    report.findings.push(finding(
                        FindingKind::Unsupported,
                        format!("number {value} is not in the context"),
                    ));
                }
            }
            ClaimKind::Entity { name } => {
                if name.split(' ').all(|w| idx.capitalised.contains(w)) {
                    report.supported += 1;
                } else {
                    report.unsupported += 1;
                    report.findings.push(finding(
                        FindingKind::Unsupported,
                        format!("name {name:?} is not in the context"),
                    ));
                }
            }
            ClaimKind::Date { year, month, day } => {
                if idx.dates.contains(&(*year, *month, *day)) {
                    report.supported += 1;
                } else {
                    report.unsupported += 1;
                    report.findings.push(finding(
                        FindingKind::Unsupported,
                        format!("date {year:04}-{month:02}-{day:02} is not in the context (00 = unstated)"),
                    ));
                }
            }
        }
    }
    for span in ex.hedges {
        report.findings.push(Finding {
            kind: FindingKind::Hedge,
            text: text.get(span.clone()).unwrap_or_default().to_owned(),
            span,
            reason: "hedging word".to_owned(),
        });
    }
    let penalty = report.contradicted as f64
        + report.self_contradictions as f64
        + 0.5 * report.unsupported as f64;
    let hedge_factor = 1.0 - (0.05 * report.hedges as f64).min(0.3);
    report.score = ((-penalty).exp() * hedge_factor).clamp(0.0, 1.0);
    report.consistent = report.score >= threshold;
    report
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const FACTS: &str = "Acme Corp runs 12 servers in Berlin since March 3, 2021. \
                         Uptime was 99.9% and revenue reached 4,500,000 EUR.";

    #[test]
    fn faithful_text_is_consistent() {
        let r = check(
            "Since March 3, 2021 Acme Corp has run 12 servers with 99.9% uptime.",
            FACTS,
            0.7,
        );
        assert_eq!(
            r.unsupported + r.contradicted + r.self_contradictions,
            0,
            "{r:?}"
        );
        assert_eq!(r.score, 1.0);
        assert!(r.consistent);
    }

    #[test]
    fn changed_quantity_is_contradicted() {
        let r = check("Acme Corp runs 15 servers.", FACTS, 0.7);
        assert_eq!(r.contradicted, 1, "{r:?}");
        assert!(
            r.findings
                .iter()
                .any(|f| f.kind == FindingKind::Contradicted
                    && f.text == "15 servers"
                    && f.reason.contains("12"))
        );
        assert!(!r.consistent);
    }

    #[test]
    fn invented_number_name_and_date_are_unsupported() {
        let r = check(
            "Globex Industries paid 7331 in 1999 to Acme Corp.",
            FACTS,
            0.7,
        );
        assert_eq!(r.unsupported, 3, "{r:?}");
        assert_eq!(r.supported, 1);
    }

    #[test]
    fn self_contradiction_is_found() {
        let r = check(
            "The cluster has 12 servers. Later the cluster has 14 servers.",
            "The cluster has 12 servers and 14 servers in standby.",
            0.7,
        );
        assert_eq!(r.self_contradictions, 1, "{r:?}");
        assert_eq!(r.contradicted, 0);
    }

    #[test]
    fn hedging_lowers_score() {
        let r = check("It probably maybe runs 12 servers.", FACTS, 0.7);
        assert_eq!(r.hedges, 2);
        assert!((r.score - 0.9).abs() < 1e-12);
    }

    #[test]
    fn empty_text_is_fully_consistent() {
        let r = check("", FACTS, 0.7);
        assert_eq!((r.claims, r.score), (0, 1.0));
    }
}
