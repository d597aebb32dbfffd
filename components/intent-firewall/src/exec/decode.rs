//! Static decoders for the transformations obfuscated commands use: C escapes (`$'\x72m'`, `printf`,
//! `echo -e`), base64, hex (`xxd -r -p`) and `rev`.

use base64::Engine;

/// Decodes C-style escapes as bash's `$'...'`, `printf` and `echo -e` do: `\n \t \r \a \b \e \f \v \\ \' \"`,
/// `\xHH`, `\uHHHH`, `\UHHHHHHHH` and octal `\NNN` / `\0NNN`. Unknown escapes are kept as written.
pub(crate) fn c_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(next) = chars.next() else {
            out.push('\\');
            break;
        };
        let simple = match next {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'e' | 'E' => Some('\u{1B}'),
            'f' => Some('\u{C}'),
            'v' => Some('\u{B}'),
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            '?' => Some('?'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let (radix, max) = match next {
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            '0'..='7' => (8, 3),
            _ => {
                out.push('\\');
                out.push(next);
                continue;
            }
        };
        let mut digits = String::new();
        if radix == 8 && next != '0' {
            digits.push(next);
        }
        while digits.len() < max {
            match chars.peek() {
                Some(d) if d.is_digit(radix) => {
                    digits.push(*d);
                    chars.next();
                }
                _ => break,
            }
        }
        match u32::from_str_radix(&digits, radix)
            .ok()
            .and_then(char::from_u32)
        {
            Some(decoded) => out.push(decoded),
            None if digits.is_empty() && radix == 8 => out.push('\0'),
            None => {
                out.push('\\');
                out.push(next);
                out.push_str(&digits);
            }
        }
    }
    out
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional, whitespace ignored) to UTF-8 text; `None`
/// if it is not base64 or not text.
pub(crate) fn base64_text(encoded: &str) -> Option<String> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let trimmed = compact.trim_end_matches('=');
    let engines = [
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines
        .iter()
        .find_map(|e| e.decode(trimmed).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// Decodes plain hex (`xxd -r -p`) to UTF-8 text; `None` if it is not hex or not text.
pub(crate) fn hex_text(encoded: &str) -> Option<String> {
    let digits: Vec<u8> = encoded
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = digits
        .chunks_exact(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Reverses each line, as `rev` does.
pub(crate) fn rev_lines(text: &str) -> String {
    text.lines()
        .map(|line| line.chars().rev().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn decodes_c_escapes() {
        assert_eq!(c_escapes(r"\x72\x6d -rf /"), "rm -rf /");
        assert_eq!(c_escapes(r"\162\155"), "rm");
        assert_eq!(c_escapes(r"a\tb\\c\q"), "a\tb\\c\\q");
        assert_eq!(c_escapes(r"\u0072m"), "rm");
    }

    #[test]
    fn decodes_base64_hex_and_rev() {
        assert_eq!(base64_text("cm0gLXJmIC8=").as_deref(), Some("rm -rf /"));
        assert_eq!(base64_text("cm0gLXJmIC8").as_deref(), Some("rm -rf /"));
        assert_eq!(base64_text("not base64!"), None);
        assert_eq!(hex_text("726d202d7266202f").as_deref(), Some("rm -rf /"));
        assert_eq!(rev_lines("/ fr- mr"), "rm -rf /");
    }
}
