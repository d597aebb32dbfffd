//! Aegis text normalisation: the one path by which the intent firewall and the love engine read text.
//!
//! Two forms (see [`normalize`] for the full rules):
//! - the **canonical form** ([`canonicalize`]): NFKC, invisible characters removed (not turned into word breaks),
//!   case folded, whitespace runs collapsed to one space and trimmed;
//! - the **matching form** ([`normalize`]): the same with NFKD, accents stripped and the documented look-alike
//!   folds ([`fold_lookalike`]: leet digits, Cyrillic, Greek, Armenian and small-capital homoglyphs).
//!
//! Both are idempotent (property tests). [`normalize_both`] writes both forms in one pass for the firewall's hot
//! path; [`fold_char`] is the per-character matching fold for callers that must keep each character's position
//! (the love engine quotes its evidence from the original text).
//!
//! # Example
//! ```
//! assert_eq!(aegis_text::normalize("ＲＭ\u{200B} -RF  ／"), "rm -rf /");
//! assert_eq!(aegis_text::normalize("with\u{200B}out cоnsent"), "without consent"); // zero-width, Cyrillic о
//! assert_eq!(aegis_text::canonicalize(" Straße\u{FEFF} "), "strasse");
//! ```

#![forbid(unsafe_code)]

mod ignorable;
mod lookalike;
mod normalize;

pub use ignorable::is_ignorable;
pub use lookalike::fold_lookalike;
pub use normalize::{canonicalize, fold_char, normalize, normalize_both};
