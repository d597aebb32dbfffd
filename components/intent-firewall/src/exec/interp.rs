//! Inline interpreter programs (`python3 -c`, `perl -e`, `node -e`, ...): the calls the screen recognises are
//! turned into the shell commands they amount to, and anything it cannot read is flagged.

use crate::exec::tables::{CALLS, CallEffect};

/// What the screen read in an interpreter program.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct BodyReading {
    /// Shell command lines the program runs or amounts to (`shutil.rmtree('/')` gives `rm -rf /`).
    pub shell: Vec<String>,
    /// True if the program does something the screen cannot judge (computed arguments, `eval`, decoders,
    /// sockets, ...).
    pub opaque: bool,
}

/// Reads an inline interpreter program. Cost: linear in the body times the number of call names.
pub(crate) fn read_body(body: &str) -> BodyReading {
    let lower = body.to_ascii_lowercase();
    let mut reading = BodyReading::default();
    for &(name, effect) in CALLS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(name) {
            let at = from + found;
            from = at + name.len();
            if !starts_a_name(&lower, at) {
                continue;
            }
            let literals = if name == "`" {
                let end = body[from..].find('`').map_or(body.len(), |e| from + e);
                from = (end + 1).min(body.len());
                vec![body[at + 1..end].to_owned()]
            } else {
                literal_arguments(body, from)
            };
            let first = literals.first().cloned();
            match (effect, first) {
                (CallEffect::Opaque, _) | (_, None) => reading.opaque = true,
                (CallEffect::Shell, Some(_)) => reading.shell.push(literals.join(" ")),
                (CallEffect::RemoveTree, Some(path)) => {
                    reading.shell.push(format!("rm -rf {path}"))
                }
                (CallEffect::RemoveFile, Some(path)) => reading.shell.push(format!("rm {path}")),
            }
        }
    }
    reading.shell.dedup();
    reading
}

/// True if `at` starts a name (not the middle of an identifier such as `my_system`), so `system` does not match
/// inside `filesystem`; a dotted name (`os.system`) may follow a dot.
fn starts_a_name(lower: &str, at: usize) -> bool {
    lower[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
}

/// The string literals among the arguments of the call whose name ends at `from`: inside the parentheses that
/// follow (balanced, so nested calls count), or up to the end of the statement for a call without parentheses
/// (`system "rm -rf /"` in Perl or Ruby).
fn literal_arguments(body: &str, from: usize) -> Vec<String> {
    let rest = &body[from..];
    let trimmed = rest.trim_start();
    let (args, parenthesised) = match trimmed.strip_prefix('(') {
        Some(inner) => (inner, true),
        None => (trimmed, false),
    };
    let mut literals = Vec::new();
    let mut depth = 0usize;
    let mut chars = args.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                let mut literal = String::new();
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        if let Some((_, e)) = chars.next() {
                            literal.push(e);
                        }
                    } else if d == c {
                        break;
                    } else {
                        literal.push(d);
                    }
                }
                literals.push(literal);
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth > 0 => depth -= 1,
            ')' if parenthesised => break,
            ';' | '\n' if !parenthesised && depth == 0 => break,
            _ => {}
        }
    }
    literals
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn rmtree_reads_as_rm_rf() {
        let r = read_body("import shutil;shutil.rmtree('/')");
        assert_eq!(r.shell, ["rm -rf /"]);
        assert!(!r.opaque);
    }

    #[test]
    fn shell_calls_give_their_command_lines() {
        assert_eq!(
            read_body("import os; os.system(\"rm -rf /\")").shell,
            ["rm -rf /"]
        );
        assert_eq!(
            read_body("import subprocess; subprocess.run(['rm', '-rf', '/home'])").shell,
            ["rm -rf /home"]
        );
        assert_eq!(
            read_body("system \"mkfs.ext4 /dev/sda\"").shell,
            ["mkfs.ext4 /dev/sda"]
        );
        assert_eq!(read_body("print `rm -rf /`").shell, ["rm -rf /"]);
    }

    #[test]
    fn computed_or_encoded_programs_are_opaque() {
        assert!(read_body("import os; os.system(cmd)").opaque);
        assert!(read_body("exec(__import__('base64').b64decode('cm0gLXJmIC8='))").opaque);
    }

    #[test]
    fn plain_programs_are_readable_and_harmless() {
        let r = read_body("print(sum(range(10)))");
        assert!(r.shell.is_empty() && !r.opaque);
        assert!(!read_body("import platform; print(platform.node())").opaque);
        assert!(read_body("filesystem_size = 3").shell.is_empty());
    }
}
