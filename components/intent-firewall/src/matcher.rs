//! The compiled matcher: one Aho-Corasick automaton over every pattern, published as an immutable snapshot.

use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Pattern sets up to this many bytes of normalised text compile to a DFA (one table lookup per input byte, about
/// 200 bytes of automaton per pattern byte); larger sets compile to a contiguous NFA, which is several times
/// smaller and faster to build but slower to search. The DFA keeps validation flat from 10 to 10,000 patterns.
pub(crate) const DFA_MAX_PATTERN_BYTES: usize = 256 * 1024;

use crate::error::FirewallError;
use crate::pattern::{Pattern, PatternId};

/// An immutable set of patterns and the automaton that finds all of them in one pass.
///
/// A snapshot is never modified after it is built: adding or removing patterns builds a new one, and the firewall
/// swaps it in atomically, so a reader always sees one whole snapshot.
#[derive(Debug)]
pub(crate) struct CompiledMatcher {
    /// `None` when there are no patterns.
    automaton: Option<AhoCorasick>,
    /// Pattern `i` of the automaton is `patterns[i]`.
    patterns: Vec<Arc<Pattern>>,
    /// Position of each id in `patterns`.
    by_id: HashMap<PatternId, usize>,
}

impl CompiledMatcher {
    /// Returns a matcher with no patterns.
    pub(crate) fn empty() -> Self {
        Self {
            automaton: None,
            patterns: Vec::new(),
            by_id: HashMap::new(),
        }
    }

    /// Compiles `patterns`. Cost: linear in their total normalised length.
    ///
    /// # Errors
    /// [`FirewallError::DuplicatePatternId`] if two patterns share an id, [`FirewallError::MatcherBuild`] if the
    /// automaton exceeds its limits.
    pub(crate) fn build(patterns: Vec<Arc<Pattern>>) -> Result<Self, FirewallError> {
        let mut by_id = HashMap::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            if by_id.insert(p.id().clone(), i).is_some() {
                return Err(FirewallError::DuplicatePatternId(p.id().to_string()));
            }
        }
        if patterns.is_empty() {
            return Ok(Self::empty());
        }
        let total: usize = patterns.iter().map(|p| p.normalized().len()).sum();
        let kind = if total <= DFA_MAX_PATTERN_BYTES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(patterns.iter().map(|p| p.normalized()))
            .map_err(|e| FirewallError::MatcherBuild(e.to_string()))?;
        Ok(Self {
            automaton: Some(automaton),
            patterns,
            by_id,
        })
    }

    /// Returns the patterns, in automaton order.
    pub(crate) fn patterns(&self) -> &[Arc<Pattern>] {
        &self.patterns
    }

    /// Returns the pattern with id `id`, if present.
    pub(crate) fn get(&self, id: &str) -> Option<&Arc<Pattern>> {
        self.by_id.get(id).map(|&i| &self.patterns[i])
    }

    /// Returns the heap memory of the automaton in bytes (0 without patterns).
    pub(crate) fn automaton_bytes(&self) -> usize {
        self.automaton.as_ref().map_or(0, AhoCorasick::memory_usage)
    }

    /// Returns the number of patterns.
    pub(crate) fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Calls `on_match` once for every distinct pattern that occurs in `haystack` (already in matching form) with
    /// its edge rules respected (`haystack` is valid UTF-8). One pass over the haystack, whatever the number of patterns.
    pub(crate) fn for_each_match(&self, haystack: &[u8], mut on_match: impl FnMut(&Arc<Pattern>)) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        // Most requests match nothing: the plain search is faster than the overlapping walk, so try it first.
        if automaton.find(haystack).is_none() {
            return;
        }
        // Distinct pattern indices seen so far; requests match a handful of patterns, so a linear scan is fastest.
        let mut seen: Vec<u32> = Vec::new();
        for m in automaton.find_overlapping_iter(haystack) {
            let index = m.pattern().as_u32();
            if seen.contains(&index) {
                continue;
            }
            let pattern = &self.patterns[m.pattern().as_usize()];
            if pattern.edges_hold(haystack, m.start(), m.end()) {
                seen.push(index);
                on_match(pattern);
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::pattern::{Edge, PatternCategory, Severity};

    fn p(id: &str, text: &str) -> Arc<Pattern> {
        Arc::new(
            Pattern::new(id, text, Severity::saturating(0.5), PatternCategory::Custom)
                .expect("valid")
                .with_edges(Edge::Any, Edge::Any),
        )
    }

    fn ids(m: &CompiledMatcher, haystack: &str) -> Vec<String> {
        let mut out = Vec::new();
        m.for_each_match(haystack.as_bytes(), |p| out.push(p.id().to_string()));
        out.sort();
        out
    }

    #[test]
    fn finds_overlapping_and_nested_patterns() {
        let m = CompiledMatcher::build(vec![p("a", "rm -rf"), p("b", "-rf /"), p("c", "rf")])
            .expect("builds");
        assert_eq!(ids(&m, "rm -rf /"), ["a", "b", "c"]);
    }

    #[test]
    fn reports_each_pattern_once() {
        let m = CompiledMatcher::build(vec![p("a", "x")]).expect("builds");
        assert_eq!(ids(&m, "x x x"), ["a"]);
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let err = CompiledMatcher::build(vec![p("a", "x"), p("a", "y")]).expect_err("duplicate");
        assert_eq!(err, FirewallError::DuplicatePatternId("a".into()));
    }

    #[test]
    fn empty_matcher_matches_nothing() {
        let m = CompiledMatcher::build(Vec::new()).expect("builds");
        assert!(ids(&m, "anything").is_empty());
        assert_eq!(m.len(), 0);
    }

    #[test]
    fn a_failed_edge_check_does_not_hide_a_later_valid_occurrence() {
        let word = Arc::new(
            Pattern::new(
                "w",
                "drop table",
                Severity::saturating(0.5),
                PatternCategory::Custom,
            )
            .expect("valid"),
        );
        let m = CompiledMatcher::build(vec![word]).expect("builds");
        assert_eq!(ids(&m, "xdrop table then drop table"), ["w"]);
        assert!(ids(&m, "xdrop tables").is_empty());
        assert!(m.get("w").is_some() && m.get("zz").is_none());
    }
}
