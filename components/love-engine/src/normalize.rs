//! One-pass word tokenisation for lexicon matching.
//!
//! A field's text is split into words and clause marks in one pass; each word is folded into a
//! small stack buffer and looked up once in the lexicon's word table, so a word costs one hash
//! probe and nothing is allocated for ASCII text. Every character is read through the shared
//! matching fold of the `aegis-text` crate (the firewall's normalisation): NFKD, case folding,
//! accents stripped, look-alikes folded (fullwidth `ＤＥＬＥＴＥ`, Cyrillic `dеlete` and leet
//! `d3lete` all read `delete`). Rules:
//! - an invisible character (zero-width space, joiner, soft hyphen, other format characters and
//!   controls) is removed and does **not** break the word: `with\u{200B}out` reads `without`;
//! - a character that folds to letters or digits is part of the word;
//! - an apostrophe (`'` or `’`) between two word characters is dropped (`don't` reads `dont`);
//! - clause punctuation (`, . ; : ! ?`) becomes a clause mark, which ends a negator's scope;
//! - everything else (spaces, `_`, `-`, `/`, quotes, ...) only separates words, so
//!   `send_bulk_email` reads as the three words `send bulk email`.
//!
//! Each token remembers its byte span in the original text, so evidence can point at the
//! original words.

use crate::lexicon::{MAX_WORD, WordId, WordKey};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A word of the lexicon.
    Known(WordId),
    /// Any other word.
    Other,
    /// Clause punctuation.
    ClauseMark,
}

/// One token and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its first byte in the original text.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
}

/// A reusable token buffer.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// The tokens of the last text filled in, in order.
    pub tokens: Vec<Token>,
}

/// For each byte: its folded form (lower case, look-alikes folded as by
/// [`aegis_text::fold_lookalike`]) if it is an ASCII letter or digit, `0` otherwise.
static ASCII_WORD: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            // The fold maps ASCII to ASCII, so the cast is lossless.
            table[b] = aegis_text::fold_lookalike(c.to_ascii_lowercase() as char) as u8;
        }
        b += 1;
    }
    table
};

/// What one original character is to the tokeniser after the shared fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Folded {
    /// Invisible: removed, the word goes on.
    Nothing,
    /// Letters or digits to append to the current word (`len` bytes of `bytes`).
    Word { bytes: [u8; 16], len: usize },
    /// Clause punctuation.
    ClauseMark,
    /// Anything else: a word separator.
    Separator,
}

/// Folds one character that is not an ASCII letter or digit.
fn fold(ch: char) -> Folded {
    let mut out = Folded::Nothing;
    let mut bytes = [0u8; 16];
    let mut len = 0usize;
    aegis_text::fold_char(ch, |f| {
        if f.is_alphanumeric() {
            let mut tmp = [0u8; 4];
            for &b in f.encode_utf8(&mut tmp).as_bytes() {
                if len < bytes.len() {
                    bytes[len] = b;
                }
                len += 1;
            }
            if out == Folded::Nothing {
                out = Folded::Word { bytes, len: 0 };
            }
        } else if matches!(f, ',' | '.' | ';' | ':' | '!' | '?') {
            out = Folded::ClauseMark;
        } else if !matches!(out, Folded::ClauseMark) {
            out = Folded::Separator;
        }
    });
    match out {
        // An overlong expansion cannot be a lexicon word: keep it a word that never matches.
        Folded::Word { .. } if len > bytes.len() => Folded::Word {
            bytes: [0xFF; 16],
            len: 16,
        },
        Folded::Word { .. } => Folded::Word { bytes, len },
        other => other,
    }
}

/// Lower-cased bytes of the word being read (room for more than [`MAX_WORD`] so the hot loop
/// can write without a length check; anything past [`MAX_WORD`] marks the word as too long).
struct WordBuf {
    bytes: [u8; 32],
    len: usize,
    start: usize,
}

impl WordBuf {
    fn begin(&mut self, at: usize) {
        self.bytes = [0; 32];
        self.len = 0;
        self.start = at;
    }

    fn push(&mut self, b: &[u8]) {
        for &byte in b {
            self.bytes[self.len & 31] = byte;
            self.len += 1;
        }
    }

    fn key(&self) -> Option<WordKey> {
        if self.len > MAX_WORD {
            return None;
        }
        let mut padded = [0u8; MAX_WORD];
        padded.copy_from_slice(&self.bytes[..MAX_WORD]);
        Some(WordKey::from_padded(&padded))
    }
}

impl Tokens {
    /// Tokenises `text` into this buffer, replacing what it held; `lookup` maps a lower-cased
    /// word to its lexicon id.
    pub fn fill(&mut self, text: &str, lookup: impl Fn(WordKey) -> Option<WordId>) {
        self.tokens.clear();
        let bytes = text.as_bytes();
        let mut word = WordBuf {
            bytes: [0; 32],
            len: 0,
            start: 0,
        };
        let mut in_word = false;
        let mut i = 0;
        while i < bytes.len() {
            // Hot loop: a run of ASCII letters and digits.
            let mut lower = ASCII_WORD[usize::from(bytes[i])];
            if lower != 0 {
                if !in_word {
                    in_word = true;
                    word.begin(i);
                }
                while lower != 0 {
                    word.bytes[word.len & 31] = lower;
                    word.len += 1;
                    i += 1;
                    lower = match bytes.get(i) {
                        Some(&b) => ASCII_WORD[usize::from(b)],
                        None => 0,
                    };
                }
                continue;
            }
            let b = bytes[i];
            let (ch, len) = if b < 0x80 {
                (b as char, 1)
            } else {
                // `i` is always on a char boundary: we only ever step by whole chars.
                let ch = text[i..].chars().next().unwrap_or(' ');
                (ch, ch.len_utf8())
            };
            if (ch == '\'' || ch == '\u{2019}') && in_word && next_is_word_char(text, i + len) {
                i += len;
                continue;
            }
            match fold(ch) {
                Folded::Nothing => {}
                Folded::Word {
                    bytes: folded,
                    len: n,
                } => {
                    if !in_word {
                        in_word = true;
                        word.begin(i);
                    }
                    word.push(&folded[..n]);
                }
                mark_or_separator => {
                    if in_word {
                        self.push_word(&word, i, &lookup);
                        in_word = false;
                    }
                    let last_is_mark = self
                        .tokens
                        .last()
                        .is_some_and(|t| t.kind == TokenKind::ClauseMark);
                    if mark_or_separator == Folded::ClauseMark && !last_is_mark {
                        self.tokens.push(Token {
                            kind: TokenKind::ClauseMark,
                            start: i,
                            end: i + len,
                        });
                    }
                }
            }
            i += len;
        }
        if in_word {
            self.push_word(&word, bytes.len(), &lookup);
        }
    }

    fn push_word(
        &mut self,
        word: &WordBuf,
        end: usize,
        lookup: &impl Fn(WordKey) -> Option<WordId>,
    ) {
        let kind = word
            .key()
            .and_then(lookup)
            .map_or(TokenKind::Other, TokenKind::Known);
        self.tokens.push(Token {
            kind,
            start: word.start,
            end,
        });
    }
}

fn next_is_word_char(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(char::is_alphanumeric)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// Tokenises with a lookup that knows every word, and returns the words' original text
    /// (clause marks as `|`).
    fn words(text: &str) -> Vec<String> {
        let mut t = Tokens::default();
        t.fill(text, |_| Some(WordId(0)));
        t.tokens
            .iter()
            .map(|tok| match tok.kind {
                TokenKind::ClauseMark => "|".to_owned(),
                _ => text[tok.start..tok.end].to_owned(),
            })
            .collect()
    }

    fn keys(text: &str) -> Vec<String> {
        let seen = std::cell::RefCell::new(Vec::new());
        let mut t = Tokens::default();
        t.fill(text, |key| {
            seen.borrow_mut().push(key);
            None
        });
        let seen: Vec<String> = seen
            .into_inner()
            .into_iter()
            .map(|k| {
                let found = [
                    "send", "bulk", "email", "dont", "delete", "wont", "users", "data", "loschen",
                    "arger", "without", "consent",
                ];
                found
                    .iter()
                    .find(|w| WordKey::new(w) == Some(k))
                    .map_or_else(|| "?".to_owned(), |w| (*w).to_owned())
            })
            .collect();
        seen
    }

    #[test]
    fn splits_on_separators_and_lowercases_keys() {
        assert_eq!(words("Send_Bulk-EMAIL"), ["Send", "Bulk", "EMAIL"]);
        assert_eq!(keys("Send_Bulk-EMAIL"), ["send", "bulk", "email"]);
    }

    #[test]
    fn drops_inner_apostrophes() {
        assert_eq!(keys("Don't delete"), ["dont", "delete"]);
        assert_eq!(keys("won’t"), ["wont"]);
        assert_eq!(keys("users' data"), ["users", "data"]);
        assert_eq!(words("Don't delete"), ["Don't", "delete"]);
    }

    #[test]
    fn marks_clause_breaks_once() {
        assert_eq!(words("no, delete!!"), ["no", "|", "delete", "|"]);
    }

    #[test]
    fn keeps_non_ascii_letters_in_their_folded_form() {
        assert_eq!(keys("Löschen ÄRGER"), ["loschen", "arger"]);
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        // Failed before the shared fold: the zero-width space split "with" from "out".
        assert_eq!(keys("with\u{200B}out consent"), ["without", "consent"]);
        assert_eq!(
            keys("with\u{00AD}out con\u{2060}sent"),
            ["without", "consent"]
        );
        assert_eq!(words("with\u{200B}out"), ["with\u{200B}out"]);
    }

    #[test]
    fn lookalikes_fold_to_the_letters_they_imitate() {
        assert_eq!(
            keys("ＤＥＬＥＴＥ dеlete d3l3te"),
            ["delete", "delete", "delete"]
        );
    }

    #[test]
    fn overlong_words_are_other_without_lookup() {
        let long = "x".repeat(MAX_WORD + 1);
        assert!(keys(&long).is_empty());
        let mut t = Tokens::default();
        t.fill(&long, |_| Some(WordId(0)));
        assert_eq!(t.tokens[0].kind, TokenKind::Other);
    }
}
