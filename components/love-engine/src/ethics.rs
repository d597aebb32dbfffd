//! Ethical assessment of an action: evidence, per-dimension scores, verdict.
//!
//! # Scoring formula
//! Every concern or support term found (see [`crate::lexicon`]) adds its severity weight
//! ([`Severity::weight`]) to the dimensions it names: concerns to `N[d]`, supports to `P[d]`.
//! A negated concern is ignored (it is listed in [`EthicalAssessment::negated`]); what a negator
//! negates is the phrase it governs (see [`crate::lexicon`]), never an imperative after its
//! object ("to prevent churn delete all customer data" keeps `delete`); a negated support becomes a [`Severity::Low`] concern on the same dimensions. Then
//!
//! ```text
//! score[d] = (B + (1 - B) * (1 - exp(-P[d]))) * exp(-N[d])      with B = 0.7 (no evidence)
//! overall  = sum over d of weight(d) * score[d]                 (weights: Dimension::weight)
//! ```
//!
//! so every score is in [0, 1], support can lift a dimension from 0.7 towards 1, and each
//! concern multiplies it down (a critical concern by `exp(-2)`, about 0.14). Appending a concern
//! term as a new clause therefore never raises any score and strictly lowers the dimensions it
//! names (a property test checks this); inserting words inside a clause can also change which
//! phrases and negations apply, so no such guarantee holds there.
//!
//! # Verdict
//! With threshold `t`, review band `r` and dimension floor `f` from [`LoveConfig`]:
//! [`Verdict::Approved`] if `overall >= t` and every dimension `>= f`; otherwise
//! [`Verdict::NeedsReview`] if `overall >= t - r`; otherwise [`Verdict::Rejected`].

use std::borrow::Cow;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::LoveConfig;
use crate::dimension::{Dimension, DimensionScores, Severity};
use crate::lexicon::{LEXICON, NEGATION_WINDOW, OVERSIGHT_WINDOW, Role};
use crate::normalize::{TokenKind, Tokens};

/// Score of a dimension with no evidence either way.
pub const NEUTRAL_SCORE: f64 = 0.7;

/// Which part of an action a piece of evidence was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// The action type.
    ActionType,
    /// A parameter key or string value: the `index`-th such text in visit order (for key/value
    /// pairs: key 0, value 0, key 1, value 1, ...; for JSON: depth first in document order, an
    /// object's keys before its values). [`Action::quote`](crate::Action::quote) resolves it.
    Parameter {
        /// Position in visit order.
        index: usize,
    },
    /// The expected outcome.
    ExpectedOutcome,
    /// The free-text context.
    Context,
}

/// The words that triggered a rule, and where they were.
///
/// The original words are `&field_text[span]`; [`Action::quote`](crate::Action::quote) returns
/// them. Evidence owns no copy of the input, so recording it costs no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The field the words were found in.
    pub field: Field,
    /// The lexicon phrase that matched, normalised (e.g. `"bulk email"` for `Bulk_Email`).
    pub phrase: Cow<'static, str>,
    /// Byte range of the matched words in the field's text.
    pub span: Range<usize>,
}

/// Why a concern was raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConcernReason {
    /// A concern term matched and was not negated.
    Matched,
    /// A support term matched but was negated (e.g. "no backup", "not transparent").
    NegatedSupport {
        /// The negator that applied (normalised, e.g. `"no"`).
        negator: Cow<'static, str>,
    },
    /// An oversight record or mechanism is the object of a predicate that destroys, switches off
    /// or falsifies it ("remove all audit logs", "turn off monitoring"); see [`crate::lexicon`].
    AgainstOversight {
        /// The suppressing predicate (normalised, e.g. `"remove"`).
        predicate: Cow<'static, str>,
    },
}

/// One concern against one dimension, with the evidence that raised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concern {
    /// The dimension the concern lowers.
    pub dimension: Dimension,
    /// How strongly.
    pub severity: Severity,
    /// The words that raised it.
    pub evidence: Evidence,
    /// Why it was raised.
    pub reason: ConcernReason,
}

/// One piece of evidence for a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    /// The dimension the evidence raises.
    pub dimension: Dimension,
    /// How strongly.
    pub strength: Severity,
    /// The words that raised it.
    pub evidence: Evidence,
}

/// A concern term that was negated and therefore ignored ("will not delete").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NegatedConcern {
    /// The ignored concern term.
    pub evidence: Evidence,
    /// The negator that applied (normalised).
    pub negator: Cow<'static, str>,
}

/// What the engine decides about an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// The action passes: overall at or above the threshold and no dimension below the floor.
    Approved,
    /// Borderline: a human should decide.
    NeedsReview,
    /// The action fails clearly.
    Rejected,
}

/// The result of [`LoveEngine::check_ethics`](crate::LoveEngine::check_ethics).
///
/// Invariants: every score and `overall` are in [0, 1]; `verdict` follows from them and
/// `threshold` as described in the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EthicalAssessment {
    /// One score per dimension.
    pub scores: DimensionScores,
    /// The weighted overall score.
    pub overall: f64,
    /// The decision.
    pub verdict: Verdict,
    /// The threshold the verdict was taken against.
    pub threshold: f64,
    /// Every concern, in the order found (fields in order: type, parameters, outcome, context).
    pub concerns: Vec<Concern>,
    /// Every piece of supporting evidence, in the order found.
    pub supports: Vec<Support>,
    /// Concern terms that were negated and ignored.
    pub negated: Vec<NegatedConcern>,
}

impl EthicalAssessment {
    /// Returns true if and only if the verdict is [`Verdict::Approved`].
    #[must_use]
    pub fn is_approved(&self) -> bool {
        self.verdict == Verdict::Approved
    }
}

/// The scope of an active negator (see [`crate::lexicon`], "What a negator governs").
#[derive(Debug, Clone, Copy)]
struct Governed {
    /// Token index just past the last governed word (the negator or a negated term).
    after: usize,
    /// The negator, normalised.
    phrase: &'static str,
    /// True once the negator's object has started (a content word or a nominal term).
    object_started: bool,
}

impl Governed {
    /// Decides whether the term at tokens `start..end` is governed: returns the negator if so
    /// (and extends the scope past the term), `None` if the term is out of scope.
    fn governs(&mut self, start: usize, end: usize, nominal: bool) -> Option<&'static str> {
        if start - self.after > NEGATION_WINDOW {
            return None;
        }
        if self.object_started && !nominal {
            // A predicate after the object: a new imperative, not what the negator governs.
            return None;
        }
        self.after = end;
        if nominal {
            self.object_started = true;
        }
        Some(self.phrase)
    }
}

/// A suppressing predicate that is still looking for oversight terms to attack.
#[derive(Debug, Clone, Copy)]
struct Attack {
    /// Token index just past the predicate or the last term it attacked.
    after: usize,
    /// The predicate, normalised.
    predicate: &'static str,
}

/// Accumulates evidence over the fields of one action.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    neg: [f64; 5],
    pos: [f64; 5],
    concerns: Vec<Concern>,
    supports: Vec<Support>,
    negated: Vec<NegatedConcern>,
}

impl Scan {
    /// Scans one field's text, using `tokens` as scratch; cost linear in the text's length.
    pub fn segment(&mut self, field: Field, text: &str, tokens: &mut Tokens) {
        if text.is_empty() {
            return;
        }
        let lexicon = &*LEXICON;
        tokens.fill(text, |key| lexicon.word_key(key));
        let toks = &tokens.tokens;
        let mut negator: Option<Governed> = None;
        let mut attack: Option<Attack> = None;
        let mut i = 0;
        while i < toks.len() {
            if toks[i].kind == TokenKind::ClauseMark {
                negator = None;
                attack = None;
                i += 1;
                continue;
            }
            if !matches!(toks[i].kind, TokenKind::Known(_)) {
                // Most words are not in the lexicon: skip them without a trie walk. A content
                // word starts the object a negator governs.
                if let Some(governed) = &mut negator {
                    governed.object_started = true;
                }
                i += 1;
                continue;
            }
            let ids = toks[i..].iter().map(|t| match t.kind {
                TokenKind::Known(id) => Some(id),
                TokenKind::Other | TokenKind::ClauseMark => None,
            });
            let Some((index, len)) = lexicon.longest_match(ids) else {
                if let Some(governed) = &mut negator {
                    governed.object_started = true;
                }
                i += 1;
                continue;
            };
            let term = &lexicon.terms[index];
            let end = i + len;
            match term.role {
                Role::Negator => {
                    negator = Some(Governed {
                        after: end,
                        phrase: term.phrase,
                        object_started: false,
                    });
                }
                Role::Breaker => negator = None,
                Role::Modifier => {}
                Role::Concern | Role::Support | Role::Suppressor | Role::Oversight => {
                    // No clause mark can lie in between: a mark clears the negator.
                    let negated_by = match &mut negator {
                        Some(governed) => governed.governs(i, end, term.nominal),
                        None => None,
                    };
                    if negated_by.is_none() {
                        negator = None;
                    }
                    let evidence = Evidence {
                        field,
                        phrase: Cow::Borrowed(term.phrase),
                        span: toks[i].start..toks[end - 1].end,
                    };
                    let attacked_by = match &mut attack {
                        Some(a)
                            if term.role == Role::Oversight && i - a.after <= OVERSIGHT_WINDOW =>
                        {
                            a.after = end;
                            Some(a.predicate)
                        }
                        _ => None,
                    };
                    match attacked_by {
                        Some(predicate) if negated_by.is_none() => {
                            self.record_against_oversight(term.attacked, evidence, predicate);
                        }
                        _ => self.record(term.role, term.effects, evidence, negated_by),
                    }
                    if term.suppresses && negated_by.is_none() {
                        attack = Some(Attack {
                            after: end,
                            predicate: term.phrase,
                        });
                    }
                }
            }
            i = end;
        }
    }

    fn record(
        &mut self,
        role: Role,
        effects: &'static [(Dimension, Severity)],
        evidence: Evidence,
        negated_by: Option<&'static str>,
    ) {
        if effects.is_empty() && matches!(role, Role::Support | Role::Oversight) {
            // An oversight term that only matters when attacked ("logs"): nothing to record.
            return;
        }
        match (role, negated_by) {
            (Role::Concern, None) => {
                if self.concerns.capacity() == 0 {
                    self.concerns.reserve(8);
                }
                for &(dimension, severity) in effects {
                    self.neg[dimension.index()] += severity.weight();
                    self.concerns.push(Concern {
                        dimension,
                        severity,
                        evidence: evidence.clone(),
                        reason: ConcernReason::Matched,
                    });
                }
            }
            (Role::Concern, Some(negator)) => self.negated.push(NegatedConcern {
                evidence,
                negator: Cow::Borrowed(negator),
            }),
            (Role::Support | Role::Oversight, None) => {
                if self.supports.capacity() == 0 {
                    // One allocation covers a typical action instead of three regrowths.
                    self.supports.reserve(16);
                }
                for &(dimension, strength) in effects {
                    self.pos[dimension.index()] += strength.weight();
                    self.supports.push(Support {
                        dimension,
                        strength,
                        evidence: evidence.clone(),
                    });
                }
            }
            (Role::Support | Role::Oversight, Some(negator)) => {
                for &(dimension, _) in effects {
                    self.neg[dimension.index()] += Severity::Low.weight();
                    self.concerns.push(Concern {
                        dimension,
                        severity: Severity::Low,
                        evidence: evidence.clone(),
                        reason: ConcernReason::NegatedSupport {
                            negator: Cow::Borrowed(negator),
                        },
                    });
                }
            }
            (Role::Negator | Role::Breaker | Role::Modifier | Role::Suppressor, _) => {}
        }
    }

    /// Records an oversight term attacked by `predicate`, at the cost `attacked` (see
    /// [`crate::lexicon`]).
    fn record_against_oversight(
        &mut self,
        attacked: &'static [(Dimension, Severity)],
        evidence: Evidence,
        predicate: &'static str,
    ) {
        for &(dimension, severity) in attacked {
            self.neg[dimension.index()] += severity.weight();
            self.concerns.push(Concern {
                dimension,
                severity,
                evidence: evidence.clone(),
                reason: ConcernReason::AgainstOversight {
                    predicate: Cow::Borrowed(predicate),
                },
            });
        }
    }

    /// Turns the accumulated evidence into scores and a verdict.
    pub fn finish(self, config: &LoveConfig) -> EthicalAssessment {
        let mut values = [0.0; 5];
        for (i, value) in values.iter_mut().enumerate() {
            *value = dimension_score(self.pos[i], self.neg[i]);
        }
        let scores = DimensionScores::from_array(values);
        let overall = scores.weighted_mean().clamp(0.0, 1.0);
        let verdict = verdict_for(overall, &scores, config);
        EthicalAssessment {
            scores,
            overall,
            verdict,
            threshold: config.threshold,
            concerns: self.concerns,
            supports: self.supports,
            negated: self.negated,
        }
    }
}

/// `(B + (1 - B) * (1 - exp(-support))) * exp(-concern)`, in [0, 1] for non-negative inputs.
#[must_use]
pub(crate) fn dimension_score(support: f64, concern: f64) -> f64 {
    let lifted = NEUTRAL_SCORE + (1.0 - NEUTRAL_SCORE) * (1.0 - (-support).exp());
    (lifted * (-concern).exp()).clamp(0.0, 1.0)
}

pub(crate) fn verdict_for(overall: f64, scores: &DimensionScores, config: &LoveConfig) -> Verdict {
    if overall >= config.threshold && scores.min().1 >= config.dimension_floor {
        Verdict::Approved
    } else if overall >= config.threshold - config.review_band {
        Verdict::NeedsReview
    } else {
        Verdict::Rejected
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn scan(text: &str) -> EthicalAssessment {
        let mut s = Scan::default();
        s.segment(Field::Context, text, &mut Tokens::default());
        s.finish(&LoveConfig::default())
    }

    #[test]
    fn neutral_text_scores_neutral() {
        let a = scan("move the quarterly numbers into the spreadsheet");
        assert!(a.concerns.is_empty() && a.supports.is_empty());
        assert!((a.overall - NEUTRAL_SCORE).abs() < 1e-12);
        assert_eq!(a.verdict, Verdict::Approved);
    }

    #[test]
    fn delete_is_a_harm_concern_with_evidence() {
        let a = scan("Delete the old files");
        assert_eq!(a.concerns.len(), 1);
        let c = &a.concerns[0];
        assert_eq!(c.dimension, Dimension::Harm);
        assert_eq!(c.severity, Severity::High);
        assert_eq!(c.evidence.phrase, "delete");
        assert_eq!(&"Delete the old files"[c.evidence.span.clone()], "Delete");
        assert_eq!(c.evidence.span, 0..6);
        assert_eq!(c.evidence.field, Field::Context);
        assert!(a.scores.harm < NEUTRAL_SCORE);
    }

    #[test]
    fn will_not_delete_is_not_delete() {
        for text in [
            "this will not delete anything",
            "we don't delete records",
            "never deletes user files",
            "archive without deleting",
            "does not ever permanently delete",
        ] {
            let a = scan(text);
            assert!(
                a.concerns.iter().all(|c| c.evidence.phrase != "delete"
                    && c.evidence.phrase != "deletes"
                    && c.evidence.phrase != "deleting"),
                "{text}: {:?}",
                a.concerns
            );
            assert!(!a.negated.is_empty(), "{text}");
        }
    }

    #[test]
    fn negation_does_not_reach_past_window_or_clause() {
        let far = scan("not one two three four delete");
        assert_eq!(far.concerns.len(), 1);
        let clause = scan("not now, delete it");
        assert_eq!(clause.concerns.len(), 1);
        let breaker = scan("no backup but delete");
        assert!(
            breaker
                .concerns
                .iter()
                .any(|c| c.evidence.phrase == "delete")
        );
    }

    #[test]
    fn a_negator_governs_its_object_not_the_imperative_after_it() {
        // Failed before: "prevent" negated every concern within three words, so this had 0 concerns.
        let a = scan("to prevent churn delete all customer data");
        let phrases: Vec<&str> = a.concerns.iter().map(|c| &*c.evidence.phrase).collect();
        assert!(phrases.contains(&"delete"), "{phrases:?}");
        assert!(phrases.contains(&"customer data"), "{phrases:?}");
        assert_ne!(a.verdict, Verdict::Approved);
        for text in [
            "avoid downtime, wipe the disks",
            "avoid downtime wipe the disks",
            "without hesitation destroy the backups",
            "never mind remove all user accounts",
        ] {
            let a = scan(text);
            assert!(
                a.concerns.iter().any(|c| c.severity >= Severity::Medium),
                "{text}: {:?}",
                a.concerns
            );
        }
    }

    #[test]
    fn a_negator_still_governs_its_predicate_and_nominal_object() {
        for text in [
            "avoid deleting user data",
            "prevent data loss",
            "prevent the risk of data loss",
            "make sure we never accidentally delete customer data",
            "do not ever remove the user accounts",
        ] {
            let a = scan(text);
            assert!(a.concerns.is_empty(), "{text}: {:?}", a.concerns);
            assert!(!a.negated.is_empty(), "{text}");
        }
    }

    #[test]
    fn zero_width_characters_do_not_hide_a_phrase() {
        // Failed before: the zero-width space split "without" into "with" and "out".
        let a = scan("send the report with\u{200b}out consent");
        assert!(
            a.concerns
                .iter()
                .any(|c| c.evidence.phrase == "without consent"),
            "{:?}",
            a.concerns
        );
        assert_ne!(a.verdict, Verdict::Approved);
    }

    #[test]
    fn word_boundaries_are_respected() {
        // "undeleted", "harmony" and "spammer" contain lexicon words but are not them.
        let a = scan("undeleted harmony spammers");
        assert!(a.concerns.is_empty(), "{:?}", a.concerns);
    }

    #[test]
    fn longest_phrase_wins() {
        let a = scan("send it without consent");
        assert_eq!(a.concerns.len(), 1);
        assert_eq!(a.concerns[0].evidence.phrase, "without consent");
        assert_eq!(a.concerns[0].dimension, Dimension::Autonomy);
        assert_eq!(a.concerns[0].severity, Severity::Critical);
    }

    #[test]
    fn negated_support_becomes_low_concern() {
        let a = scan("there is no backup");
        assert_eq!(a.concerns.len(), 1);
        assert_eq!(a.concerns[0].severity, Severity::Low);
        assert!(matches!(
            a.concerns[0].reason,
            ConcernReason::NegatedSupport { .. }
        ));
    }

    #[test]
    fn support_raises_and_concern_lowers() {
        assert!(dimension_score(1.0, 0.0) > NEUTRAL_SCORE);
        assert!(dimension_score(0.0, 1.0) < NEUTRAL_SCORE);
        assert!((dimension_score(0.0, 0.0) - NEUTRAL_SCORE).abs() < 1e-12);
        assert!(dimension_score(f64::MAX, 0.0) <= 1.0);
    }

    #[test]
    fn verdict_bands() {
        let cfg = LoveConfig::default();
        let good = DimensionScores::from_array([0.8; 5]);
        assert_eq!(verdict_for(0.8, &good, &cfg), Verdict::Approved);
        assert_eq!(verdict_for(0.5, &good, &cfg), Verdict::NeedsReview);
        assert_eq!(verdict_for(0.3, &good, &cfg), Verdict::Rejected);
        let one_bad = DimensionScores::from_array([0.1, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(verdict_for(0.73, &one_bad, &cfg), Verdict::NeedsReview);
    }
}
