//! The evidence lexicon: which words and phrases count for or against which dimension.
//!
//! Phrases are written in normalised form (lower case, no apostrophes, words separated by one
//! space; see [`crate::normalize`]), so `"don't"` is written `dont` and `send_bulk_email` matches
//! `bulk email`. Every phrase is matched on whole words only.
//!
//! Roles:
//! - **Concern**: evidence against the listed dimensions (lowers them).
//! - **Support**: evidence for the listed dimensions (raises them); when negated it turns into a
//!   low-severity concern ("no backup", "not transparent").
//! - **Negator**: negates the next concern or support term within [`NEGATION_WINDOW`] words,
//!   unless a clause break (`, . ; : ! ?`) or a breaker word comes first.
//! - **Breaker**: ends the scope of a negator (`but`, `however`, ...).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::dimension::{Dimension, Severity};

/// The number of words that may stand between a negator and the term it negates:
/// "will **not** delete" (0), "does **not** ever permanently delete" (2).
pub const NEGATION_WINDOW: usize = 3;

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
            "audit",
            "audited",
            "audit trail",
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
];

/// The compiled lexicon: the terms and one automaton matching all of them at once.
pub(crate) struct Lexicon {
    /// Terms, indexed by the automaton's pattern id.
    pub terms: Vec<Term>,
    /// Leftmost-longest automaton over `" word  word "`-shaped patterns (see [`crate::normalize`]).
    pub automaton: AhoCorasick,
}

/// Turns `"drop table"` into `" drop  table "`: each word wrapped in single spaces, so matches
/// in the normalised buffer land exactly on word boundaries.
pub(crate) fn pattern_for(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len() * 2 + 2);
    for word in phrase.split(' ') {
        out.push(' ');
        out.push_str(word);
        out.push(' ');
    }
    out
}

fn build() -> Lexicon {
    let terms: Vec<Term> = GROUPS
        .iter()
        .flat_map(|(phrases, role, effects)| {
            phrases.iter().map(move |phrase| Term {
                phrase,
                role: *role,
                effects,
            })
        })
        .collect();
    let patterns: Vec<String> = terms.iter().map(|t| pattern_for(t.phrase)).collect();
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        // Every pattern starts with a space, which is everywhere: a prefilter would only restart
        // the automaton at each word. The plain DFA loop is faster here.
        .prefilter(false)
        .build(&patterns)
        // The patterns are the fixed table above, tested to compile; a failure is a bug here.
        .unwrap_or_else(|e| panic!("lexicon automaton must build: {e}"));
    Lexicon { terms, automaton }
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
                term.phrase
                    .split(' ')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
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
                Role::Negator | Role::Breaker => assert!(term.effects.is_empty()),
            }
        }
    }

    #[test]
    fn pattern_wraps_every_word() {
        assert_eq!(pattern_for("drop table"), " drop  table ");
        assert_eq!(pattern_for("not"), " not ");
    }
}
