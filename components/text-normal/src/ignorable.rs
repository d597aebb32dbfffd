//! Characters that normalisation removes because they are invisible: format characters and other
//! default-ignorable code points.

/// Inclusive code-point ranges, sorted, that normalisation strips.
///
/// The table holds:
/// - control characters other than whitespace (`U+0000..=U+0008`, `U+000E..=U+001F`, `U+007F..=U+009F` but
///   not `U+0085`, which is a line break);
/// - every character of Unicode general category `Cf` (format): the soft hyphen, Arabic number signs, the zero-width
///   space, joiners and non-joiners, bidirectional marks, embeddings and isolates, word joiner, invisible operators,
///   the byte-order mark, interlinear annotation marks, shorthand format controls, musical and Egyptian format
///   controls and the tag characters;
/// - the other default-ignorable code points that render as nothing: the combining grapheme joiner, Hangul fillers,
///   Khmer inherent vowels, Mongolian free variation selectors, variation selectors and the unassigned
///   default-ignorable blocks.
const IGNORABLE: &[(u32, u32)] = &[
    (0x0000, 0x0008),
    (0x000E, 0x001F),
    (0x007F, 0x0084),
    (0x0086, 0x009F),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Returns true if and only if `c` is invisible and normalisation strips it: controls other than whitespace,
/// every format character (`Cf`, e.g. U+200B zero-width space, U+FEFF, the bidi controls, tag characters) and
/// the other default-ignorable code points.
///
/// # Example
/// ```
/// assert!(aegis_text::is_ignorable('\u{200B}'));
/// assert!(!aegis_text::is_ignorable(' '));
/// ```
pub fn is_ignorable(c: char) -> bool {
    let cp = u32::from(c);
    if (0x20..0x7F).contains(&cp) {
        return false;
    }
    IGNORABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_disjoint() {
        for pair in IGNORABLE.windows(2) {
            assert!(pair[0].0 <= pair[0].1);
            assert!(pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn strips_zero_width_and_format_characters() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{202E}',
            '\u{E0041}',
        ] {
            assert!(is_ignorable(c), "{:X}", u32::from(c));
        }
    }

    #[test]
    fn keeps_visible_characters_and_whitespace() {
        for c in ['a', ' ', '\n', '\t', '/', 'é', 'ж', '中', '\u{85}'] {
            assert!(!is_ignorable(c), "{:X}", u32::from(c));
        }
    }
}
