//! One-pass text normalisation for lexicon matching.
//!
//! The normalised form wraps every word in single spaces (`" send  bulk  email "`), so a lexicon
//! pattern such as `" bulk  email "` can only match whole words, and adjacent matches never
//! overlap. Rules, applied in one pass over the input:
//! - ASCII letters are lower-cased; other alphabetic or numeric characters are lower-cased and kept;
//! - an apostrophe (`'` or `’`) between two word characters is dropped (`don't` becomes `dont`);
//! - clause punctuation (`, . ; : ! ?`) becomes the word `|`, which ends a negator's scope;
//! - everything else (spaces, `_`, `-`, `/`, quotes, ...) only separates words.
//!
//! Each word remembers its byte span in the original text, so evidence can quote the original.

/// Where one normalised word came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordSpan {
    /// Offset of the word's leading space in the normalised buffer.
    pub norm: usize,
    /// Byte range of the word in the original text.
    pub orig_start: usize,
    /// End (exclusive) of the word in the original text.
    pub orig_end: usize,
}

/// A reusable normalisation buffer.
#[derive(Debug, Default)]
pub(crate) struct Normalized {
    /// The normalised bytes (valid UTF-8).
    pub buf: Vec<u8>,
    /// Every word (and clause marker) in order.
    pub words: Vec<WordSpan>,
}

const CLAUSE_MARK: u8 = b'|';

impl Normalized {
    /// Normalises `text` into this buffer, replacing what it held.
    pub fn fill(&mut self, text: &str) {
        self.buf.clear();
        self.words.clear();
        let bytes = text.as_bytes();
        let mut in_word = false;
        let mut i = 0;
        self.buf.reserve(bytes.len() * 2 + 4);
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_alphanumeric() {
                // Copy the whole ASCII run at once.
                self.start_word(&mut in_word, i);
                let mut end = i + 1;
                while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                    end += 1;
                }
                let from = self.buf.len();
                self.buf.extend_from_slice(&bytes[i..end]);
                self.buf[from..].make_ascii_lowercase();
                i = end;
                continue;
            }
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
            if ch.is_alphanumeric() {
                self.start_word(&mut in_word, i);
                let mut tmp = [0u8; 4];
                for lower in ch.to_lowercase() {
                    self.buf
                        .extend_from_slice(lower.encode_utf8(&mut tmp).as_bytes());
                }
            } else {
                self.end_word(&mut in_word, i);
                if matches!(ch, ',' | '.' | ';' | ':' | '!' | '?') && !self.last_is_mark() {
                    self.words.push(WordSpan {
                        norm: self.buf.len(),
                        orig_start: i,
                        orig_end: i + len,
                    });
                    self.buf.extend_from_slice(b" | ");
                }
            }
            i += len;
        }
        self.end_word(&mut in_word, bytes.len());
    }

    fn start_word(&mut self, in_word: &mut bool, at: usize) {
        if !*in_word {
            self.words.push(WordSpan {
                norm: self.buf.len(),
                orig_start: at,
                orig_end: at,
            });
            self.buf.push(b' ');
            *in_word = true;
        }
    }

    fn end_word(&mut self, in_word: &mut bool, at: usize) {
        if *in_word {
            self.buf.push(b' ');
            if let Some(last) = self.words.last_mut() {
                last.orig_end = at;
            }
            *in_word = false;
        }
    }

    fn last_is_mark(&self) -> bool {
        self.buf.len() >= 2 && self.buf[self.buf.len() - 2] == CLAUSE_MARK
    }

    /// The original byte range covered by the normalised match `[start, end)`.
    ///
    /// `start` must be the leading space of a word and `end` the trailing space of a word + 1, as
    /// every lexicon match is.
    pub fn original_span(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let first = self.words.partition_point(|w| w.norm < start);
        let last = self
            .words
            .partition_point(|w| w.norm < end)
            .saturating_sub(1);
        match (self.words.get(first), self.words.get(last)) {
            (Some(a), Some(b)) => a.orig_start..b.orig_end,
            _ => 0..0,
        }
    }
}

fn next_is_word_char(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(char::is_alphanumeric)
}

/// Returns true if and only if the negator ending at `from` still reaches a term starting at `to`:
/// at most `window` words between them and no clause mark.
///
/// Cost: at most `window + 1` words of the gap are read.
pub(crate) fn within_window(buf: &[u8], from: usize, to: usize, window: usize) -> bool {
    let Some(gap) = buf.get(from..to) else {
        return false;
    };
    let mut spaces = 0usize;
    for &b in gap {
        match b {
            CLAUSE_MARK => return false,
            b' ' => {
                spaces += 1;
                if spaces / 2 > window {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        let mut n = Normalized::default();
        n.fill(text);
        String::from_utf8(n.buf).unwrap_or_default()
    }

    #[test]
    fn wraps_words_and_lowercases() {
        assert_eq!(norm("Send_Bulk-EMAIL"), " send  bulk  email ");
    }

    #[test]
    fn drops_inner_apostrophes() {
        assert_eq!(norm("Don't delete"), " dont  delete ");
        assert_eq!(norm("won’t"), " wont ");
        assert_eq!(norm("users' data"), " users  data ");
    }

    #[test]
    fn marks_clause_breaks_once() {
        assert_eq!(norm("no, delete!!"), " no  |  delete  | ");
    }

    #[test]
    fn keeps_non_ascii_letters() {
        assert_eq!(norm("Löschen ÄRGER"), " löschen  ärger ");
    }

    #[test]
    fn maps_back_to_original_span() {
        let text = "please Drop   the Table";
        let mut n = Normalized::default();
        n.fill(text);
        // " please  drop  the  table ": "drop  the" spans from the 'D' to the 'e' of "the".
        let start = n.words[1].norm;
        let end = n.words[2].norm + " the ".len();
        assert_eq!(&text[n.original_span(start, end)], "Drop   the");
    }

    #[test]
    fn window_counts_words_and_stops_at_marks() {
        let mut n = Normalized::default();
        n.fill("not a b c delete");
        let from = n.words[0].norm + " not ".len();
        assert!(within_window(&n.buf, from, n.words[4].norm, 3));
        assert!(!within_window(&n.buf, from, n.words[4].norm, 2));
        n.fill("not, delete");
        let from = n.words[0].norm + " not ".len();
        assert!(!within_window(&n.buf, from, n.words[2].norm, 3));
    }
}
