//! Text normalisation: the two forms every request and pattern is reduced to before it is examined.
//!
//! - The **canonical form** ([`canonicalize`]): Unicode NFKC (fullwidth and other compatibility forms become their
//!   plain equivalents), invisible characters stripped (format characters of category `Cf` such as the zero-width
//!   space, other default-ignorable code points, and control characters other than whitespace), case folded
//!   (Unicode lower case, plus `ß`→`ss` and final `ς`→`σ`), and every run of whitespace collapsed to one ASCII
//!   space with none at either end. Intent extraction reads this form.
//! - The **matching form** ([`normalize`]): the same steps, but with compatibility *decomposition* (NFKD), all
//!   combining marks removed (so `é` reads as `e`), and the look-alike folds of
//!   a documented look-alike table applied (leet digits such as `0`→`o`, and Cyrillic, Greek, Armenian
//!   and small-capital letters that imitate ASCII ones). Patterns and requests are both matched in this form.
//!
//! Both functions are idempotent: normalising a normalised text returns it unchanged. Pure-ASCII input (the common
//! case) takes a single-pass fast path with no Unicode tables; other input is reduced again until it is stable
//! (one or two extra passes at most in practice).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::ignorable::is_ignorable;
use crate::lookalike::fold_lookalike;

/// Returns the matching form of `text`, the form patterns are matched in.
///
/// - The **canonical form** ([`canonicalize`]): Unicode NFKC (fullwidth and other compatibility forms become their
///   plain equivalents), invisible characters stripped (format characters of category `Cf` such as the zero-width
///   space, other default-ignorable code points, and control characters other than whitespace), case folded
///   (Unicode lower case, plus `ß`→`ss` and final `ς`→`σ`), and every run of whitespace collapsed to one ASCII
///   space with none at either end. Intent extraction reads this form.
/// - The **matching form** ([`normalize`]): the same steps, but with compatibility *decomposition* (NFKD), all
///   combining marks removed (so `é` reads as `e`), and the look-alike folds applied, each character to the ASCII
///   letter it imitates: leet `0`→o, `1`→l, `3`→e, `4`→a, `5`→s, `7`→t, `@`→a; Cyrillic
///   а в г е і ј к м н о п р с т у х ь ѕ ԁ һ ӏ ԛ ԝ; Greek α β γ ε η ι κ ν ο ρ σ τ υ χ ω ϲ ϳ; Armenian օ ո ս հ;
///   Latin ı ȷ ɑ ɡ ɩ ɪ ʟ ɴ ʀ and the small capitals ᴀ ᴄ ᴅ ᴇ ᴋ ᴍ ᴏ ᴘ ᴛ ᴜ ᴠ ᴡ ᴢ ꜱ. Patterns and requests are
///   both matched in this form.
///
/// Both functions are idempotent: normalising a normalised text returns it unchanged. Pure-ASCII input (the common
/// case) takes a single-pass fast path with no Unicode tables; other input is reduced again until it is stable
/// (one or two extra passes at most in practice).
///
/// # Example
/// ```
/// use aegis_text::normalize;
/// assert_eq!(normalize("  RM\u{200B} -RF   ／ "), "rm -rf /");
/// assert_eq!(normalize("dr0p tаble"), "drop table"); // leet 0, Cyrillic а
/// ```
#[must_use]
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, Form::Matching, &mut out);
    out
}

/// Returns the canonical form of `text` (see [`normalize`] for both forms).
///
/// # Example
/// ```
/// use aegis_text::canonicalize;
/// assert_eq!(canonicalize("Email  BOB@Example.com\u{FEFF}"), "email bob@example.com");
/// ```
#[must_use]
pub fn canonicalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, Form::Canonical, &mut out);
    out
}

/// Writes both forms of `text` into the two buffers (cleared first), sharing one pass for ASCII input. The
/// matching form is written as bytes (always valid UTF-8) for a byte-oriented matcher; reuse the buffers across
/// calls so the hot path does not allocate.
///
/// # Example
/// ```
/// let (mut canonical, mut matching) = (String::new(), Vec::new());
/// aegis_text::normalize_both("RM\u{200B} -rf /", &mut canonical, &mut matching);
/// assert_eq!(canonical, "rm -rf /");
/// assert_eq!(matching, b"rm -rf /");
/// ```
pub fn normalize_both(text: &str, canonical: &mut String, matching: &mut Vec<u8>) {
    canonical.clear();
    matching.clear();
    if text.is_ascii() {
        ascii_both(text.as_bytes(), canonical, matching);
    } else {
        normalize_into(text, Form::Canonical, canonical);
        let mut owned = String::with_capacity(text.len());
        normalize_into(text, Form::Matching, &mut owned);
        matching.extend_from_slice(owned.as_bytes());
    }
}

/// Feeds the matching form of one character to `emit`: nothing for an invisible character (so a zero-width space
/// inside a word does not split it), one `' '` for whitespace, otherwise the lower-case, accent-free, look-alike
/// folded characters it stands for (a fullwidth `Ｄ` gives `d`, Cyrillic `е` gives `e`, `ß` gives `ss`).
///
/// This is the per-character half of [`normalize`]: for any text, feeding its characters in order and then
/// collapsing whitespace runs and trimming gives `normalize(text)` (a property test checks it). Use it where a
/// caller must keep the position of each original character, as the love engine does to quote its evidence.
///
/// # Example
/// ```
/// let mut word = String::new();
/// for c in "wit\u{200B}hＯut".chars() {
///     aegis_text::fold_char(c, |f| word.push(f));
/// }
/// assert_eq!(word, "without");
/// ```
pub fn fold_char(c: char, mut emit: impl FnMut(char)) {
    if c.is_ascii() {
        match MATCHING_ASCII[usize::from(c as u8)] {
            0 => {}
            b => emit(char::from(b)),
        }
        return;
    }
    if c.is_whitespace() {
        emit(' ');
        return;
    }
    let mut buf = [0u8; 4];
    let mut folded = String::new();
    unicode_pass(c.encode_utf8(&mut buf), Form::Matching, &mut folded);
    let mut next = String::new();
    // As in `normalize_into`: repeat to a fixed point so the per-character fold agrees with the whole-text one.
    for _ in 1..MAX_PASSES {
        if folded.is_ascii() {
            break;
        }
        unicode_pass(&folded, Form::Matching, &mut next);
        if next == folded {
            break;
        }
        std::mem::swap(&mut folded, &mut next);
    }
    folded.chars().for_each(emit);
}

/// Which of the two forms to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// NFKC, strip, case fold, collapse whitespace.
    Canonical,
    /// NFKD, strip marks too, case fold, look-alike folds, collapse whitespace.
    Matching,
}

/// Upper bound on the re-normalisation passes for non-ASCII input; real text is stable after one.
const MAX_PASSES: usize = 4;

/// Writes the `form` of `text` into `out` (cleared first).
pub(crate) fn normalize_into(text: &str, form: Form, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        ascii_one(text.as_bytes(), form, out);
        return;
    }
    unicode_pass(text, form, out);
    // Stripping, case folding and look-alike folds can leave text that one more pass would change (a stripped
    // joiner between a letter and a combining mark, a lower-case letter with a decomposition): repeat to a fixed
    // point so the function is idempotent.
    let mut next = String::new();
    for _ in 1..MAX_PASSES {
        if out.is_ascii() {
            return;
        }
        unicode_pass(out, form, &mut next);
        if next == *out {
            return;
        }
        std::mem::swap(out, &mut next);
    }
}

/// Returns true if and only if the byte is ASCII whitespace in the sense of `char::is_whitespace`.
const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// What each ASCII byte becomes: 0 = stripped (control), `b' '` = whitespace, anything else = the output byte.
const fn ascii_table(form: Form) -> [u8; 128] {
    let mut table = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        table[b as usize] = if is_ascii_space(b) {
            b' '
        } else if b < 0x20 || b == 0x7F {
            0
        } else {
            let lower = b.to_ascii_lowercase();
            match form {
                Form::Canonical => lower,
                // `fold_lookalike` maps ASCII to ASCII, so the cast is lossless.
                Form::Matching => fold_lookalike(lower as char) as u8,
            }
        };
        b += 1;
    }
    table
}

/// The canonical form of each ASCII byte (see [`ascii_table`]).
const CANONICAL_ASCII: [u8; 128] = ascii_table(Form::Canonical);
/// The matching form of each ASCII byte (see [`ascii_table`]).
const MATCHING_ASCII: [u8; 128] = ascii_table(Form::Matching);

/// 1 for each ASCII byte that cannot appear in canonical text whatever its neighbours (a control character, or
/// whitespace other than the plain space), else 0.
const UNCLEAN_ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        let class = CANONICAL_ASCII[b as usize];
        table[b as usize] = (class == 0 || (class == b' ' && b != b' ')) as u8;
        b += 1;
    }
    table
};

/// Pure-ASCII input to both forms. Text that is already clean (no control characters, single spaces only, none at
/// the ends; the usual case) is copied and lower-cased in bulk; other text takes the byte-by-byte table path. The
/// matching form is then the canonical one mapped byte by byte.
fn ascii_both(bytes: &[u8], canonical: &mut String, matching: &mut Vec<u8>) {
    // One pass checks that the text is clean and writes its matching form (the matching table maps an ASCII byte
    // and its lower-case form alike, so for clean text it equals the canonical form mapped byte by byte).
    // `previous_space` starts at 1 so a leading space counts as unclean, like a doubled one.
    let mut previous_space = 1u8;
    let mut unclean = 0u8;
    matching.extend(bytes.iter().map(|&b| {
        let index = usize::from(b & 0x7F);
        let space = u8::from(b == b' ');
        unclean |= UNCLEAN_ASCII[index] | (previous_space & space);
        previous_space = space;
        MATCHING_ASCII[index]
    }));
    let clean = unclean == 0 && (previous_space == 0 || bytes.is_empty());
    match std::str::from_utf8(bytes) {
        Ok(text) if clean => {
            canonical.push_str(text);
            canonical.make_ascii_lowercase();
        }
        _ => {
            ascii_one(bytes, Form::Canonical, canonical);
            matching.clear();
            matching.extend(
                canonical
                    .bytes()
                    .map(|b| MATCHING_ASCII[usize::from(b & 0x7F)]),
            );
        }
    }
}

/// Returns true if and only if ASCII `bytes` are already in canonical form apart from letter case.
fn is_clean_ascii(bytes: &[u8]) -> bool {
    let mut previous_space = true;
    for &b in bytes {
        let class = CANONICAL_ASCII[usize::from(b & 0x7F)];
        let space = class == b' ';
        if class == 0 || (space && (previous_space || b != b' ')) {
            return false;
        }
        previous_space = space;
    }
    !previous_space || bytes.is_empty()
}

/// One table-driven pass over pure-ASCII input producing one form.
fn ascii_one(bytes: &[u8], form: Form, out: &mut String) {
    let table = match form {
        Form::Canonical => &CANONICAL_ASCII,
        Form::Matching => &MATCHING_ASCII,
    };
    out.reserve(bytes.len());
    if is_clean_ascii(bytes) {
        // Already canonical apart from case: map each byte (ASCII stays ASCII).
        out.extend(
            bytes
                .iter()
                .map(|&b| char::from(table[usize::from(b & 0x7F)])),
        );
        return;
    }
    let mut pending_space = false;
    for &b in bytes {
        match table[usize::from(b & 0x7F)] {
            0 => {}
            b' ' => pending_space = !out.is_empty(),
            c => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(char::from(c));
            }
        }
    }
}

/// Emits characters into the output, collapsing whitespace runs and trimming both ends.
struct Emitter<'a> {
    out: &'a mut String,
    pending_space: bool,
    form: Form,
}

impl Emitter<'_> {
    fn space(&mut self) {
        self.pending_space = !self.out.is_empty();
    }

    fn visible(&mut self, c: char) {
        if is_ignorable(c) || (self.form == Form::Matching && is_combining_mark(c)) {
            return;
        }
        for lower in c.to_lowercase() {
            match lower {
                'ß' => {
                    self.push('s');
                    self.push('s');
                }
                'ς' => self.push('σ'),
                other => self.push(other),
            }
        }
    }

    fn push(&mut self, c: char) {
        let c = match self.form {
            Form::Canonical => c,
            Form::Matching if is_combining_mark(c) || is_ignorable(c) => return,
            Form::Matching => fold_lookalike(c),
        };
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push(c);
    }

    fn feed(&mut self, c: char) {
        if c.is_whitespace() {
            self.space();
        } else {
            self.visible(c);
        }
    }
}

/// One full Unicode pass of `form` over `text` into `out` (cleared first).
fn unicode_pass(text: &str, form: Form, out: &mut String) {
    out.clear();
    let mut emitter = Emitter {
        out,
        pending_space: false,
        form,
    };
    match form {
        Form::Canonical => text.nfkc().for_each(|c| emitter.feed(c)),
        Form::Matching => text.nfkd().for_each(|c| emitter.feed(c)),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_fullwidth_forms() {
        assert_eq!(normalize("ｒｍ　－ｒｆ　／"), "rm -rf /");
        assert_eq!(canonicalize("ＤＲＯＰ　ＴＡＢＬＥ"), "drop table");
    }

    #[test]
    fn strips_zero_width_characters_inside_words() {
        assert_eq!(normalize("r\u{200B}m -r\u{200D}f /"), "rm -rf /");
        assert_eq!(normalize("mk\u{00AD}fs"), "mkfs");
    }

    #[test]
    fn zero_width_between_spaces_does_not_split_the_run() {
        assert_eq!(normalize("rm \u{200B} -rf"), "rm -rf");
    }

    #[test]
    fn collapses_and_trims_whitespace() {
        assert_eq!(normalize("\t rm \n\n  -rf\u{3000}/  "), "rm -rf /");
        assert_eq!(normalize("a\u{0B}b"), "a b");
    }

    #[test]
    fn case_folds_including_sharp_s() {
        assert_eq!(canonicalize("STRAẞE Straße"), "strasse strasse");
    }

    #[test]
    fn matching_form_removes_accents_but_canonical_keeps_them() {
        assert_eq!(normalize("délète"), "delete");
        assert_eq!(canonicalize("délète"), "délète");
    }

    #[test]
    fn matching_form_folds_lookalikes_and_canonical_does_not() {
        assert_eq!(normalize("ѕudо rm"), "sudo rm");
        assert_eq!(canonicalize("a@b.com"), "a@b.com");
        assert_eq!(normalize("a@b.com"), "aab.com");
    }

    #[test]
    fn strips_control_characters() {
        assert_eq!(normalize("r\u{0}m\u{7F} -rf"), "rm -rf");
    }

    #[test]
    fn only_invisible_input_becomes_empty() {
        assert_eq!(normalize("\u{200B}\u{FEFF}  \u{2060}"), "");
    }

    #[test]
    fn both_forms_agree_with_the_single_form_functions() {
        let (mut c, mut m) = (String::new(), Vec::new());
        for text in [
            "Hello  World",
            "ｒｍ -rf ／",
            "Dr0p\u{200B} TABLE",
            "",
            " a\u{1}b\tC ",
            "\t\n",
        ] {
            normalize_both(text, &mut c, &mut m);
            assert_eq!(c, canonicalize(text));
            assert_eq!(m, normalize(text).into_bytes());
        }
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(text in any::<String>()) {
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn canonicalize_is_idempotent(text in any::<String>()) {
            let once = canonicalize(&text);
            prop_assert_eq!(canonicalize(&once), once);
        }

        #[test]
        fn normalize_is_idempotent_on_mixed_script_text(text in "[a-zA-Z0-9 \\-/\u{0300}-\u{036F}\u{0400}-\u{04FF}\u{0370}-\u{03FF}\u{200B}-\u{200F}\u{FF01}-\u{FF5E}\u{00C0}-\u{024F}]{0,40}") {
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once.clone());
            let canon = canonicalize(&text);
            prop_assert_eq!(canonicalize(&canon), canon);
        }

        #[test]
        fn ascii_fast_path_equals_the_unicode_path(text in "[ -~\t\n\r\u{0B}\u{0C}\u{0}-\u{1F}]{0,60}") {
            let mut fast = String::new();
            ascii_one(text.as_bytes(), Form::Matching, &mut fast);
            let mut slow = String::new();
            unicode_pass(&text, Form::Matching, &mut slow);
            prop_assert_eq!(&fast, &slow);
            fast.clear();
            ascii_one(text.as_bytes(), Form::Canonical, &mut fast);
            unicode_pass(&text, Form::Canonical, &mut slow);
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn both_forms_at_once_equal_each_form_alone(text in "[ -~\t\n\r\u{0B}\u{0}-\u{1F}\u{7F}é\u{200B}]{0,60}") {
            let (mut c, mut m) = (String::new(), Vec::new());
            normalize_both(&text, &mut c, &mut m);
            prop_assert_eq!(&c, &canonicalize(&text));
            prop_assert_eq!(m, normalize(&text).into_bytes());
        }

        #[test]
        fn per_character_fold_agrees_with_normalize(text in "[ -~\t\né\u{200B}\u{FEFF}\u{00AD}ßΣς\u{0400}-\u{04FF}\u{FF01}-\u{FF5E}\u{0300}-\u{036F}\u{3000}]{0,40}") {
            let mut folded = String::new();
            text.chars().for_each(|c| fold_char(c, |f| folded.push(f)));
            prop_assert_eq!(normalize(&folded), normalize(&text));
        }

        #[test]
        fn output_has_no_double_or_edge_spaces(text in any::<String>()) {
            let out = normalize(&text);
            prop_assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "));
        }
    }
}
