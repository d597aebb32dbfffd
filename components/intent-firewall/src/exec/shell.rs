//! Reads shell text with brush-parser (tokenizer, program parser and word parser) and resolves what it can:
//! quoting, escapes, parameter expansions of known variables, command and process substitutions, `eval`,
//! `sh -c`, interpreter programs, and static pipelines of `echo`/`printf`/`base64 -d`/`xxd -r -p`/`rev`.

use std::collections::{HashMap, HashSet};

use brush_parser::word::{Parameter, ParameterExpr, WordPiece};
use brush_parser::{ParserOptions, Token, TokenizerOptions};

use crate::exec::decode::{base64_text, c_escapes, hex_text, rev_lines};
use crate::exec::detect::{command_name, is_inline_program_flag};
use crate::exec::interp::read_body;
use crate::exec::tables::{INTERPRETERS, RESERVED, SHELLS, WRAPPERS};
use crate::exec::{ExecutableReading, Unreadable};

/// Deepest nesting of programs inside programs (substitutions, `eval`, `sh -c`, interpreter calls) the reader
/// follows; deeper content is [`Unreadable::TooComplex`].
const MAX_DEPTH: usize = 6;
/// Most programs (the text itself and everything nested) read for one text.
const MAX_PROGRAMS: usize = 48;
/// Largest shell text the reader parses; larger executable content is [`Unreadable::TooComplex`].
const MAX_SHELL_BYTES: usize = 16 * 1024;
/// Most substitutions (`$(`, backquotes, `<(`, `>(`) in one text before it is [`Unreadable::TooComplex`]
/// (bounds the parser's recursion).
const MAX_SUBSTITUTIONS: usize = 64;

/// A word after static expansion.
#[derive(Debug, Clone, Default)]
struct Resolved {
    text: String,
    /// True if part of the word could not be computed (an unknown variable, a substitution whose output is
    /// not static).
    computed: bool,
}

/// One simple command as read: its words and redirections.
#[derive(Debug, Default)]
struct Command {
    words: Vec<Resolved>,
    /// `(operator, target)` pairs: `>` `/dev/sda`, `<<<` `text`.
    redirects: Vec<(String, Resolved)>,
    pending_redirect: Option<String>,
}

/// Reads one text and everything nested in it.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    reading: ExecutableReading,
    vars: HashMap<String, String>,
    functions: HashSet<String>,
    programs: usize,
}

impl Reader {
    /// Reads `text` as shell and returns what was resolved and what could not be.
    pub(crate) fn read(text: &str) -> ExecutableReading {
        let mut reader = Self::default();
        reader.program(text, 0);
        let mut reading = reader.reading;
        reading.resolved.retain(|r| r != text);
        reading.resolved.dedup();
        reading.unreadable.sort_unstable();
        reading.unreadable.dedup();
        reading
    }

    fn unreadable(&mut self, why: Unreadable) {
        self.reading.unreadable.push(why);
    }

    /// Reads one program; returns its standard output when it is static.
    fn program(&mut self, text: &str, depth: usize) -> Option<String> {
        self.programs += 1;
        if depth > MAX_DEPTH || self.programs > MAX_PROGRAMS || text.len() > MAX_SHELL_BYTES {
            self.unreadable(Unreadable::TooComplex);
            return None;
        }
        let substitutions = text.matches("$(").count()
            + text.matches('`').count()
            + text.matches("<(").count()
            + text.matches(">(").count();
        if substitutions > MAX_SUBSTITUTIONS {
            self.unreadable(Unreadable::TooComplex);
            return None;
        }
        let Some(tokens) = parse(text).or_else(|| parse(&without_apostrophes(text))) else {
            self.unreadable(Unreadable::Syntax);
            return None;
        };
        self.tokens(&tokens, depth)
    }

    /// Walks the tokens of a parsed program: resolves words, splits commands and pipelines, renders the
    /// resolved line, and evaluates each pipeline. Returns the output of the last pipeline when static.
    fn tokens(&mut self, tokens: &[Token], depth: usize) -> Option<String> {
        let mut line = String::new();
        let mut last_end = usize::MAX;
        let mut pipeline: Vec<Command> = Vec::new();
        let mut command = Command::default();
        let mut output = Some(String::new());
        let mut i = 0;
        while i < tokens.len() {
            let (piece, start, end) = match &tokens[i] {
                Token::Operator(op, span) => {
                    let is_definition = op == "("
                        && command.words.len() == 1
                        && matches!(tokens.get(i + 1), Some(Token::Operator(close, _)) if close == ")");
                    if is_definition {
                        let name = command.words.remove(0).text;
                        self.functions.insert(name.clone());
                        render(
                            &mut line,
                            &mut last_end,
                            &name,
                            span.start.index,
                            span.start.index,
                        );
                        render(
                            &mut line,
                            &mut last_end,
                            "()",
                            span.start.index,
                            span.end.index + 1,
                        );
                        i += 2;
                        continue;
                    }
                    if op == "(" && last_end == span.start.index && line.ends_with(['<', '>']) {
                        // Process substitution: a shell, interpreter or `source` reading it runs code the
                        // screen cannot compute (the substituted program itself is read as it comes).
                        let reader = command.words.first().map(|w| command_name(&w.text));
                        if reader.is_some_and(|n| runs_its_input(&n)) {
                            self.unreadable(Unreadable::ComputedCode);
                        }
                    }
                    match op.as_str() {
                        "|" | "|&" => pipeline.push(std::mem::take(&mut command)),
                        o if is_redirect(o) => command.pending_redirect = Some(o.to_owned()),
                        _ => {
                            pipeline.push(std::mem::take(&mut command));
                            let result = self.pipeline(std::mem::take(&mut pipeline), depth);
                            output = concat(output, result);
                        }
                    }
                    (op.clone(), span.start.index, span.end.index)
                }
                Token::Word(word, span) => {
                    let at_command_position =
                        command.words.is_empty() && command.pending_redirect.is_none();
                    if at_command_position && RESERVED.contains(&word.as_str()) {
                        (word.clone(), span.start.index, span.end.index)
                    } else {
                        let resolved = self.word(word, depth);
                        let text = resolved.text.clone();
                        match command.pending_redirect.take() {
                            Some(op) => command.redirects.push((op, resolved)),
                            None => command.words.push(resolved),
                        }
                        (text, span.start.index, span.end.index)
                    }
                }
            };
            render(&mut line, &mut last_end, &piece, start, end);
            i += 1;
        }
        pipeline.push(command);
        let result = self.pipeline(pipeline, depth);
        self.reading.resolved.push(line);
        concat(output, result)
    }

    /// Evaluates one pipeline; returns its output when static.
    fn pipeline(&mut self, commands: Vec<Command>, depth: usize) -> Option<String> {
        let commands: Vec<Command> = commands
            .into_iter()
            .filter(|c| !c.words.is_empty() || !c.redirects.is_empty())
            .collect();
        if commands.is_empty() {
            return Some(String::new());
        }
        if commands.len() >= 2
            && commands.iter().all(|c| {
                c.words
                    .first()
                    .is_some_and(|w| self.functions.contains(&w.text))
            })
        {
            // A function piped into itself: a fork bomb whatever its name.
            self.reading.resolved.push(":(){ :|:& };:".to_owned());
        }
        let mut stdin: Option<Option<String>> = None;
        for command in commands {
            stdin = Some(self.command(command, stdin, depth));
        }
        stdin.flatten()
    }

    /// Evaluates one command given its standard input (`None`: none; `Some(None)`: not static). Returns its
    /// output when static.
    fn command(
        &mut self,
        command: Command,
        stdin: Option<Option<String>>,
        depth: usize,
    ) -> Option<String> {
        let mut stdin = stdin;
        for (op, target) in &command.redirects {
            if op == "<<<" {
                stdin = Some((!target.computed).then(|| format!("{}\n", target.text)));
            }
        }
        let mut words = command.words;
        // Leading assignments set variables.
        while let Some(first) = words.first() {
            match first.text.split_once('=') {
                Some((name, value)) if is_name(name) && !first.computed => {
                    self.vars.insert(name.to_owned(), value.to_owned());
                    words.remove(0);
                }
                _ => break,
            }
        }
        // Look through wrappers (`sudo`, `env`, `nohup`, ...) and their options.
        loop {
            let Some(first) = words.first() else {
                return Some(String::new());
            };
            if first.computed {
                self.unreadable(Unreadable::ComputedCommand);
                return None;
            }
            let name = command_name(&first.text);
            if !WRAPPERS.contains(&name.as_str()) {
                break;
            }
            words.remove(0);
            while words.first().is_some_and(|w| {
                w.text.starts_with('-') || w.text.contains('=') || w.text.parse::<f64>().is_ok()
            }) {
                words.remove(0);
            }
        }
        // An unquoted expansion that produced spaces (`rm${IFS}-rf${IFS}/`) is several words to the shell.
        if words[0].text.contains(char::is_whitespace) {
            words = split_words(words);
        }
        // Prose around a command ("please run python3 -c '...' to free space"): start at the program.
        if let Some(at) = words
            .windows(2)
            .position(|w| is_inline_program_flag(&command_name(&w[0].text), &w[1].text))
        {
            words.drain(..at);
        }
        let name = command_name(&words[0].text);
        let args = &words[1..];
        if let Some(line) = canonical_line(&name, &split_words(args.to_vec())) {
            self.reading.resolved.push(line);
        }
        let any_computed = args.iter().any(|a| a.computed);
        let joined = || {
            args.iter()
                .map(|a| a.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        match name.as_str() {
            "eval" => {
                if any_computed {
                    self.unreadable(Unreadable::ComputedCode);
                    return None;
                }
                self.program(&joined(), depth + 1)
            }
            "source" | "." => {
                if stdin.as_ref().is_some_and(Option::is_none) || any_computed {
                    self.unreadable(Unreadable::ComputedCode);
                }
                None
            }
            n if SHELLS.contains(&n) || INTERPRETERS.iter().any(|(i, _)| *i == n) => {
                self.inline_program(n, args, stdin, depth)
            }
            "echo" => {
                let mut escapes = false;
                let mut rest = args;
                while let Some(flag) = rest
                    .first()
                    .filter(|a| matches!(a.text.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en"))
                {
                    escapes |= flag.text.contains('e');
                    rest = &rest[1..];
                }
                if rest.iter().any(|a| a.computed) {
                    return None;
                }
                let text = rest
                    .iter()
                    .map(|a| a.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(if escapes { c_escapes(&text) } else { text } + "\n")
            }
            "printf" => {
                let (format, rest) = args.split_first()?;
                if format.computed || any_computed {
                    return None;
                }
                let mut out = c_escapes(&format.text);
                for arg in rest {
                    let Some(at) = out.find("%s").or_else(|| out.find("%b")) else {
                        break;
                    };
                    out.replace_range(at..at + 2, &c_escapes(&arg.text));
                }
                Some(out)
            }
            "base64"
                if args.iter().any(|a| {
                    matches!(a.text.as_str(), "-d" | "--decode" | "-D" | "-di" | "-id")
                }) =>
            {
                self.decoded(stdin, base64_text, depth)
            }
            "xxd" if args.iter().any(|a| a.text.starts_with("-r")) => {
                self.decoded(stdin, hex_text, depth)
            }
            "rev" => stdin.flatten().map(|s| rev_lines(&s)),
            "cat" | "tee" if args.is_empty() => stdin.flatten(),
            _ => None,
        }
    }

    /// Decodes static input with `decode`; the decoded text is screened as shell too. Input that does not
    /// decode to text is an encoded blob.
    fn decoded(
        &mut self,
        stdin: Option<Option<String>>,
        decode: fn(&str) -> Option<String>,
        depth: usize,
    ) -> Option<String> {
        let input = stdin.flatten()?;
        let Some(text) = decode(&input) else {
            self.unreadable(Unreadable::EncodedBlob);
            return None;
        };
        self.reading.resolved.push(text.clone());
        if crate::exec::detect::looks_executable(&text) {
            let _ = self.program(&text, depth + 1);
        }
        Some(text)
    }

    /// A shell or interpreter: reads its inline program (`-c`, `-e`, ...) or its standard input.
    fn inline_program(
        &mut self,
        name: &str,
        args: &[Resolved],
        stdin: Option<Option<String>>,
        depth: usize,
    ) -> Option<String> {
        let shell = SHELLS.contains(&name);
        let flag = args
            .iter()
            .position(|a| is_inline_program_flag(name, &a.text));
        let body = match flag {
            Some(at) => match args.get(at + 1) {
                Some(body) if !body.computed => Some(body.text.clone()),
                _ => None,
            },
            None if args.iter().any(|a| !a.text.starts_with('-')) => {
                // A script file: the screen cannot see it (documented limit).
                return None;
            }
            None => match stdin {
                Some(Some(text)) => Some(text),
                Some(None) => None,
                None => return None,
            },
        };
        let Some(body) = body else {
            self.unreadable(if shell {
                Unreadable::ComputedCode
            } else {
                Unreadable::InterpreterBody
            });
            return None;
        };
        if shell {
            return self.program(&body, depth + 1);
        }
        let reading = read_body(&body);
        if reading.opaque {
            self.unreadable(Unreadable::InterpreterBody);
        }
        for line in reading.shell {
            self.reading.resolved.push(line.clone());
            let _ = self.program(&line, depth + 1);
        }
        None
    }

    /// Resolves one shell word statically.
    fn word(&mut self, word: &str, depth: usize) -> Resolved {
        let mut out = Resolved::default();
        match brush_parser::word::parse(word, &ParserOptions::default()) {
            Ok(pieces) => {
                for piece in pieces {
                    self.piece(&piece.piece, &mut out, depth);
                }
            }
            Err(_) => {
                self.unreadable(Unreadable::Syntax);
                out.text = word.to_owned();
                out.computed = true;
            }
        }
        out
    }

    fn piece(&mut self, piece: &WordPiece, out: &mut Resolved, depth: usize) {
        match piece {
            WordPiece::Text(s) | WordPiece::SingleQuotedText(s) => out.text.push_str(s),
            WordPiece::AnsiCQuotedText(s) => out.text.push_str(&c_escapes(s)),
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => {
                for p in inner {
                    self.piece(&p.piece, out, depth);
                }
            }
            WordPiece::TildeExpansion(_) => out.text.push('~'),
            WordPiece::ParameterExpansion(expr) => match self.parameter(expr, depth) {
                Some(value) => out.text.push_str(&value),
                None => {
                    out.text.push_str("$VAR");
                    out.computed = true;
                }
            },
            WordPiece::CommandSubstitution(program)
            | WordPiece::BackquotedCommandSubstitution(program) => {
                match self.program(program, depth + 1) {
                    Some(output) => out.text.push_str(output.trim_end_matches('\n')),
                    None => {
                        out.text.push_str("$(...)");
                        out.computed = true;
                    }
                }
            }
            WordPiece::EscapeSequence(s) => out.text.push_str(s.strip_prefix('\\').unwrap_or(s)),
            WordPiece::ArithmeticExpression(_) => out.text.push('0'),
        }
    }

    /// The value of a parameter expansion, when static: variables assigned earlier in the text, the known
    /// environment (`IFS` is a space, `HOME` is `~`, `PWD` is `.`), and `${x:-default}` of an unset `x`.
    fn parameter(&mut self, expr: &ParameterExpr, depth: usize) -> Option<String> {
        match expr {
            ParameterExpr::Parameter {
                parameter,
                indirect: false,
            } => self.variable(parameter),
            ParameterExpr::UseDefaultValues {
                parameter,
                indirect: false,
                default_value,
                ..
            }
            | ParameterExpr::AssignDefaultValues {
                parameter,
                indirect: false,
                default_value,
                ..
            } => self.variable(parameter).or_else(|| {
                let default = default_value.as_deref().unwrap_or("");
                let resolved = self.word(default, depth);
                (!resolved.computed).then_some(resolved.text)
            }),
            _ => None,
        }
    }

    fn variable(&self, parameter: &Parameter) -> Option<String> {
        let Parameter::Named(name) = parameter else {
            return None;
        };
        if let Some(value) = self.vars.get(name) {
            return Some(value.clone());
        }
        match name.as_str() {
            "IFS" => Some(" ".to_owned()),
            "HOME" => Some("~".to_owned()),
            "PWD" | "OLDPWD" => Some(".".to_owned()),
            _ => None,
        }
    }
}

/// The output of two commands run one after the other: static only if both are.
fn concat(first: Option<String>, second: Option<String>) -> Option<String> {
    let (mut first, second) = (first?, second?);
    first.push_str(&second);
    Some(first)
}

/// Tokenises and parses `text`; `None` if it is not valid shell.
fn parse(text: &str) -> Option<Vec<Token>> {
    let tokens = brush_parser::uncached_tokenize_str(text, &TokenizerOptions::default()).ok()?;
    brush_parser::parse_tokens(&tokens, &ParserOptions::default()).ok()?;
    Some(tokens)
}

/// `text` with the apostrophes of English contractions removed (`don't`, `it's`, `we'll`), for natural-language
/// text around a command: only tried when the text as written is not valid shell, and every quote removed only
/// makes more of the text unquoted, so screening sees more, never less.
fn without_apostrophes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '\'' | '\u{2019}') && i > 0 && chars[i - 1].is_alphabetic() {
            let rest: String = chars[i + 1..].iter().take(3).collect();
            let suffix_len = ["s", "t", "re", "ve", "ll", "d", "m"]
                .iter()
                .find(|s| rest.starts_with(**s))
                .map(|s| s.len());
            if let Some(n) = suffix_len
                && chars.get(i + 1 + n).is_none_or(|c| !c.is_alphanumeric())
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Appends a resolved piece to the rendered line: adjacent in the source means adjacent in the line (`<(curl`),
/// otherwise one space between.
fn render(line: &mut String, last_end: &mut usize, piece: &str, start: usize, end: usize) {
    if !line.is_empty() && start != *last_end {
        line.push(' ');
    }
    line.push_str(piece);
    *last_end = end;
}

/// Splits resolved words at whitespace, as the shell splits an unquoted expansion.
fn split_words(words: Vec<Resolved>) -> Vec<Resolved> {
    words
        .into_iter()
        .flat_map(|w| {
            let computed = w.computed;
            w.text
                .split_whitespace()
                .map(|t| Resolved {
                    text: t.to_owned(),
                    computed,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The command in the canonical spelling the patterns know, for commands whose options can be spelled many
/// ways: `rm -fr`, `rm -r -f`, `rm -Rf`, `rm --recursive --force` all read `rm -rf TARGETS`; `shred`, `wipefs`
/// and `mkfs*` read as the command and its targets without options.
fn canonical_line(name: &str, args: &[Resolved]) -> Option<String> {
    let targets = || {
        args.iter()
            .filter(|a| !a.text.starts_with('-') && !a.text.bytes().all(|b| b.is_ascii_digit()))
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match name {
        "rm" => {
            let mut recursive = false;
            let mut force = false;
            for a in args.iter().map(|a| a.text.as_str()) {
                match a {
                    "--recursive" => recursive = true,
                    "--force" => force = true,
                    flag if flag.starts_with('-') && !flag.starts_with("--") => {
                        recursive |= flag.contains(['r', 'R']);
                        force |= flag.contains('f');
                    }
                    _ => {}
                }
            }
            Some(match (recursive, force) {
                (true, true) => format!("rm -rf {}", targets()),
                (true, false) => format!("rm -r {}", targets()),
                _ => format!("rm {}", targets()),
            })
        }
        n if n == "shred" || n == "wipefs" || n.starts_with("mkfs") => {
            Some(format!("{n} {}", targets()))
        }
        _ => None,
    }
}

/// True if `name` runs the program it reads (a shell, an interpreter, `source`, `.`, `eval`).
fn runs_its_input(name: &str) -> bool {
    SHELLS.contains(&name)
        || INTERPRETERS.iter().any(|(i, _)| *i == name)
        || matches!(name, "source" | "." | "eval")
}

/// True for redirection operators (the next word is their target).
fn is_redirect(op: &str) -> bool {
    matches!(
        op,
        ">" | ">>" | "<" | "<<<" | ">&" | "<&" | "&>" | "&>>" | ">|" | "<>" | "<<" | "<<-"
    )
}

/// True for a shell variable name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
