//! Single-pass tokeniser and claim extraction for consistency checks.
//!
//! Claims found, left to right, each with its byte span:
//! - **Dates**: ISO `2024-03-15`, `March 15, 2024`, `15 March 2024`, `March 2024`, and a bare
//!   four-digit year in 1800..=2199 not followed by a unit word.
//! - **Quantities**: a number followed by a unit word (`15 servers`, `3.5 GB`) or a percent sign
//!   (`20%`); words that read as verbs or adverbs (`-ed`, `-ly`) are not units. The unit is lower-cased and a plural `s` dropped for units longer than three letters
//!   (`servers` and `server` agree). The quantity's *subject* is the nearest preceding content
//!   word of the same sentence; `(subject, unit)` identifies "the same quantity" for
//!   self-contradiction.
//! - **Numbers**: any other number, except bare integers 0..=10 (list numbering, "one of two").
//! - **Named entities**: two or more consecutive capitalised words (leading function words such as
//!   `The` or `In` dropped; months and weekdays excluded), e.g. `Acme Corp`, `New York City`.
//!
//! Hedging words (`might`, `probably`, `reportedly`, ...) are reported as they are met.
//! Cost: linear in the text length; words are classified without allocating.

use std::ops::Range;

/// What a claim asserts.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimKind {
    /// A number with a unit.
    Quantity {
        /// The value.
        value: f64,
        /// The normalised unit (`"server"`, `"gb"`, `"%"`).
        unit: String,
        /// Nearest preceding content word in the sentence, lower-cased (may be empty).
        subject: String,
    },
    /// A number without a unit.
    Number {
        /// The value.
        value: f64,
    },
    /// A multi-word capitalised name, lower-cased, words joined by one space.
    Entity {
        /// The lower-cased name.
        name: String,
    },
    /// A calendar date; missing parts are 0.
    Date {
        /// The year.
        year: u16,
        /// The month 1..=12, or 0.
        month: u8,
        /// The day 1..=31, or 0.
        day: u8,
    },
}

/// One claim and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// What it asserts.
    pub kind: ClaimKind,
    /// Byte range in the text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// A word; `cap` if its first character is upper case.
    Word { cap: bool },
    /// A number (with `%` if `percent`); `digits` is the count of integer digits for year detection.
    Number {
        value: f64,
        percent: bool,
        integer: bool,
        digits: u8,
    },
    /// `YYYY-MM-DD`.
    Iso { year: u16, month: u8, day: u8 },
    /// `.`, `!`, `?` or `;`.
    SentenceEnd,
    /// `,`.
    Comma,
    /// Any other punctuation.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

/// Tokenises `text` in one pass.
fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b.is_ascii_digit() {
            let (tok, end) = lex_number(bytes, i);
            out.push(Token { tok, start: i, end });
            i = end;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        if ch.is_alphabetic() {
            let start = i;
            let cap = ch.is_uppercase();
            i += ch.len_utf8();
            while i < bytes.len() {
                let c = text[i..].chars().next().unwrap_or(' ');
                let apostrophe = (c == '\'' || c == '\u{2019}')
                    && text[i + c.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic);
                if c.is_alphanumeric() || apostrophe {
                    i += c.len_utf8();
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Word { cap },
                start,
                end: i,
            });
            continue;
        }
        let tok = match ch {
            '.' | '!' | '?' | ';' => Tok::SentenceEnd,
            ',' => Tok::Comma,
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            _ => Tok::Other,
        };
        out.push(Token {
            tok,
            start: i,
            end: i + ch.len_utf8(),
        });
        i += ch.len_utf8();
    }
    out
}

fn digits_at(bytes: &[u8], at: usize, n: usize) -> bool {
    bytes.len() >= at + n && bytes[at..at + n].iter().all(u8::is_ascii_digit)
}

fn parse_digits(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |acc, b| {
        acc.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    })
}

/// Lexes a number starting at `start` (a digit): `1234`, `1,234`, `3.5`, `20%`, `2024-03-15`.
fn lex_number(bytes: &[u8], start: usize) -> (Tok, usize) {
    // ISO date.
    if digits_at(bytes, start, 4)
        && bytes.get(start + 4) == Some(&b'-')
        && digits_at(bytes, start + 5, 2)
        && bytes.get(start + 7) == Some(&b'-')
        && digits_at(bytes, start + 8, 2)
        && !bytes.get(start + 10).is_some_and(u8::is_ascii_digit)
    {
        let year = parse_digits(&bytes[start..start + 4]);
        let month = parse_digits(&bytes[start + 5..start + 7]);
        let day = parse_digits(&bytes[start + 8..start + 10]);
        if (1..=12).contains(&month) && (1..=31).contains(&day) {
            let tok = Tok::Iso {
                year: u16::try_from(year).unwrap_or(0),
                month: u8::try_from(month).unwrap_or(0),
                day: u8::try_from(day).unwrap_or(0),
            };
            return (tok, start + 10);
        }
    }
    let mut i = start;
    let mut value: f64 = 0.0;
    let mut digits = 0u8;
    loop {
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            value = value * 10.0 + f64::from(b - b'0');
            digits = digits.saturating_add(1);
            i += 1;
        }
        // Thousands separator: a comma followed by exactly three digits.
        if bytes.get(i) == Some(&b',')
            && digits_at(bytes, i + 1, 3)
            && !bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
        {
            i += 1;
            continue;
        }
        break;
    }
    let mut integer = true;
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        integer = false;
        i += 1;
        let mut scale = 0.1;
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            value += f64::from(b - b'0') * scale;
            scale /= 10.0;
            i += 1;
        }
    }
    let percent = bytes.get(i) == Some(&b'%');
    if percent {
        i += 1;
    }
    (
        Tok::Number {
            value,
            percent,
            integer,
            digits,
        },
        i,
    )
}

/// Lower-cases an ASCII word of at most 16 bytes into `buf`; `None` for anything else.
fn lower<'b>(word: &str, buf: &'b mut [u8; 16]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    if bytes.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    for (dst, src) in buf.iter_mut().zip(bytes) {
        *dst = src.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..bytes.len()]).ok()
}

fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "and"
            | "or"
            | "of"
            | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "with"
            | "by"
            | "from"
            | "is"
            | "was"
            | "were"
            | "are"
            | "be"
            | "been"
            | "that"
            | "this"
            | "it"
            | "its"
            | "as"
            | "but"
            | "which"
            | "we"
            | "our"
            | "they"
            | "their"
            | "he"
            | "she"
            | "his"
            | "her"
            | "i"
            | "you"
            | "your"
            | "than"
            | "then"
            | "over"
            | "under"
            | "about"
            | "around"
            | "nearly"
            | "almost"
            | "only"
            | "just"
            | "some"
            | "all"
            | "has"
            | "have"
            | "had"
            | "yesterday"
            | "today"
            | "tomorrow"
            | "after"
            | "before"
            | "since"
            | "during"
            | "when"
            | "while"
            | "if"
            | "so"
            | "also"
            | "these"
            | "those"
            | "there"
            | "here"
            | "every"
            | "each"
            | "per"
            | "up"
            | "down"
            | "out"
            | "into"
    )
}

/// Returns true if and only if `w` (lower case) is a hedging word.
pub(crate) fn is_hedge(w: &str) -> bool {
    matches!(
        w,
        "might"
            | "may"
            | "perhaps"
            | "possibly"
            | "probably"
            | "likely"
            | "unlikely"
            | "maybe"
            | "seemingly"
            | "apparently"
            | "reportedly"
            | "allegedly"
            | "presumably"
            | "supposedly"
            | "arguably"
            | "roughly"
            | "approximately"
            | "could"
            | "unclear"
            | "uncertain"
            | "believe"
            | "think"
            | "seems"
            | "appears"
            | "suggests"
            | "conceivably"
            | "somewhat"
    )
}

fn month(w: &str) -> u8 {
    match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => 0,
    }
}

fn is_weekday(w: &str) -> bool {
    matches!(
        w,
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
    )
}

fn normalise_unit(word: &str) -> String {
    let mut unit = word.to_lowercase();
    if unit.len() > 3 && unit.ends_with('s') && !unit.ends_with("ss") {
        unit.pop();
    }
    unit
}

/// Claims and hedges of one text.
#[derive(Debug, Default)]
pub(crate) struct Extraction {
    pub claims: Vec<Claim>,
    /// Spans of hedging words.
    pub hedges: Vec<Range<usize>>,
    /// Lower-cased capitalised words (for entity support when this text is the context).
    pub capitalised: Vec<String>,
}

/// Extracts claims from `text`; `collect_capitalised` also lists every capitalised word.
pub(crate) fn extract(text: &str, collect_capitalised: bool) -> Extraction {
    let toks = tokenize(text);
    let mut ex = Extraction::default();
    let mut subject = String::new();
    let mut buf = [0u8; 16];
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        match t.tok {
            Tok::SentenceEnd => {
                subject.clear();
                i += 1;
            }
            Tok::Comma | Tok::Other => i += 1,
            Tok::Iso { year, month, day } => {
                ex.claims.push(Claim {
                    kind: ClaimKind::Date { year, month, day },
                    span: t.start..t.end,
                });
                i += 1;
            }
            Tok::Number { .. } => i += claim_from_number(text, &toks, i, &subject, &mut ex),
            Tok::Word { cap } => {
                if cap {
                    let m = lower(&text[t.start..t.end], &mut buf).map_or(0, month);
                    if m != 0
                        && let Some(step) = date_after_month(&toks, i, m, &mut ex)
                    {
                        i += step;
                        continue;
                    }
                }
                let run = if cap {
                    entity_run(text, &toks, i).max(1)
                } else {
                    1
                };
                for w in &toks[i..i + run] {
                    let word = &text[w.start..w.end];
                    let owned;
                    let lw = match lower(word, &mut buf) {
                        Some(l) => l,
                        None => {
                            owned = word.to_lowercase();
                            owned.as_str()
                        }
                    };
                    let hedge = is_hedge(lw);
                    if hedge {
                        ex.hedges.push(w.start..w.end);
                    }
                    if collect_capitalised && cap {
                        ex.capitalised.push(lw.to_owned());
                    }
                    if !hedge && !is_stopword(lw) {
                        subject.clear();
                        subject.push_str(lw);
                    }
                }
                if run > 1 {
                    push_entity(text, &toks[i..i + run], &mut ex);
                }
                i += run;
            }
        }
    }
    ex
}

/// Number of consecutive capitalised words from `i` that may form an entity (months and
/// weekdays end it).
fn entity_run(text: &str, toks: &[Token], i: usize) -> usize {
    let mut buf = [0u8; 16];
    let mut n = 0;
    while let Some(t) = toks.get(i + n) {
        let Tok::Word { cap: true } = t.tok else {
            break;
        };
        let lw = lower(&text[t.start..t.end], &mut buf).unwrap_or("");
        if month(lw) != 0 || is_weekday(lw) {
            break;
        }
        n += 1;
    }
    n
}

/// Pushes the entity in `run` (leading function and hedging words dropped) if two or more
/// words remain.
fn push_entity(text: &str, run: &[Token], ex: &mut Extraction) {
    let mut buf = [0u8; 16];
    let skip = run
        .iter()
        .take_while(|t| {
            lower(&text[t.start..t.end], &mut buf).is_some_and(|l| is_stopword(l) || is_hedge(l))
        })
        .count();
    let words = &run[skip..];
    if words.len() < 2 {
        return;
    }
    let mut name = String::new();
    for (k, t) in words.iter().enumerate() {
        if k > 0 {
            name.push(' ');
        }
        name.push_str(&text[t.start..t.end].to_lowercase());
    }
    let (first, last) = (words[0], words[words.len() - 1]);
    ex.claims.push(Claim {
        kind: ClaimKind::Entity { name },
        span: first.start..last.end,
    });
}

fn year_of(tok: Tok) -> Option<u16> {
    match tok {
        Tok::Number {
            value,
            integer: true,
            percent: false,
            digits: 4,
        } if (1000.0..=2999.0).contains(&value) => Some(value as u16),
        _ => None,
    }
}

fn day_of(tok: Tok) -> Option<u8> {
    match tok {
        Tok::Number {
            value,
            integer: true,
            percent: false,
            digits: 1..=2,
        } if (1.0..=31.0).contains(&value) => Some(value as u8),
        _ => None,
    }
}

/// `March 15, 2024`, `March 15` or `March 2024` starting at the month word `i`; returns tokens
/// consumed.
fn date_after_month(toks: &[Token], i: usize, month: u8, ex: &mut Extraction) -> Option<usize> {
    let next = toks.get(i + 1)?;
    let start = toks[i].start;
    if let Some(year) = year_of(next.tok) {
        ex.claims.push(Claim {
            kind: ClaimKind::Date {
                year,
                month,
                day: 0,
            },
            span: start..next.end,
        });
        return Some(2);
    }
    let day = day_of(next.tok)?;
    let mut j = i + 2;
    if toks.get(j).is_some_and(|t| t.tok == Tok::Comma) {
        j += 1;
    }
    if let Some(y) = toks.get(j).and_then(|t| year_of(t.tok).map(|y| (y, t.end))) {
        ex.claims.push(Claim {
            kind: ClaimKind::Date {
                year: y.0,
                month,
                day,
            },
            span: start..y.1,
        });
        return Some(j + 1 - i);
    }
    ex.claims.push(Claim {
        kind: ClaimKind::Date {
            year: 0,
            month,
            day,
        },
        span: start..next.end,
    });
    Some(2)
}

/// Turns the number at `i` into a date, quantity or number claim; returns tokens consumed.
fn claim_from_number(
    text: &str,
    toks: &[Token],
    i: usize,
    subject: &str,
    ex: &mut Extraction,
) -> usize {
    let t = toks[i];
    let Tok::Number {
        value,
        percent,
        integer,
        ..
    } = t.tok
    else {
        return 1;
    };
    let mut buf = [0u8; 16];
    let next_word = toks.get(i + 1).and_then(|n| match n.tok {
        Tok::Word { .. } => Some((n, &text[n.start..n.end])),
        _ => None,
    });
    // `15 March 2024` / `15 March`.
    if let (Some(day), Some((mt, mw))) = (day_of(t.tok), next_word) {
        let m = lower(mw, &mut buf).map_or(0, month);
        if m != 0 {
            if let Some(y) = toks
                .get(i + 2)
                .and_then(|n| year_of(n.tok).map(|y| (y, n.end)))
            {
                ex.claims.push(Claim {
                    kind: ClaimKind::Date {
                        year: y.0,
                        month: m,
                        day,
                    },
                    span: t.start..y.1,
                });
                return 3;
            }
            ex.claims.push(Claim {
                kind: ClaimKind::Date {
                    year: 0,
                    month: m,
                    day,
                },
                span: t.start..mt.end,
            });
            return 2;
        }
    }
    if percent {
        ex.claims.push(Claim {
            kind: ClaimKind::Quantity {
                value,
                unit: "%".to_owned(),
                subject: subject.to_owned(),
            },
            span: t.start..t.end,
        });
        return 1;
    }
    let unit = next_word.filter(|(_, w)| {
        lower(w, &mut buf).is_none_or(|lw| {
            let verb_or_adverb = lw.len() > 4 && (lw.ends_with("ed") || lw.ends_with("ly"));
            !is_stopword(lw) && !is_hedge(lw) && month(lw) == 0 && !verb_or_adverb
        })
    });
    if let Some((ut, uw)) = unit {
        ex.claims.push(Claim {
            kind: ClaimKind::Quantity {
                value,
                unit: normalise_unit(uw),
                subject: subject.to_owned(),
            },
            span: t.start..ut.end,
        });
        return 2;
    }
    if let Some(year) = year_of(t.tok).filter(|y| (1800..=2199).contains(y)) {
        ex.claims.push(Claim {
            kind: ClaimKind::Date {
                year,
                month: 0,
                day: 0,
            },
            span: t.start..t.end,
        });
        return 1;
    }
    if !(integer && value <= 10.0) {
        ex.claims.push(Claim {
            kind: ClaimKind::Number { value },
            span: t.start..t.end,
        });
    }
    1
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<ClaimKind> {
        extract(text, false)
            .claims
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn quantities_with_units_and_subjects() {
        let k = kinds("The cluster has 1,200 servers and 3.5 GB free.");
        assert_eq!(
            k,
            vec![
                ClaimKind::Quantity {
                    value: 1200.0,
                    unit: "server".into(),
                    subject: "cluster".into()
                },
                ClaimKind::Quantity {
                    value: 3.5,
                    unit: "gb".into(),
                    subject: "cluster".into()
                },
            ]
        );
    }

    #[test]
    fn percent_is_a_unit() {
        assert_eq!(
            kinds("CPU load at 40%"),
            vec![ClaimKind::Quantity {
                value: 40.0,
                unit: "%".into(),
                subject: "load".into()
            }]
        );
    }

    #[test]
    fn dates_in_several_forms() {
        let k = kinds("On 2024-03-15 and March 16, 2024 and 17 March 2024, in 1998 the end.");
        assert_eq!(
            k,
            vec![
                ClaimKind::Date {
                    year: 2024,
                    month: 3,
                    day: 15
                },
                ClaimKind::Date {
                    year: 2024,
                    month: 3,
                    day: 16
                },
                ClaimKind::Date {
                    year: 2024,
                    month: 3,
                    day: 17
                },
                ClaimKind::Date {
                    year: 1998,
                    month: 0,
                    day: 0
                },
            ]
        );
    }

    #[test]
    fn entities_are_multiword_capitalised_names() {
        let k = kinds("Yesterday The Acme Corp met Globex in New York City. Paris is nice.");
        assert_eq!(
            k,
            vec![
                ClaimKind::Entity {
                    name: "acme corp".into()
                },
                ClaimKind::Entity {
                    name: "new york city".into()
                },
            ]
        );
    }

    #[test]
    fn small_bare_integers_are_not_claims() {
        assert_eq!(kinds("step 2 of the plan"), vec![]);
        assert_eq!(
            kinds("the value 4711 appeared"),
            vec![ClaimKind::Number { value: 4711.0 }]
        );
    }

    #[test]
    fn hedges_are_found() {
        let ex = extract("It might possibly work, I think.", false);
        assert_eq!(ex.hedges.len(), 3);
    }
}
