//! Blocked patterns: what to look for, how bad it is, and where a match may start and end.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::error::FirewallError;
use aegis_text::normalize;

/// The identifier of a pattern, unique within a firewall. Cheap to clone (shared string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatternId(Arc<str>);

impl PatternId {
    /// Returns the id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PatternId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for PatternId {
    fn from(id: &str) -> Self {
        Self(Arc::from(id))
    }
}

impl From<String> for PatternId {
    fn from(id: String) -> Self {
        Self(Arc::from(id))
    }
}

impl std::borrow::Borrow<str> for PatternId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for PatternId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// How dangerous a match is: a finite number in [0, 1], where 1 means "certainly harmful".
///
/// Invariant: a `Severity` that exists lies in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Severity(f64);

impl Severity {
    /// Severity at or above which a pattern is *critical*: a critical match blocks the request whatever the score.
    pub const CRITICAL: f64 = 0.9;

    /// Returns the severity `value`.
    ///
    /// # Errors
    /// [`FirewallError::SeverityOutOfRange`] if `value` is NaN, infinite or outside [0, 1].
    pub fn new(value: f64) -> Result<Self, FirewallError> {
        if value.is_finite() && (0.0..=1.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err(FirewallError::SeverityOutOfRange(value))
        }
    }

    /// Returns `value` clamped into [0, 1] (NaN becomes 1, the safe side). Prefer [`Severity::new`], which reports
    /// a bad value instead of hiding it.
    #[must_use]
    pub fn saturating(value: f64) -> Self {
        if value.is_nan() {
            Self(1.0)
        } else {
            Self(value.clamp(0.0, 1.0))
        }
    }

    /// Returns the value in [0, 1].
    #[must_use]
    pub fn value(self) -> f64 {
        self.0
    }

    /// Returns true if and only if the severity is at least [`Severity::CRITICAL`].
    #[must_use]
    pub fn is_critical(self) -> bool {
        self.0 >= Self::CRITICAL
    }
}

/// What kind of harm a pattern describes; the pipeline routes and learns by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PatternCategory {
    /// Destroys files or file systems (`rm -rf /`, `mkfs`, writing to raw disks).
    Destruction,
    /// Destroys stored data (dropping databases or tables).
    DataDestruction,
    /// Downloads and runs code (`curl ... | sh`).
    RemoteCodeExecution,
    /// Reads secrets: password hashes, private keys, cloud credentials.
    CredentialAccess,
    /// Sends data or a shell to somewhere else (reverse shells, uploads).
    Exfiltration,
    /// Widens permissions or gains root (`chmod 777 /`, editing sudoers).
    PrivilegeEscalation,
    /// Exhausts the machine (fork bombs).
    ResourceExhaustion,
    /// Routine but disruptive operations that deserve a human look (restarting services, clearing logs).
    Maintenance,
    /// A pattern added by the user that fits none of the above.
    Custom,
}

/// What may stand next to one end of a match for it to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edge {
    /// Anything (plain substring match at this end).
    Any,
    /// A word boundary, as in regex `\b`: if the pattern's own character at this end is a word character
    /// (alphanumeric or `_`), the neighbour must not be one. The default.
    #[default]
    Word,
    /// The end of a token: the neighbour must be whitespace, the text edge, or punctuation other than the path
    /// characters `. _ - / ~` (so `rm -rf /` matches `rm -rf /*` but not `rm -rf /tmp`).
    Token,
}

/// A blocked pattern: the text to find (in its normalised matching form), its severity and category, and the
/// edges a match must respect.
///
/// Invariants: the id is non-empty and the normalised text is non-empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    id: PatternId,
    text: String,
    normalized: String,
    severity: Severity,
    category: PatternCategory,
    start: Edge,
    end: Edge,
}

impl Pattern {
    /// Returns a pattern matching `text` anywhere it stands as whole words ([`Edge::Word`] at both ends).
    /// The text is normalised with [`normalize`], the same function requests go through.
    ///
    /// # Errors
    /// [`FirewallError::EmptyPatternId`] for an empty id, [`FirewallError::EmptyPattern`] if the text is empty once
    /// normalised.
    pub fn new(
        id: impl Into<PatternId>,
        text: impl Into<String>,
        severity: Severity,
        category: PatternCategory,
    ) -> Result<Self, FirewallError> {
        let id = id.into();
        if id.as_str().is_empty() {
            return Err(FirewallError::EmptyPatternId);
        }
        let text = text.into();
        let normalized = normalize(&text);
        if normalized.is_empty() {
            return Err(FirewallError::EmptyPattern(id.to_string()));
        }
        Ok(Self {
            id,
            text,
            normalized,
            severity,
            category,
            start: Edge::Word,
            end: Edge::Word,
        })
    }

    /// Returns the pattern with the given edge rules at its start and end.
    #[must_use]
    pub fn with_edges(mut self, start: Edge, end: Edge) -> Self {
        self.start = start;
        self.end = end;
        self
    }

    /// Returns the id.
    #[must_use]
    pub fn id(&self) -> &PatternId {
        &self.id
    }

    /// Returns the text as given.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Returns the normalised text the matcher looks for.
    #[must_use]
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Returns the severity.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Returns the category.
    #[must_use]
    pub fn category(&self) -> PatternCategory {
        self.category
    }

    /// Returns true if and only if the pattern is critical (severity at least [`Severity::CRITICAL`]).
    #[must_use]
    pub fn is_critical(&self) -> bool {
        self.severity.is_critical()
    }

    /// Returns the edge rules (start, end).
    #[must_use]
    pub fn edges(&self) -> (Edge, Edge) {
        (self.start, self.end)
    }

    /// Returns true if and only if a match of this pattern at `haystack[start..end]` respects its edge rules.
    /// `haystack` is valid UTF-8 and `start`, `end` are character boundaries (as for any match of a UTF-8
    /// pattern in UTF-8 text).
    pub(crate) fn edges_hold(&self, haystack: &[u8], start: usize, end: usize) -> bool {
        let first = self.normalized.chars().next();
        let last = self.normalized.chars().next_back();
        edge_holds(self.start, first, char_before(haystack, start))
            && edge_holds(self.end, last, char_at(haystack, end))
    }
}

/// Returns the character that ends just before byte `at` of UTF-8 `text`.
fn char_before(text: &[u8], at: usize) -> Option<char> {
    let head = text.get(..at)?;
    let &last = head.last()?;
    if last.is_ascii() {
        return Some(char::from(last));
    }
    let from = head.len().saturating_sub(4);
    let lead = (from..head.len()).rev().find(|&i| head[i] & 0xC0 != 0x80)?;
    std::str::from_utf8(&head[lead..]).ok()?.chars().next()
}

/// Returns the character that starts at byte `at` of UTF-8 `text`.
fn char_at(text: &[u8], at: usize) -> Option<char> {
    let tail = text.get(at..)?;
    let &first = tail.first()?;
    if first.is_ascii() {
        return Some(char::from(first));
    }
    let width = match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    std::str::from_utf8(tail.get(..width)?).ok()?.chars().next()
}

/// Returns true if and only if `c` is a word character for [`Edge::Word`].
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Returns true if and only if `c` continues a token for [`Edge::Token`].
fn is_token(c: char) -> bool {
    is_word(c) || matches!(c, '.' | '-' | '/' | '~')
}

/// Checks one edge: `own` is the pattern's character at that end, `neighbour` the text's character beyond it.
fn edge_holds(edge: Edge, own: Option<char>, neighbour: Option<char>) -> bool {
    match (edge, neighbour) {
        (Edge::Any, _) | (_, None) => true,
        (Edge::Word, Some(n)) => !(own.is_some_and(is_word) && is_word(n)),
        (Edge::Token, Some(n)) => !is_token(n),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn pattern(text: &str, start: Edge, end: Edge) -> Pattern {
        Pattern::new(
            "p",
            text,
            Severity::saturating(0.5),
            PatternCategory::Custom,
        )
        .map(|p| p.with_edges(start, end))
        .expect("valid pattern")
    }

    fn holds(p: &Pattern, haystack: &str) -> bool {
        let start = haystack.find(p.normalized()).expect("pattern occurs");
        p.edges_hold(haystack.as_bytes(), start, start + p.normalized().len())
    }

    #[test]
    fn severity_rejects_out_of_range_values() {
        for bad in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                Severity::new(bad),
                Err(FirewallError::SeverityOutOfRange(_))
            ));
        }
        assert_eq!(Severity::new(0.0).map(Severity::value), Ok(0.0));
        assert_eq!(Severity::saturating(f64::NAN).value(), 1.0);
        assert_eq!(Severity::saturating(2.0).value(), 1.0);
    }

    #[test]
    fn critical_starts_at_point_nine() {
        assert!(Severity::saturating(0.9).is_critical());
        assert!(!Severity::saturating(0.89).is_critical());
    }

    #[test]
    fn empty_patterns_and_ids_are_rejected() {
        let sev = Severity::saturating(0.5);
        assert_eq!(
            Pattern::new("x", "\u{200B} ", sev, PatternCategory::Custom),
            Err(FirewallError::EmptyPattern("x".into()))
        );
        assert_eq!(
            Pattern::new("", "abc", sev, PatternCategory::Custom),
            Err(FirewallError::EmptyPatternId)
        );
    }

    #[test]
    fn pattern_text_is_normalised_like_requests() {
        assert_eq!(
            pattern("DROP  TABLE", Edge::Word, Edge::Word).normalized(),
            "drop table"
        );
    }

    #[test]
    fn word_edges_behave_like_regex_word_boundaries() {
        let p = pattern("mkfs", Edge::Word, Edge::Word);
        assert!(holds(&p, "run mkfs.ext4 /dev/sdb"));
        assert!(!holds(&p, "xmkfs"));
        assert!(!holds(&p, "mkfsx"));
        let slash = pattern("/etc/shadow", Edge::Word, Edge::Word);
        assert!(
            holds(&slash, "cat/etc/shadow"),
            "non-word first char ignores its neighbour"
        );
    }

    #[test]
    fn token_edges_reject_path_continuations() {
        let p = pattern("rm -rf /", Edge::Word, Edge::Token);
        assert!(holds(&p, "rm -rf /"));
        assert!(holds(&p, "rm -rf /*"));
        assert!(holds(&p, "sudo rm -rf / --no-preserve-root"));
        assert!(!holds(&p, "rm -rf /tmp/cache"));
        assert!(!holds(&p, "rm -rf /.cache"));
    }

    #[test]
    fn edges_read_whole_non_ascii_neighbours() {
        let p = pattern("drop", Edge::Word, Edge::Word);
        assert!(
            !holds(&p, "жdrop"),
            "a Cyrillic letter before is a word character"
        );
        assert!(
            !holds(&p, "dropж"),
            "a Cyrillic letter after is a word character"
        );
        assert!(holds(&p, "→drop←"));
        assert_eq!(char_before("a€".as_bytes(), 4), Some('€'));
        assert_eq!(char_at("€b".as_bytes(), 0), Some('€'));
        assert_eq!(char_before(b"", 0), None);
        assert_eq!(char_at(b"a", 1), None);
    }

    #[test]
    fn any_edges_match_substrings() {
        let p = pattern("of=/dev/sd", Edge::Any, Edge::Any);
        assert!(holds(&p, "dd if=/dev/zero of=/dev/sda"));
    }
}
