//! The evidence lexicon: which words and phrases count for or against which dimension.
//!
//! Phrases are written in normalised form (lower case, no apostrophes, words separated by one
//! space; see [`crate::normalize`]), so `"don't"` is written `dont` and `send_bulk_email` matches
//! `bulk email`. Phrases are matched on whole words only, leftmost-longest: `without consent` wins
//! over `without`.
//!
//! Roles:
//! - **Concern**: evidence against the listed dimensions (lowers them).
//! - **Support**: evidence for the listed dimensions (raises them); when negated it turns into a
//!   low-severity concern ("no backup", "not transparent").
//! - **Negator**: negates the phrase it governs (see below), unless a clause break
//!   (`, . ; : ! ?`) or a breaker word comes first.
//! - **Breaker**: ends the scope of a negator (`but`, `however`, and the clause-joining `and`,
//!   `then`, `so`, ...).
//! - **Modifier**: a function word (auxiliary, adverb, determiner, preposition: `to`, `ever`,
//!   `the`, `any`, ...) that neither starts nor ends what a negator governs.
//!
//! # What a negator governs
//! A negator governs the predicate or noun phrase that follows it, not the clause after that:
//! - terms met before the negator's object starts are negated ("will **not** ever permanently
//!   *delete*", "**avoid** *deleting* user data");
//! - the object starts at the first content word that is no lexicon term ("prevent *churn*"), or
//!   at a nominal term (a noun or adjective such as `data loss`, see [`NOMINALS`]);
//! - inside the object, nominal terms are negated too ("prevent the risk of *data loss*"), but a
//!   predicate term (a verb: `delete`, `wipe`, `send`, ...) ends the scope and is *not* negated:
//!   "to prevent churn **delete** all customer data" raises `delete` and `customer data`;
//! - as before, a term further than [`NEGATION_WINDOW`] words from the last governed word is out
//!   of scope.
//!
//! # Attacks on oversight
//! Destroying, switching off or falsifying the records and mechanisms by which humans oversee an
//! agent ("remove all audit logs", "turn off monitoring", "tamper with the audit records") is a
//! critical concern ([`AGAINST_OVERSIGHT`]; [`AGAINST_RECORDS`] for routine records such as
//! "logs", which a human should look at) however harmless its verb is alone. A suppressing
//! predicate (a `Role::Suppressor` or one of [`SUPPRESSING_CONCERNS`]) that is not negated attacks
//! every `Role::Oversight` term within [`OVERSIGHT_WINDOW`] words after it, or after the last
//! term it attacked, in the same clause; an attacked term raises that concern instead of its
//! support ("audit" supports transparency, "delete the audit trail" does not).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::dimension::{Dimension, Severity};

/// The number of words that may stand between a negator and the term it negates:
/// "will **not** delete" (0), "does **not** ever permanently delete" (2).
pub const NEGATION_WINDOW: usize = 3;

/// The number of words that may stand between a suppressing predicate and the oversight term it
/// attacks: "remove **all of the** audit logs" (3).
pub const OVERSIGHT_WINDOW: usize = 3;

/// What an attack on oversight costs: transparency critically, harm (what is lost is the means
/// to notice any other harm) and autonomy (the humans who oversee the agent lose control of it).
pub const AGAINST_OVERSIGHT: &[(Dimension, Severity)] = &[
    (Dimension::Transparency, Severity::Critical),
    (Dimension::Harm, Severity::High),
    (Dimension::Autonomy, Severity::High),
];

/// What an attack on routine records costs ("delete the old logs", "clear the history"): they
/// may be what oversight needs, so a human should look, but they are not oversight itself.
pub const AGAINST_RECORDS: &[(Dimension, Severity)] = &[
    (Dimension::Transparency, Severity::High),
    (Dimension::Harm, Severity::Medium),
];

/// Oversight terms that name routine records rather than oversight itself: attacking them
/// costs [`AGAINST_RECORDS`], every other oversight term [`AGAINST_OVERSIGHT`].
pub const ROUTINE_RECORDS: &[&str] = &["log", "logs", "logging", "history", "records"];

/// What a lexicon term does when it is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Lowers the listed dimensions.
    Concern,
    /// Raises the listed dimensions.
    Support,
    /// Negates the next concern or support term in its window.
    Negator,
    /// Ends a negator's scope.
    Breaker,
    /// A function word: keeps a negator's scope open without starting its object.
    Modifier,
    /// A predicate that switches oversight off or falsifies it ("disable", "turn off", "tamper
    /// with"): neutral alone, an attack on oversight when its object is an [`Role::Oversight`] term.
    Suppressor,
    /// An oversight record or mechanism ("audit log", "monitoring", "review"): evidence for its
    /// effects (possibly none), unless it is the object of a suppressing predicate (see
    /// "Attacks on oversight" above).
    Oversight,
}

/// One lexicon term with its role and effects.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Term {
    /// The normalised phrase.
    pub phrase: &'static str,
    /// What the term does.
    pub role: Role,
    /// The dimensions it moves and how strongly.
    pub effects: &'static [(Dimension, Severity)],
    /// A noun or adjective (listed in [`NOMINALS`], or an oversight term) rather than a predicate.
    pub nominal: bool,
    /// Destroys, switches off or falsifies an oversight term that is its object: a
    /// [`Role::Suppressor`], or a concern listed in [`SUPPRESSING_CONCERNS`].
    pub suppresses: bool,
    /// For an oversight term: what attacking it costs; empty for every other term.
    pub attacked: &'static [(Dimension, Severity)],
}

use Dimension::{Autonomy as A, Beneficence as B, Fairness as F, Harm as H, Transparency as T};
use Severity::{Critical as CRIT, High as HIGH, Low as LOW, Medium as MED};

type Group = (
    &'static [&'static str],
    Role,
    &'static [(Dimension, Severity)],
);

/// The lexicon, in groups sharing role and effects.
const GROUPS: &[Group] = &[
    // ---- Negators and breakers ------------------------------------------------------------
    (
        &[
            "not",
            "no",
            "never",
            "without",
            "dont",
            "doesnt",
            "didnt",
            "wont",
            "cant",
            "cannot",
            "isnt",
            "arent",
            "wasnt",
            "werent",
            "shouldnt",
            "wouldnt",
            "neither",
            "nor",
            "none",
            "avoid",
            "avoids",
            "avoiding",
            "prevent",
            "prevents",
            "preventing",
            "refrain from",
            "instead of",
        ],
        Role::Negator,
        &[],
    ),
    (
        &["but", "however", "although", "though", "except", "yet"],
        Role::Breaker,
        &[],
    ),
    (
        &[
            "then",
            "and",
            "so",
            "also",
            "afterwards",
            "next",
            "finally",
            "plus",
        ],
        Role::Breaker,
        &[],
    ),
    (
        &[
            "to",
            "be",
            "being",
            "been",
            "the",
            "a",
            "an",
            "any",
            "all",
            "every",
            "ever",
            "really",
            "just",
            "even",
            "actually",
            "accidentally",
            "intentionally",
            "unintentionally",
            "unnecessarily",
            "of",
            "our",
            "their",
            "your",
            "its",
            "my",
            "this",
            "that",
            "these",
            "those",
            "further",
            "again",
        ],
        Role::Modifier,
        &[],
    ),
    // ---- Harm concerns --------------------------------------------------------------------
    (
        &[
            "delete",
            "deletes",
            "deleted",
            "deleting",
            "deletion",
            "erase",
            "erases",
            "erased",
            "erasing",
            "wipe",
            "wipes",
            "wiped",
            "wiping",
            "destroy",
            "destroys",
            "destroyed",
            "destroying",
            "purge",
            "purges",
            "purged",
            "purging",
            "drop table",
            "drop database",
            "truncate",
            "data loss",
            "attack",
            "attacks",
            "attacking",
            "harm",
            "harms",
            "harming",
            "harmful",
            "hurt",
            "hurts",
            "injure",
            "injures",
            "injury",
            "leak",
            "leaks",
            "leaked",
            "leaking",
        ],
        Role::Concern,
        &[(H, HIGH)],
    ),
    (
        &[
            "overwrite",
            "overwrites",
            "overwritten",
            "overwriting",
            "shutdown",
            "shut down",
            "kill",
            "kills",
            "killing",
            "damage",
            "damages",
            "damaging",
            "corrupt",
            "corrupts",
            "corrupting",
            "irreversible",
            "irreversibly",
            "permanently",
            "dump",
            "remove",
            "removes",
            "removed",
            "removing",
            "removal",
        ],
        Role::Concern,
        &[(H, MED)],
    ),
    (
        &[
            "rm rf",
            "format disk",
            "malware",
            "ransomware",
            "virus",
            "steal",
            "steals",
            "stealing",
            "stolen",
            "theft",
            "exfiltrate",
            "exfiltrates",
            "exfiltration",
            "exfiltrating",
        ],
        Role::Concern,
        &[(H, CRIT)],
    ),
    (
        &["exploit", "exploits", "exploiting"],
        Role::Concern,
        &[(H, HIGH), (B, MED)],
    ),
    (
        &[
            "user data",
            "personal data",
            "customer data",
            "user records",
            "user accounts",
            "production database",
            "credentials",
            "passwords",
        ],
        Role::Concern,
        &[(H, LOW), (A, LOW)],
    ),
    // ---- Autonomy concerns ----------------------------------------------------------------
    (
        &[
            "without consent",
            "without their consent",
            "without user consent",
            "without permission",
            "without asking",
            "without authorization",
            "without authorisation",
            "without approval",
            "bypass consent",
            "bypassing consent",
            "ignore consent",
            "override consent",
            "no opt out",
            "coerce",
            "coerces",
            "coerced",
            "coercion",
            "coercing",
        ],
        Role::Concern,
        &[(A, CRIT)],
    ),
    (
        &[
            "bypass",
            "bypasses",
            "bypassing",
            "circumvent",
            "circumvents",
            "circumventing",
        ],
        Role::Concern,
        &[(A, HIGH), (H, MED)],
    ),
    (
        &[
            "force",
            "forced",
            "forces",
            "forcing",
            "forcibly",
            "track users",
            "tracking users",
            "surveillance",
            "auto enroll",
            "auto enrol",
            "automatically enroll",
            "opt out by default",
            "pre checked",
        ],
        Role::Concern,
        &[(A, HIGH)],
    ),
    (
        &[
            "override",
            "overrides",
            "overriding",
            "lock in",
            "lock out",
            "locked out",
        ],
        Role::Concern,
        &[(A, MED)],
    ),
    (
        &[
            "manipulate",
            "manipulates",
            "manipulating",
            "manipulation",
            "manipulative",
        ],
        Role::Concern,
        &[(A, HIGH), (T, MED)],
    ),
    (
        &["dark pattern", "dark patterns"],
        Role::Concern,
        &[(A, HIGH), (T, HIGH)],
    ),
    (
        &["unsolicited"],
        Role::Concern,
        &[(A, HIGH), (B, MED), (H, MED)],
    ),
    (
        &["spam", "spams", "spamming", "spammed"],
        Role::Concern,
        &[(A, HIGH), (B, HIGH), (H, MED)],
    ),
    (
        &[
            "bulk email",
            "bulk emails",
            "bulk mail",
            "bulk mailing",
            "mass email",
            "mass emails",
            "mass mail",
            "mass mailing",
            "bulk message",
            "bulk messages",
            "mass message",
            "mass messages",
            "blast email",
            "email blast",
            "blast",
            "marketing blast",
            "mass marketing",
        ],
        Role::Concern,
        &[(A, MED), (B, MED)],
    ),
    // ---- Fairness concerns ----------------------------------------------------------------
    (
        &[
            "discriminate",
            "discriminates",
            "discriminating",
            "discrimination",
            "discriminatory",
            "based on race",
            "based on gender",
            "based on religion",
            "based on ethnicity",
            "based on age",
            "based on nationality",
            "based on disability",
            "based on sexual orientation",
            "racial profiling",
            "redlining",
        ],
        Role::Concern,
        &[(F, CRIT)],
    ),
    (
        &[
            "bias",
            "biased",
            "unfair",
            "unfairly",
            "unequal",
            "segregate",
            "segregation",
            "favoritism",
            "favouritism",
            "profiling",
        ],
        Role::Concern,
        &[(F, HIGH)],
    ),
    (
        &["exclude", "excludes", "excluding", "exclusion"],
        Role::Concern,
        &[(F, MED)],
    ),
    (
        &["deny service", "refuse service"],
        Role::Concern,
        &[(F, MED), (B, MED)],
    ),
    // ---- Transparency concerns ------------------------------------------------------------
    (
        &[
            "deceive",
            "deceives",
            "deceived",
            "deceiving",
            "deception",
            "deceptive",
        ],
        Role::Concern,
        &[(T, CRIT), (A, MED)],
    ),
    (
        &[
            "without notice",
            "without telling",
            "without disclosure",
            "without informing",
            "without notifying",
        ],
        Role::Concern,
        &[(T, CRIT)],
    ),
    (
        &[
            "mislead",
            "misleads",
            "misleading",
            "misled",
            "lie",
            "lies",
            "lying",
            "conceal",
            "conceals",
            "concealed",
            "concealing",
            "covert",
            "covertly",
            "secret",
            "secretly",
        ],
        Role::Concern,
        &[(T, HIGH)],
    ),
    (
        &[
            "hide",
            "hides",
            "hiding",
            "hidden",
            "obfuscate",
            "obfuscated",
            "obfuscating",
            "silently",
        ],
        Role::Concern,
        &[(T, MED)],
    ),
    (
        &["fake", "faked", "forge", "forged", "falsify", "falsified"],
        Role::Concern,
        &[(T, HIGH), (H, LOW)],
    ),
    (
        &[
            "impersonate",
            "impersonates",
            "impersonating",
            "impersonation",
        ],
        Role::Concern,
        &[(T, CRIT), (H, MED)],
    ),
    (&["phishing"], Role::Concern, &[(T, CRIT), (H, HIGH)]),
    // ---- Beneficence concerns -------------------------------------------------------------
    (
        &["scam", "scams", "fraud", "fraudulent"],
        Role::Concern,
        &[(B, CRIT), (T, HIGH), (H, HIGH)],
    ),
    (
        &["clickbait", "addictive"],
        Role::Concern,
        &[(B, MED), (T, MED)],
    ),
    (&["waste", "wasteful"], Role::Concern, &[(B, LOW)]),
    // ---- Support ----------------------------------------------------------------------------
    (
        &[
            "read", "reads", "reading", "view", "views", "viewing", "fetch", "query", "inspect",
            "display", "show",
        ],
        Role::Support,
        &[(H, MED)],
    ),
    (
        &[
            "read only",
            "dry run",
            "preview",
            "simulate",
            "backup",
            "backups",
            "back up",
            "restore",
            "restores",
            "restoring",
            "archive",
            "reversible",
            "undo",
            "rollback",
            "roll back",
        ],
        Role::Support,
        &[(H, HIGH)],
    ),
    (
        &[
            "report",
            "reports",
            "reporting",
            "summary",
            "summarize",
            "summarise",
        ],
        Role::Support,
        &[(T, LOW), (B, LOW)],
    ),
    (
        &[
            "consent",
            "consented",
            "opt in",
            "opted in",
            "permission",
            "authorized",
            "authorised",
            "user requested",
            "requested by the user",
            "on request",
        ],
        Role::Support,
        &[(A, MED)],
    ),
    (
        &["opt out", "unsubscribe", "unsubscribed", "choice"],
        Role::Support,
        &[(A, LOW)],
    ),
    (
        &[
            "fair",
            "fairly",
            "equal",
            "equally",
            "equitable",
            "unbiased",
            "impartial",
            "inclusive",
            "accessible",
            "accessibility",
            "nondiscriminatory",
        ],
        Role::Support,
        &[(F, MED)],
    ),
    (
        &[
            "disclose",
            "disclosed",
            "disclosure",
            "explain",
            "explains",
            "explained",
            "notify",
            "notifies",
            "notified",
            "notification",
            "inform",
            "informed",
            "transparent",
            "transparently",
            "logged",
            "audited",
            "documented",
        ],
        Role::Support,
        &[(T, MED)],
    ),
    (
        &[
            "help",
            "helps",
            "helping",
            "helpful",
            "improve",
            "improves",
            "improving",
            "improvement",
            "benefit",
            "benefits",
            "beneficial",
            "assist",
            "assists",
            "support",
            "supports",
            "fix",
            "fixes",
            "repair",
            "wellbeing",
            "safety",
        ],
        Role::Support,
        &[(B, MED)],
    ),
    (
        &["protect", "protects", "protecting", "protection", "secure"],
        Role::Support,
        &[(B, MED), (H, LOW)],
    ),
    // ---- Oversight: what a human oversees the agent through, and what switches it off ---------
    (
        &[
            "audit",
            "audit log",
            "audit logs",
            "audit trail",
            "audit trails",
            "audit record",
            "audit records",
        ],
        Role::Oversight,
        &[(T, MED)],
    ),
    (
        &[
            "log",
            "logs",
            "logging",
            "monitoring",
            "monitor",
            "monitors",
            "oversight",
            "review",
            "reviews",
            "review history",
            "history",
            "evidence",
            "records",
            "telemetry",
            "alerts",
            "alerting",
            "safeguard",
            "safeguards",
            "guardrail",
            "guardrails",
            "safety checks",
        ],
        Role::Oversight,
        &[],
    ),
    (
        &[
            "disable",
            "disables",
            "disabled",
            "disabling",
            "turn off",
            "turns off",
            "turning off",
            "switch off",
            "switches off",
            "clear",
            "clears",
            "cleared",
            "clearing",
            "tamper",
            "tamper with",
            "tampers with",
            "tampering",
            "tampering with",
            "alter",
            "alters",
            "altered",
            "altering",
            "rewrite",
            "rewrites",
            "backdate",
            "silence",
            "suppress",
            "suppresses",
            "stop",
            "stops",
            "skip",
            "skips",
            "skipping",
            "evade",
            "evades",
            "evading",
        ],
        Role::Suppressor,
        &[],
    ),
];

/// Concern and support terms that are nouns or adjectives: inside a negator's object they are
/// negated with it ("prevent *data loss*"), where a predicate term (any term not listed here)
/// ends the negator's scope. A term missing from this list is treated as a predicate, the side
/// that keeps a concern.
pub const NOMINALS: &[&str] = &[
    "deletion",
    "data loss",
    "harm",
    "harmful",
    "injury",
    "malware",
    "ransomware",
    "virus",
    "theft",
    "exfiltration",
    "removal",
    "damage",
    "irreversible",
    "user data",
    "personal data",
    "customer data",
    "user records",
    "user accounts",
    "production database",
    "credentials",
    "passwords",
    "coercion",
    "surveillance",
    "manipulation",
    "manipulative",
    "dark pattern",
    "dark patterns",
    "unsolicited",
    "spam",
    "bulk email",
    "bulk emails",
    "mass email",
    "mass emails",
    "discrimination",
    "discriminatory",
    "bias",
    "biased",
    "unfair",
    "unequal",
    "segregation",
    "favoritism",
    "favouritism",
    "profiling",
    "racial profiling",
    "redlining",
    "exclusion",
    "deception",
    "deceptive",
    "secret",
    "covert",
    "hidden",
    "fake",
    "impersonation",
    "phishing",
    "scam",
    "scams",
    "fraud",
    "fraudulent",
    "clickbait",
    "addictive",
    "waste",
    "wasteful",
    "backup",
    "backups",
    "consent",
    "permission",
    "choice",
    "safety",
    "wellbeing",
    "protection",
    "disclosure",
    "notification",
    "audit trail",
    "report",
    "reports",
    "summary",
    "preview",
    "dry run",
    "read only",
    "rollback",
    "undo",
    "accessibility",
    "improvement",
    "benefit",
    "benefits",
];

/// Concern terms that also suppress oversight when an oversight term is their object ("delete
/// the audit trail"): they destroy, overwrite, hide or route around what they act on.
pub const SUPPRESSING_CONCERNS: &[&str] = &[
    "delete",
    "deletes",
    "deleted",
    "deleting",
    "erase",
    "erases",
    "erased",
    "erasing",
    "wipe",
    "wipes",
    "wiped",
    "wiping",
    "destroy",
    "destroys",
    "destroyed",
    "destroying",
    "purge",
    "purges",
    "purged",
    "purging",
    "truncate",
    "overwrite",
    "overwrites",
    "overwriting",
    "remove",
    "removes",
    "removed",
    "removing",
    "corrupt",
    "corrupts",
    "corrupting",
    "kill",
    "kills",
    "killing",
    "shutdown",
    "shut down",
    "bypass",
    "bypasses",
    "bypassing",
    "circumvent",
    "circumvents",
    "circumventing",
    "hide",
    "hides",
    "hiding",
    "conceal",
    "conceals",
    "concealing",
    "falsify",
    "falsified",
    "forge",
    "fake",
];

/// Identifier of a word that occurs in some lexicon phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct WordId(pub u32);

/// Identifier of a node of the phrase trie (0 is the root).
type NodeId = u32;

/// A small, fixed (hence deterministic) multiplicative hasher for short keys: words and
/// `(node, word)` pairs. Not DoS-resistant, which is fine: keys come from the fixed lexicon, and
/// input words are only looked up, never inserted.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }

    fn write_u64(&mut self, n: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Longest word, in bytes (lower-cased UTF-8), that can be a lexicon word.
pub(crate) const MAX_WORD: usize = 24;

/// A word of at most [`MAX_WORD`] bytes, zero-padded into three machine words: hashing and
/// comparing it costs a few integer operations. Words never contain NUL, so padding is
/// unambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordKey([u64; 3]);

impl WordKey {
    /// The key of a zero-padded word buffer.
    pub fn from_padded(buf: &[u8; MAX_WORD]) -> Self {
        let mut words = [0u64; 3];
        for (w, chunk) in words.iter_mut().zip(buf.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *w = u64::from_le_bytes(b);
        }
        Self(words)
    }

    /// The key of a word, or `None` if it is longer than [`MAX_WORD`].
    pub fn new(word: &str) -> Option<Self> {
        let bytes = word.as_bytes();
        let mut buf = [0u8; MAX_WORD];
        buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(Self::from_padded(&buf))
    }

    fn hash(self) -> u64 {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let [a, b, c] = self.0;
        ((a.wrapping_mul(K) ^ b).rotate_left(29).wrapping_mul(K) ^ c).wrapping_mul(K)
    }
}

/// Open-addressing table from word keys to ids, at most half full.
struct WordTable {
    slots: Vec<Option<(WordKey, WordId)>>,
    mask: usize,
}

impl WordTable {
    fn with_words(words: &[(WordKey, WordId)]) -> Self {
        let size = (words.len() * 2).next_power_of_two().max(16);
        let mut table = Self {
            slots: vec![None; size],
            mask: size - 1,
        };
        for &(key, id) in words {
            let mut i = table.index(key);
            while table.slots[i].is_some() {
                i = (i + 1) & table.mask;
            }
            table.slots[i] = Some((key, id));
        }
        table
    }

    fn index(&self, key: WordKey) -> usize {
        (key.hash() >> 32) as usize & self.mask
    }

    fn get(&self, key: WordKey) -> Option<WordId> {
        let mut i = self.index(key);
        while let Some((k, id)) = self.slots[i] {
            if k == key {
                return Some(id);
            }
            i = (i + 1) & self.mask;
        }
        None
    }
}

/// The compiled lexicon: a word table and a trie of phrases over word ids.
///
/// Matching walks the trie from each word position and keeps the longest phrase found
/// (leftmost-longest, non-overlapping); phrases have at most a handful of words, so the walk is
/// O(1) per word.
pub(crate) struct Lexicon {
    /// All terms; a trie node's `terminal` indexes into this.
    pub terms: Vec<Term>,
    words: WordTable,
    /// Trie edges keyed by [`edge_key`].
    edges: FastMap<u64, NodeId>,
    terminal: Vec<Option<u32>>,
}

impl Lexicon {
    /// The id of a lower-cased word, if any phrase uses it.
    pub fn word_key(&self, key: WordKey) -> Option<WordId> {
        self.words.get(key)
    }

    /// The id of a lower-cased word given as text, if any phrase uses it.
    #[cfg(test)]
    pub fn word(&self, word: &str) -> Option<WordId> {
        WordKey::new(word).and_then(|k| self.word_key(k))
    }

    /// The longest phrase starting at `words[0]`: `(term index, number of words)`.
    pub fn longest_match(
        &self,
        words: impl Iterator<Item = Option<WordId>>,
    ) -> Option<(usize, usize)> {
        let mut node: NodeId = 0;
        let mut best = None;
        for (depth, word) in words.enumerate() {
            let Some(next) = word.and_then(|w| self.edges.get(&edge_key(node, w))) else {
                break;
            };
            node = *next;
            if let Some(term) = self.terminal[node as usize] {
                best = Some((term as usize, depth + 1));
            }
        }
        best
    }
}

/// One integer key per trie edge: hashing it is a single multiply.
fn edge_key(node: NodeId, word: WordId) -> u64 {
    (u64::from(node) << 32) | u64::from(word.0)
}

fn build() -> Lexicon {
    let terms: Vec<Term> = GROUPS
        .iter()
        .flat_map(|(phrases, role, effects)| {
            phrases.iter().map(move |phrase| Term {
                phrase,
                role: *role,
                nominal: *role == Role::Oversight || NOMINALS.contains(phrase),
                suppresses: *role == Role::Suppressor || SUPPRESSING_CONCERNS.contains(phrase),
                attacked: match role {
                    Role::Oversight if ROUTINE_RECORDS.contains(phrase) => AGAINST_RECORDS,
                    Role::Oversight => AGAINST_OVERSIGHT,
                    _ => &[],
                },
                effects,
            })
        })
        .collect();
    let mut words: FastMap<&'static str, WordId> = FastMap::default();
    let mut edges: FastMap<u64, NodeId> = FastMap::default();
    let mut terminal: Vec<Option<u32>> = vec![None];
    for (index, term) in terms.iter().enumerate() {
        let mut node: NodeId = 0;
        for w in term.phrase.split(' ') {
            let next_word = WordId(u32::try_from(words.len()).unwrap_or(u32::MAX));
            let id = *words.entry(w).or_insert(next_word);
            let next_node = NodeId::try_from(terminal.len()).unwrap_or(NodeId::MAX);
            node = *edges.entry(edge_key(node, id)).or_insert_with(|| {
                terminal.push(None);
                next_node
            });
        }
        // First phrase wins on duplicates (a test forbids them).
        let slot = &mut terminal[node as usize];
        if slot.is_none() {
            *slot = u32::try_from(index).ok();
        }
    }
    let keyed: Vec<(WordKey, WordId)> = words
        .iter()
        .map(|(w, id)| {
            // Lexicon words are short ASCII; a test checks every one fits.
            (WordKey::new(w).unwrap_or(WordKey([u64::MAX; 3])), *id)
        })
        .collect();
    Lexicon {
        terms,
        words: WordTable::with_words(&keyed),
        edges,
        terminal,
    }
}

/// The lexicon, compiled once per process.
pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(build);

#[cfg(all(test, not(loom)))]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn phrases_are_normalised_and_unique() {
        let mut seen = HashSet::new();
        for term in &LEXICON.terms {
            assert!(
                seen.insert(term.phrase),
                "duplicate phrase {:?}",
                term.phrase
            );
            assert!(!term.phrase.is_empty());
            assert!(
                term.phrase.split(' ').all(|w| !w.is_empty()
                    && w.len() <= MAX_WORD
                    && w.bytes().all(|b| b.is_ascii_lowercase())),
                "phrase {:?} is not normalised",
                term.phrase
            );
        }
    }

    #[test]
    fn concern_and_support_terms_have_effects() {
        for term in &LEXICON.terms {
            match term.role {
                Role::Concern | Role::Support => assert!(!term.effects.is_empty()),
                Role::Oversight => {}
                Role::Negator | Role::Breaker | Role::Modifier | Role::Suppressor => {
                    assert!(term.effects.is_empty());
                }
            }
        }
    }

    #[test]
    fn longest_phrase_is_found() {
        let lx = &*LEXICON;
        let ids =
            |text: &str| -> Vec<Option<WordId>> { text.split(' ').map(|w| lx.word(w)).collect() };
        let (term, len) = lx
            .longest_match(ids("without consent here").into_iter())
            .unwrap_or_else(|| panic!("no match"));
        assert_eq!((lx.terms[term].phrase, len), ("without consent", 2));
        let (term, len) = lx
            .longest_match(ids("without reason").into_iter())
            .unwrap_or_else(|| panic!("no match"));
        assert_eq!((lx.terms[term].phrase, len), ("without", 1));
        assert_eq!(lx.longest_match(ids("harmony").into_iter()), None);
        // "drop" alone is no term, only the start of "drop table".
        assert_eq!(lx.longest_match(ids("drop it").into_iter()), None);
    }

    #[test]
    fn every_term_matches_itself() {
        let lx = &*LEXICON;
        for term in &lx.terms {
            let ids: Vec<Option<WordId>> = term.phrase.split(' ').map(|w| lx.word(w)).collect();
            let found = lx.longest_match(ids.iter().copied());
            assert_eq!(
                found.map(|(t, n)| (lx.terms[t].phrase, n)),
                Some((term.phrase, ids.len()))
            );
        }
    }

    #[test]
    fn every_nominal_is_a_concern_or_support_term() {
        for nominal in NOMINALS {
            let term = LEXICON.terms.iter().find(|t| t.phrase == *nominal);
            assert!(
                term.is_some_and(|t| matches!(
                    t.role,
                    Role::Concern | Role::Support | Role::Oversight
                )),
                "{nominal:?} is no concern, support or oversight term"
            );
        }
    }

    #[test]
    fn every_suppressing_concern_is_a_concern_term() {
        for phrase in SUPPRESSING_CONCERNS {
            let term = LEXICON.terms.iter().find(|t| t.phrase == *phrase);
            assert!(
                term.is_some_and(|t| t.role == Role::Concern && t.suppresses),
                "{phrase:?} is no concern term"
            );
        }
    }

    #[test]
    fn hasher_is_deterministic() {
        use std::hash::BuildHasher;
        let b = BuildHasherDefault::<WordHasher>::default();
        assert_eq!(b.hash_one("delete"), b.hash_one("delete"));
        assert_ne!(b.hash_one("delete"), b.hash_one("deletes"));
    }
}
