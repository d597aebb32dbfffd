//! The look-alike folds of the matching form: characters that read as an ASCII letter map to that letter.

/// Maps a lower-case character to the ASCII letter it imitates, or returns it unchanged.
///
/// # Example
/// ```
/// assert_eq!(aegis_text::fold_lookalike('а'), 'a'); // Cyrillic a
/// assert_eq!(aegis_text::fold_lookalike('0'), 'o');
/// ```
///
/// The documented set (applied after NFKD, mark stripping and case folding, so accents and fullwidth forms are
/// already gone):
/// - leet digits and symbols: `0`→o, `1`→l, `3`→e, `4`→a, `5`→s, `7`→t, `@`→a (not `$`, which starts shell variables);
/// - Cyrillic: а→a, в→b, г→r, е→e, і→i, ј→j, к→k, м→m, н→h, о→o, п→n, р→p, с→c, т→t, у→y, х→x, ь→b, ѕ→s,
///   ԁ→d, һ→h, ӏ→l, ԛ→q, ԝ→w;
/// - Greek: α→a, β→b, γ→y, ε→e, η→n, ι→i, κ→k, ν→v, ο→o, ρ→p, σ→o, τ→t, υ→u, χ→x, ω→w, ϲ→c, ϳ→j;
/// - Armenian: օ→o, ո→n, ս→u, հ→h;
/// - Latin variants: ı→i, ȷ→j, ɑ→a, ɡ→g, ɩ→i, ɪ→i, ʟ→l, ɴ→n, ʀ→r, ᴀ→a, ᴄ→c, ᴅ→d, ᴇ→e, ᴋ→k, ᴍ→m, ᴏ→o, ᴘ→p,
///   ᴛ→t, ᴜ→u, ᴠ→v, ᴡ→w, ᴢ→z, ꜱ→s.
///
/// Every output is a lower-case ASCII letter or the input itself, and lower-case ASCII letters map to themselves,
/// so the fold is idempotent.
pub const fn fold_lookalike(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'l',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        c if c.is_ascii() => c,
        // Cyrillic.
        'а' => 'a',
        'в' => 'b',
        'г' => 'r',
        'е' => 'e',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'п' => 'n',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ь' => 'b',
        'ѕ' => 's',
        'ԁ' => 'd',
        'һ' => 'h',
        'ӏ' => 'l',
        'ԛ' => 'q',
        'ԝ' => 'w',
        // Greek.
        'α' => 'a',
        'β' => 'b',
        'γ' => 'y',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'σ' => 'o',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ω' => 'w',
        'ϲ' => 'c',
        'ϳ' => 'j',
        // Armenian.
        'օ' => 'o',
        'ո' => 'n',
        'ս' => 'u',
        'հ' => 'h',
        // Latin variants and small capitals.
        'ı' => 'i',
        'ȷ' => 'j',
        'ɑ' => 'a',
        'ɡ' => 'g',
        'ɩ' | 'ɪ' => 'i',
        'ʟ' => 'l',
        'ɴ' => 'n',
        'ʀ' => 'r',
        'ᴀ' => 'a',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ᴋ' => 'k',
        'ᴍ' => 'm',
        'ᴏ' => 'o',
        'ᴘ' => 'p',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ᴢ' => 'z',
        'ꜱ' => 's',
        other => other,
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn folds_leet_digits() {
        let folded: String = "r00t 1337 p@55 $x".chars().map(fold_lookalike).collect();
        assert_eq!(folded, "root leet pass $x");
    }

    #[test]
    fn folds_cyrillic_and_greek_lookalikes() {
        let folded: String = "ѕυdο".chars().map(fold_lookalike).collect();
        assert_eq!(folded, "sudo");
    }

    #[test]
    fn fold_is_idempotent_on_its_outputs() {
        for c in ('\0'..='\u{FFFF}').filter(|c| !c.is_uppercase()) {
            let once = fold_lookalike(c);
            assert_eq!(fold_lookalike(once), once, "{:X}", u32::from(c));
        }
    }
}
