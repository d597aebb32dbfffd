//! Intent extraction: what a request wants to do (an action category), to what (targets), and how sure we are.
//!
//! The extractor reads the canonical form of the text (see [`canonicalize`](crate::canonicalize)), token by token:
//!
//! - **Targets.** A token containing `://` is a URL (and its host a [`TargetKind::Host`]); a token starting with
//!   `/`, `~`, `./`, `../` or a drive letter such as `c:\`, or a `key=/path` argument, is a path; `local@domain.tld`
//!   (optionally `mailto:`) is an e-mail recipient; a dotted IPv4 address or a domain with a common top-level domain
//!   is a host.
//! - **Evidence.** A token that is a whole word (letters only, so `rm` counts but `/tmp/delete-me` does not) is
//!   looked up, after stripping the suffixes `-ing`, `-ed`, `-es`, `-s`, `-d`, in a table of verbs per category.
//!   A verb within two words after a negation (`not`, `no`, `never`, `don't`, `doesn't`, `won't`, ...) is ignored.
//!   A verb at the start of a clause (the start of the text, or after `;`, `|`, `&&`, `then`, `and`, a full stop,
//!   or after fillers such as `please`, `sudo`, `can you`) weighs 2, any other 1; each recipient adds 0.5 to
//!   `Communicate`.
//! - **Decision.** The category with the greatest total weight wins; ties go to the more dangerous category in the
//!   order delete, execute, update, create, communicate, read. No evidence gives [`ActionCategory::Unknown`].
//! - **Confidence** = `(top / total) × (1 − 2^(−top))`, where `top` is the winner's weight and `total` the weight of
//!   all evidence: it grows with the amount of evidence and shrinks when categories disagree. It is 0 for
//!   `Unknown` and always below 1. One imperative verb alone gives 0.75.

use serde::Serialize;

use crate::verbs::{WordKey, is_filler, is_negation, lookup_verb};
use aegis_text::canonicalize;

/// The kind of action a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActionCategory {
    /// Reads or lists data.
    Read,
    /// Creates something new.
    Create,
    /// Changes something that exists.
    Update,
    /// Deletes or destroys something.
    Delete,
    /// Runs a program or controls a process or service.
    Execute,
    /// Sends something to someone.
    Communicate,
    /// No evidence for any category.
    Unknown,
}

impl ActionCategory {
    /// Tie-break rank: higher wins a tie (the more dangerous reading).
    fn danger_rank(self) -> u8 {
        match self {
            Self::Delete => 6,
            Self::Execute => 5,
            Self::Update => 4,
            Self::Create => 3,
            Self::Communicate => 2,
            Self::Read => 1,
            Self::Unknown => 0,
        }
    }
}

/// The kind of thing a request acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TargetKind {
    /// A file-system path (`/etc/hosts`, `~/notes`, `c:\temp`).
    Path,
    /// A URL (`https://example.com/x`).
    Url,
    /// A host name or IPv4 address.
    Host,
    /// An e-mail recipient.
    Recipient,
}

/// A target found in the request, in canonical (lower-case) form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    /// What kind of target.
    pub kind: TargetKind,
    /// The target text.
    pub value: String,
}

/// One verb that counted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evidence {
    /// The verb's dictionary form (`delete` for "deleting").
    pub verb: &'static str,
    /// The category it supports.
    pub category: ActionCategory,
    /// Its weight: 2 at the start of a clause, 1 elsewhere.
    pub weight: f64,
}

/// What a request intends: an action category, the targets found, and a confidence.
///
/// The extractor reads the canonical form of the text (see [`canonicalize`](crate::canonicalize)), token by token:
///
/// - **Targets.** A token containing `://` is a URL (and its host a [`TargetKind::Host`]); a token starting with
///   `/`, `~`, `./`, `../` or a drive letter such as `c:\`, or a `key=/path` argument, is a path; `local@domain.tld`
///   (optionally `mailto:`) is an e-mail recipient; a dotted IPv4 address or a domain with a common top-level domain
///   is a host.
/// - **Evidence.** A token that is a whole word (letters only, so `rm` counts but `/tmp/delete-me` does not) is
///   looked up, after stripping the suffixes `-ing`, `-ed`, `-es`, `-s`, `-d`, in a table of verbs per category.
///   A verb within two words after a negation (`not`, `no`, `never`, `don't`, `doesn't`, `won't`, ...) is ignored.
///   A verb at the start of a clause (the start of the text, or after `;`, `|`, `&&`, `then`, `and`, a full stop,
///   or after fillers such as `please`, `sudo`, `can you`) weighs 2, any other 1; each recipient adds 0.5 to
///   `Communicate`.
/// - **Decision.** The category with the greatest total weight wins; ties go to the more dangerous category in the
///   order delete, execute, update, create, communicate, read. No evidence gives [`ActionCategory::Unknown`].
/// - **Confidence** = `(top / total) × (1 − 2^(−top))`, where `top` is the winner's weight and `total` the weight of
///   all evidence: it grows with the amount of evidence and shrinks when categories disagree. It is 0 for
///   `Unknown` and always below 1. One imperative verb alone gives 0.75.
///
/// Invariants: `confidence` is in [0, 1), and is 0 exactly when `action` is `Unknown`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intent {
    /// The winning action category.
    pub action: ActionCategory,
    /// How strongly the evidence supports `action`, in [0, 1).
    pub confidence: f64,
    /// Targets in order of appearance, without duplicates.
    pub targets: Vec<Target>,
    /// Every verb that counted, in order of appearance.
    pub evidence: Vec<Evidence>,
}

impl Intent {
    /// Extracts the intent of `text` (canonicalised first).
    ///
    /// # Example
    /// ```
    /// use intent_firewall::{ActionCategory, Intent, TargetKind};
    /// let intent = Intent::extract("Please delete /tmp/cache for ops@example.com");
    /// assert_eq!(intent.action, ActionCategory::Delete);
    /// assert!(intent.targets.iter().any(|t| t.kind == TargetKind::Path && t.value == "/tmp/cache"));
    /// assert!(intent.targets.iter().any(|t| t.kind == TargetKind::Recipient));
    /// ```
    #[must_use]
    pub fn extract(text: &str) -> Self {
        extract_canonical(&canonicalize(text))
    }

    /// Returns true if and only if a target of `kind` was found.
    #[must_use]
    pub fn has_target(&self, kind: TargetKind) -> bool {
        self.targets.iter().any(|t| t.kind == kind)
    }
}

/// Extracts the intent from text already in canonical form.
pub(crate) fn extract_canonical(canonical: &str) -> Intent {
    // Room for a typical request's targets and verbs up front, so the vectors are allocated once, not regrown.
    let mut targets: Vec<Target> = Vec::with_capacity(4);
    let mut evidence: Vec<Evidence> = Vec::with_capacity(8);
    let mut recipients = 0usize;
    let mut clause_start = true;
    let mut negated_for = 0u8;

    let mut rest = canonical;
    while !rest.is_empty() {
        // Tokens are separated by single ASCII spaces (canonical form), so the cut is a character boundary.
        let (cut, flags, packed) = scan_token(rest.as_bytes());
        let (raw, tail) = rest.split_at(cut);
        rest = tail.get(1..).unwrap_or("");
        if is_separator(raw) {
            clause_start = true;
            negated_for = 0;
            continue;
        }
        let token = trim_punctuation(raw);
        if token.is_empty() {
            continue;
        }
        // The scan already knows the untrimmed token; only a token with punctuation at its ends is rescanned.
        let (shape, key) = if token.len() == raw.len() {
            (
                Shape::from_flags(flags),
                WordKey::from_packed(packed, raw.len()),
            )
        } else {
            (Shape::of(token), WordKey::new(token.as_bytes()))
        };
        let ends_sentence = matches!(raw.as_bytes().last(), Some(b'.' | b';' | b'!' | b'?'));
        if shape.ascii_word
            && let Some(word) = key
        {
            if is_negation(word) {
                negated_for = 2;
                clause_start = false;
                continue;
            }
            if is_filler(word) {
                negated_for = negated_for.saturating_sub(1);
                continue;
            }
            if negated_for == 0
                && let Some((verb, category)) = lookup_verb(word)
            {
                let weight = if clause_start { 2.0 } else { 1.0 };
                evidence.push(Evidence {
                    verb,
                    category,
                    weight,
                });
            }
            negated_for = negated_for.saturating_sub(1);
        } else if !shape.ascii_word
            && let Some(found) = classify_target(token, shape)
        {
            if found.kind == TargetKind::Recipient {
                recipients += 1;
            }
            push_target(&mut targets, found.kind, found.value);
            if let Some(host) = found.host {
                push_target(&mut targets, TargetKind::Host, host);
            }
        } else {
            negated_for = negated_for.saturating_sub(1);
        }
        clause_start = ends_sentence;
        if ends_sentence {
            negated_for = 0;
        }
    }
    decide(targets, evidence, recipients)
}

/// What one scan over a token's bytes learns about it.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Only ASCII letters and apostrophes: a candidate verb, negation or filler.
    ascii_word: bool,
    has_at: bool,
    has_dot: bool,
    has_eq: bool,
    has_colon: bool,
}

/// Byte classes for [`Shape::of`]: bit 0 not part of a plain word, then `@`, `.`, `=`, `:`.
const SHAPE_CLASS: [u8; 256] = {
    let mut table = [1u8; 256];
    let mut b = b'a';
    while b <= b'z' {
        table[b as usize] = 0;
        b += 1;
    }
    table[b'\'' as usize] = 0;
    table[b'@' as usize] = 1 | 2;
    table[b'.' as usize] = 1 | 4;
    table[b'=' as usize] = 1 | 8;
    table[b':' as usize] = 1 | 16;
    table
};

/// Scans one token up to the next space: returns its length, its [`SHAPE_CLASS`] flags, and its first 16 bytes
/// packed as by [`WordKey::new`] (unshifted).
fn scan_token(bytes: &[u8]) -> (usize, u8, u128) {
    let mut flags = 0u8;
    let mut len = 0;
    for &b in bytes {
        if b == b' ' {
            break;
        }
        flags |= SHAPE_CLASS[usize::from(b)];
        len += 1;
    }
    (len, flags, pack_prefix(bytes, len.min(16)))
}

/// Returns the first `n` (at most 16) bytes of `bytes` shifted in one by one, as [`WordKey::new`] does before
/// its final shift: one 16-byte load when the text has 16 bytes left, a byte loop only near its end.
fn pack_prefix(bytes: &[u8], n: usize) -> u128 {
    match bytes.first_chunk::<16>() {
        Some(chunk) if n > 0 => u128::from_be_bytes(*chunk) >> (8 * (16 - n)),
        _ => bytes[..n]
            .iter()
            .fold(0u128, |key, &b| (key << 8) | u128::from(b)),
    }
}

impl Shape {
    /// Scans the token once, branch-free, through [`SHAPE_CLASS`].
    fn of(token: &str) -> Self {
        Self::from_flags(
            token
                .bytes()
                .fold(0u8, |acc, b| acc | SHAPE_CLASS[usize::from(b)]),
        )
    }

    /// Decodes [`SHAPE_CLASS`] flags.
    fn from_flags(flags: u8) -> Self {
        Self {
            ascii_word: flags & 1 == 0,
            has_at: flags & 2 != 0,
            has_dot: flags & 4 != 0,
            has_eq: flags & 8 != 0,
            has_colon: flags & 16 != 0,
        }
    }
}

/// Picks the winning category and computes the confidence.
fn decide(targets: Vec<Target>, evidence: Vec<Evidence>, recipients: usize) -> Intent {
    const CATEGORIES: [ActionCategory; 6] = [
        ActionCategory::Read,
        ActionCategory::Create,
        ActionCategory::Update,
        ActionCategory::Delete,
        ActionCategory::Execute,
        ActionCategory::Communicate,
    ];
    let mut weights = [0.0f64; 6];
    for e in &evidence {
        if let Some(i) = CATEGORIES.iter().position(|&c| c == e.category) {
            weights[i] += e.weight;
        }
    }
    // Recipients are weak evidence of communication; usize -> f64 is exact for any realistic count.
    weights[5] += 0.5 * recipients as f64;
    let total: f64 = weights.iter().sum();
    let mut best = (ActionCategory::Unknown, 0.0f64);
    for (&category, &w) in CATEGORIES.iter().zip(&weights) {
        if w > best.1 || (w == best.1 && w > 0.0 && category.danger_rank() > best.0.danger_rank()) {
            best = (category, w);
        }
    }
    let (action, top) = best;
    let confidence = if top > 0.0 {
        (top / total) * (1.0 - (-top).exp2())
    } else {
        0.0
    };
    Intent {
        action,
        confidence,
        targets,
        evidence,
    }
}

/// Adds a target unless the same one is already there.
fn push_target(targets: &mut Vec<Target>, kind: TargetKind, value: &str) {
    if !targets.iter().any(|t| t.kind == kind && t.value == value) {
        targets.push(Target {
            kind,
            value: value.to_owned(),
        });
    }
}

/// A target classified from one token; `host` is the host of a URL.
struct Found<'a> {
    kind: TargetKind,
    value: &'a str,
    host: Option<&'a str>,
}

/// Classifies a trimmed token as a target, if it is one; `shape` lets most checks be skipped.
fn classify_target(token: &str, shape: Shape) -> Option<Found<'_>> {
    if shape.has_colon
        && let Some(scheme_end) = token.find("://")
    {
        let rest = &token[scheme_end + 3..];
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host_port.split_once(':').map_or(host_port, |(h, _)| h);
        let host = (!host.is_empty()).then_some(host);
        return Some(Found {
            kind: TargetKind::Url,
            value: token,
            host,
        });
    }
    let path_candidate = if shape.has_eq {
        token.rsplit_once('=').map_or(token, |(_, v)| v)
    } else {
        token
    };
    if is_path(path_candidate) {
        return Some(Found {
            kind: TargetKind::Path,
            value: path_candidate,
            host: None,
        });
    }
    if !shape.has_dot {
        return None;
    }
    if shape.has_at {
        let mail = token.strip_prefix("mailto:").unwrap_or(token);
        return is_email(mail).then_some(Found {
            kind: TargetKind::Recipient,
            value: mail,
            host: None,
        });
    }
    if is_ipv4(token) || is_domain(token) {
        return Some(Found {
            kind: TargetKind::Host,
            value: token,
            host: None,
        });
    }
    None
}

/// Returns true if and only if the token looks like a file-system path.
fn is_path(token: &str) -> bool {
    let bytes = token.as_bytes();
    token.starts_with('/')
        || token == "~"
        || token.starts_with("~/")
        || token.starts_with("./")
        || token.starts_with("../")
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && bytes[2] == b'\\')
}

/// Returns true if and only if the token is `local@domain.tld`.
fn is_email(token: &str) -> bool {
    let Some((local, domain)) = token.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-'))
        && domain_labels_ok(domain)
}

/// Returns true if and only if `domain` has at least two non-empty labels and an alphabetic TLD of 2+ letters.
fn domain_labels_ok(domain: &str) -> bool {
    let mut labels = 0;
    let mut last = "";
    for label in domain.split('.') {
        if label.is_empty() || !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.len() >= 2 && last.chars().all(char::is_alphabetic)
}

/// Top-level domains that make a bare dotted token a host (file extensions such as `.txt`, `.sh`, `.rs` are not).
const HOST_TLDS: &[&str] = &[
    "ai", "app", "biz", "cloud", "cn", "co", "com", "de", "dev", "edu", "eu", "fr", "gov", "info",
    "internal", "io", "jp", "local", "me", "mil", "net", "org", "ru", "uk", "us", "xyz",
];

/// Returns true if and only if the token is a domain name with a common TLD (an optional `:port` allowed).
fn is_domain(token: &str) -> bool {
    let host = token.split_once(':').map_or(token, |(h, _)| h);
    domain_labels_ok(host)
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| HOST_TLDS.contains(&tld))
}

/// Returns true if and only if the token is a dotted-quad IPv4 address (an optional `:port` allowed).
fn is_ipv4(token: &str) -> bool {
    let host = token.split_once(':').map_or(token, |(h, _)| h);
    let mut parts = 0;
    for part in host.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        if part.parse::<u16>().map_or(true, |v| v > 255) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

/// Strips quotes, brackets and trailing sentence punctuation around a token.
fn trim_punctuation(raw: &str) -> &str {
    let bytes = raw.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return raw;
    }
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b'"' | b'\'' | b'`' | b'(' | b'[' | b'{' | b'<' | b'>'));
    let Some(start) = start else { return "" };
    let end = bytes
        .iter()
        .rposition(|b| {
            !matches!(
                b,
                b'"' | b'\''
                    | b'`'
                    | b')'
                    | b']'
                    | b'}'
                    | b'>'
                    | b','
                    | b';'
                    | b':'
                    | b'.'
                    | b'!'
                    | b'?'
            )
        })
        .map_or(start, |e| e + 1);
    // Both cut points sit next to ASCII bytes, so they are character boundaries.
    raw.get(start..end.max(start)).unwrap_or("")
}

/// Returns true if and only if the raw token separates clauses.
fn is_separator(raw: &str) -> bool {
    raw.len() <= 4
        && matches!(
            raw,
            "|" | "||" | "&&" | ";" | "&" | "then" | "and" | "-" | "--"
        )
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn action(text: &str) -> ActionCategory {
        Intent::extract(text).action
    }

    #[test]
    fn each_category_is_recognised() {
        assert_eq!(action("show me the report"), ActionCategory::Read);
        assert_eq!(action("create a new user account"), ActionCategory::Create);
        assert_eq!(action("update the config file"), ActionCategory::Update);
        assert_eq!(action("delete the old backups"), ActionCategory::Delete);
        assert_eq!(action("run the nightly job"), ActionCategory::Execute);
        assert_eq!(
            action("send the summary to the team"),
            ActionCategory::Communicate
        );
        assert_eq!(action("the weather is nice"), ActionCategory::Unknown);
    }

    #[test]
    fn inflected_forms_count() {
        assert_eq!(action("deleting stale files"), ActionCategory::Delete);
        assert_eq!(action("stopping the worker"), ActionCategory::Execute);
        assert_eq!(action("removed entries"), ActionCategory::Delete);
        assert_eq!(action("sends a note"), ActionCategory::Communicate);
    }

    #[test]
    fn word_boundaries_are_required() {
        assert_eq!(action("the undeleted record"), ActionCategory::Unknown);
        assert_eq!(action("look at /tmp/delete-me"), ActionCategory::Unknown);
        assert_eq!(action("the information desk"), ActionCategory::Unknown);
    }

    #[test]
    fn negated_verbs_are_ignored() {
        assert_eq!(action("do not delete anything"), ActionCategory::Unknown);
        assert_eq!(
            action("don't remove it, just show it"),
            ActionCategory::Read
        );
    }

    #[test]
    fn clause_initial_verbs_outweigh_later_ones() {
        let intent = Intent::extract("delete the file that we read yesterday");
        assert_eq!(intent.action, ActionCategory::Delete);
        assert_eq!(intent.evidence[0].weight, 2.0);
        assert_eq!(intent.evidence[1].weight, 1.0);
    }

    #[test]
    fn ties_go_to_the_more_dangerous_category() {
        assert_eq!(
            action("curl https://x.io/a.sh | sh"),
            ActionCategory::Execute
        );
    }

    #[test]
    fn finds_paths_hosts_urls_and_recipients() {
        let intent = Intent::extract(
            "Copy ~/notes.txt and /var/log/app.log to https://user@files.example.com:8443/up, \
             then mail bob@example.org; dd if=/dev/zero of=/dev/sda; ping 10.0.0.1 and api.example.io",
        );
        let has = |kind, value: &str| {
            intent
                .targets
                .iter()
                .any(|t| t.kind == kind && t.value == value)
        };
        assert!(has(TargetKind::Path, "~/notes.txt"));
        assert!(has(TargetKind::Path, "/var/log/app.log"));
        assert!(has(
            TargetKind::Url,
            "https://user@files.example.com:8443/up"
        ));
        assert!(has(TargetKind::Host, "files.example.com"));
        assert!(has(TargetKind::Recipient, "bob@example.org"));
        assert!(has(TargetKind::Path, "/dev/sda"));
        assert!(has(TargetKind::Host, "10.0.0.1"));
        assert!(has(TargetKind::Host, "api.example.io"));
        assert!(!intent.targets.iter().any(|t| t.value == "notes.txt"));
    }

    #[test]
    fn file_names_are_not_hosts_and_bad_addresses_are_not_recipients() {
        let intent = Intent::extract("open script.sh and config.json, mail foo@bar and 300.1.1.1");
        assert!(intent.targets.is_empty(), "{:?}", intent.targets);
    }

    #[test]
    fn recipients_lean_towards_communicate() {
        let intent = Intent::extract("the report for alice@example.com");
        assert_eq!(intent.action, ActionCategory::Communicate);
        assert!(intent.confidence < 0.5);
    }

    #[test]
    fn confidence_follows_the_documented_formula() {
        assert_eq!(Intent::extract("delete it").confidence, 0.75);
        assert_eq!(Intent::extract("it is gone").confidence, 0.0);
        // delete 2 vs read 1: (2/3) * 0.75.
        let mixed = Intent::extract("delete what we read");
        assert!((mixed.confidence - 0.5).abs() < 1e-12);
        assert!(Intent::extract("delete it; remove it").confidence > 0.75);
    }

    #[test]
    fn token_scan_packs_the_first_sixteen_bytes_near_and_far_from_the_end() {
        let text = b"delete abcdefghijklmnopqrstu x yz";
        let mut start = 0;
        while start < text.len() {
            let (len, _, packed) = scan_token(&text[start..]);
            let token = &text[start..start + len];
            let expected = token
                .iter()
                .take(16)
                .fold(0u128, |key, &b| (key << 8) | u128::from(b));
            assert_eq!(packed, expected, "token {:?}", std::str::from_utf8(token));
            start += len + 1;
        }
    }

    proptest! {
        #[test]
        fn token_scan_packs_like_a_byte_loop(text in "[a-z' ./@]{0,40}") {
            let bytes = text.as_bytes();
            for start in 0..bytes.len() {
                let (len, _, packed) = scan_token(&bytes[start..]);
                let expected = bytes[start..start + len]
                    .iter()
                    .take(16)
                    .fold(0u128, |key, &b| (key << 8) | u128::from(b));
                prop_assert_eq!(packed, expected);
            }
        }

        #[test]
        fn confidence_is_in_unit_interval_and_zero_iff_unknown(text in "[a-z@./: ]{0,80}") {
            let intent = Intent::extract(&text);
            prop_assert!((0.0..1.0).contains(&intent.confidence));
            prop_assert_eq!(intent.confidence == 0.0, intent.action == ActionCategory::Unknown);
        }
    }
}
