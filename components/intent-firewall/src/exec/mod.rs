//! Executable content: what the firewall parses as shell, how it resolves obfuscation, and what it cannot read.
//!
//! # What counts as executable content
//! A text (the request content, and each parameter string the caller screens) is executable content when it
//! has shell syntax that natural language does not use (`$(`, `${`, `$NAME`, backquotes, `|`, `;`, `&&`,
//! `<(`, `<<<`, a redirection to a path, a backslash before a letter, quote splicing such as `r''m`), or a
//! known program name ([`tables`]) as the first word of a line or after `run`/`execute`, or a shell or
//! interpreter followed by its inline-program flag (`sh -c`, `python3 -c`, `perl -e`, `node -e`) anywhere.
//!
//! # How it is read
//! The text is parsed with brush-parser (a POSIX/bash tokenizer and parser, see the crate README for the
//! evaluation). Every word is expanded statically: quotes and escapes removed, `$'\x72'` and `printf`/`echo -e`
//! escapes decoded, `${IFS}` read as a space, `$HOME` as `~`, variables assigned earlier in the text
//! substituted, `${x:-default}` of an unset variable read as its default. Command and process substitutions,
//! `eval`, `sh -c`/`bash -c` bodies, the standard input of a shell (`... | sh`, `<<<`) and the calls of inline
//! interpreter programs (`os.system`, `subprocess`, `shutil.rmtree`, `child_process`, Perl/Ruby `system` and
//! backquotes, ...) are read recursively; static pipelines of `echo`, `printf`, `base64 -d`, `xxd -r -p`,
//! `rev` and `cat` are evaluated. Each resolved command line is screened by the same patterns as the content.
//!
//! # What it cannot read goes to review
//! Text that is not valid shell, a command whose name is computed, `eval`/`sh -c`/`| sh` of something
//! computed, an interpreter program that computes its calls or uses `eval`/`exec`/decoders/sockets, a blob that
//! does not decode to text, and content beyond the reader's budget (nesting depth 6, 48 programs, 16 KiB, 64
//! substitutions) are [`Unreadable`]: the verdict is at least [`Verdict::Review`](crate::Verdict::Review),
//! never Allow.
//!
//! Not read: the contents of script files a command runs (`bash deploy.sh`, `python3 manage.py`), and commands
//! spread over several requests.

mod decode;
mod detect;
mod interp;
mod shell;
mod tables;

use serde::Serialize;

/// Why part of a request's executable content could not be classified. Each one sends the request to human
/// review at least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Unreadable {
    /// The text is executable content but not valid shell.
    Syntax,
    /// A command's name is computed (`$cmd`, `$(...)` with output the screen cannot compute).
    ComputedCommand,
    /// `eval`, `sh -c`, `source` or a shell's standard input runs text the screen cannot compute.
    ComputedCode,
    /// An interpreter program (`python3 -c`, `perl -e`, ...) the screen cannot judge.
    InterpreterBody,
    /// Encoded data (base64, hex) that does not decode to text.
    EncodedBlob,
    /// Nesting, size or substitution count beyond the reader's budget.
    TooComplex,
}

/// What the firewall read in a text's executable content.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ExecutableReading {
    /// The command lines as resolved (obfuscation removed), in the order read; each is screened like content.
    pub resolved: Vec<String>,
    /// What could not be classified (sorted, without repeats); non-empty means at least review.
    pub unreadable: Vec<Unreadable>,
}

impl ExecutableReading {
    /// Reads `text` if it is executable content; `None` if it is not (see the [module docs](self)).
    pub(crate) fn of(text: &str) -> Option<Self> {
        detect::looks_executable(text).then(|| shell::Reader::read(text))
    }

    /// True if the first word of `text` is a known program (`rm`, `curl`, `python3`, ...).
    pub(crate) fn starts_with_command(text: &str) -> bool {
        text.split_whitespace()
            .next()
            .is_some_and(|w| tables::COMMANDS.contains(&detect::command_name(w).as_str()))
    }
}
