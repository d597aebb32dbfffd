//! Which text counts as executable content (see [`crate::exec`] for the rule).

use crate::exec::tables::{COMMAND_INTRODUCERS, COMMANDS, INTERPRETERS, SHELLS};

/// Returns true if and only if `text` is executable content: it has shell syntax markers, a command at the
/// start of a line or after `run`/`execute`, or a shell or interpreter given an inline program. Cost: one pass.
pub(crate) fn looks_executable(text: &str) -> bool {
    has_shell_markers(text) || has_command_word(text)
}

/// Shell syntax that natural language does not use: `$(`, `${`, `$'`, `$"`, `$NAME`, backquotes, pipes, `;`,
/// `&&`, process substitution `<(` / `>(`, here-strings `<<<`, redirection to a path `> /`, a backslash before
/// a letter or digit, and quote splicing (`r''m`, `"r"m`: two quotes of one kind inside a word that is not
/// quoted whole).
fn has_shell_markers(text: &str) -> bool {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let marker = match b {
            b'$' => matches!(next, b'(' | b'{' | b'\'' | b'"' | b'_') || next.is_ascii_alphabetic(),
            b'`' | b'|' | b';' => true,
            b'&' => next == b'&',
            b'<' | b'>' => {
                matches!(next, b'(' | b'<')
                    || bytes[i + 1..]
                        .iter()
                        .find(|c| **c != b' ')
                        .is_some_and(|c| *c == b'/')
            }
            b'\\' => next.is_ascii_alphanumeric(),
            _ => false,
        };
        if marker {
            return true;
        }
    }
    text.split_whitespace().any(is_spliced_word)
}

/// A word with two or more quotes of one kind that is not quoted whole: `r''m`, `"r"m`, `'r'm`.
fn is_spliced_word(word: &str) -> bool {
    ['\'', '"']
        .into_iter()
        .any(|q| word.matches(q).count() >= 2 && !(word.starts_with(q) && word.ends_with(q)))
}

/// A known command at the start of a line or after an introducer word, or a shell or interpreter followed by
/// its inline-program flag anywhere.
fn has_command_word(text: &str) -> bool {
    for line in text.lines() {
        let mut previous: Option<String> = None;
        let mut first = true;
        for raw in line.split_whitespace() {
            let word = command_name(raw);
            let at_start = first
                || previous
                    .as_deref()
                    .is_some_and(|p| COMMAND_INTRODUCERS.contains(&p));
            if at_start && COMMANDS.contains(&word.as_str()) {
                return true;
            }
            if let Some(p) = &previous
                && is_inline_program_flag(p, &word)
            {
                return true;
            }
            first = false;
            previous = Some(word);
        }
    }
    false
}

/// True if `flag` introduces an inline program for `program` (`sh -c`, `python3 -c`, `perl -e`).
pub(crate) fn is_inline_program_flag(program: &str, flag: &str) -> bool {
    if SHELLS.contains(&program) {
        return flag == "-c"
            || (flag.starts_with('-') && !flag.starts_with("--") && flag.contains('c'));
    }
    INTERPRETERS
        .iter()
        .any(|(name, flags)| *name == program && flags.contains(&flag))
}

/// The lower-cased program name a raw word stands for: surrounding quotes, backquotes and punctuation removed,
/// and a path reduced to its last component (`/bin/rm` is `rm`).
pub(crate) fn command_name(raw: &str) -> String {
    let trimmed =
        raw.trim_matches(|c: char| matches!(c, '`' | '"' | '\'' | ',' | ':' | '(' | ')' | '.'));
    let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
    base.to_ascii_lowercase()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn shell_syntax_is_executable() {
        for text in [
            "rm${IFS}-rf${IFS}/",
            "echo $(whoami)",
            "r''m -rf /",
            "\"r\"m -rf /",
            "please check disk; r\\m -rf /",
            "curl x | sh",
            "cat <(ls)",
            "please python3 -c 'print(1)'",
        ] {
            assert!(looks_executable(text), "{text}");
        }
    }

    #[test]
    fn commands_at_the_start_of_a_line_are_executable() {
        for text in [
            "ls -la",
            "git status",
            "cargo test",
            "please run rm -rf /tmp/x",
            "notes\nrm -rf /",
        ] {
            assert!(looks_executable(text), "{text}");
        }
    }

    #[test]
    fn natural_language_is_not() {
        for text in [
            "list the files in /srv/reports",
            "don't delete the customer's data",
            "summarise the 'quarterly' report",
            "find the largest file and sort the list",
            "what is 3 > 2?",
        ] {
            assert!(!looks_executable(text), "{text}");
        }
    }
}
