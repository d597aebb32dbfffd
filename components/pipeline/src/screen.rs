//! What the screens read: every field the executor will receive, rendered as text.
//!
//! The executor gets the whole [`ActionRequest`], so the firewall and the love engine must read all of
//! it, not only `content`: a request whose `content` says "check disk" while its `parameters` say
//! `{"bin": "rm", "args": ["-rf", "/"]}` is a request to run `rm -rf /`. `render` writes one line per
//! readable piece: the content, every string (and number or boolean) leaf of the parameters with its
//! JSON path, each argv-like part of the parameters as the command line it spells, the expected outcome
//! and the context. The firewall screens the whole rendering; the love engine, which reads the
//! parameters and the expected outcome itself, gets the content, the command lines and the context.
//!
//! Argv-like means: a JSON array of strings (`["rm", "-rf", "/"]`), or an object holding a program
//! under one of [`PROGRAM_KEYS`] and its arguments under one of [`ARGUMENT_KEYS`]. Arguments are
//! joined with single spaces, unquoted, which is how the patterns read a command line.
//!
//! The alternative rejected: screening each field on its own. It costs one firewall pass per field and
//! misses what only the fields together say (a program in one field, its arguments in another).

use serde_json::Value;

use crate::ActionRequest;

/// Object keys that name the program of a command.
pub const PROGRAM_KEYS: &[&str] = &[
    "bin",
    "binary",
    "cmd",
    "command",
    "exe",
    "executable",
    "program",
    "shell",
    "interpreter",
];

/// Object keys that hold a command's arguments.
pub const ARGUMENT_KEYS: &[&str] = &["args", "argv", "arguments", "params", "options"];

/// Deepest parameter nesting that is rendered; deeper values are rendered as their JSON text.
const MAX_DEPTH: usize = 32;

/// The firewall's view of `request`: every field, one piece per line.
pub(crate) fn render(request: &ActionRequest) -> String {
    let mut out = String::with_capacity(
        request.content.len() + request.context.len() + request.expected_outcome.len() + 64,
    );
    out.push_str(&request.content);
    render_parameters(&request.parameters, &mut out);
    push_line(&mut out, &request.expected_outcome);
    push_line(&mut out, &request.context);
    out
}

/// The love engine's context: the content, the parameters' command lines, the context.
pub(crate) fn ethics_context(request: &ActionRequest) -> String {
    let mut out = request.content.clone();
    let mut lines = Vec::new();
    command_lines(&request.parameters, 0, &mut lines);
    for line in lines {
        out.push_str(".\n");
        out.push_str(&line);
    }
    if !request.context.is_empty() {
        out.push_str(".\n");
        out.push_str(&request.context);
    }
    out
}

fn push_line(out: &mut String, text: &str) {
    if !text.is_empty() {
        out.push('\n');
        out.push_str(text);
    }
}

fn render_parameters(parameters: &Value, out: &mut String) {
    if parameters.is_null() {
        return;
    }
    let mut path = String::from("$");
    leaves(parameters, &mut path, 0, out);
    let mut lines = Vec::new();
    command_lines(parameters, 0, &mut lines);
    for line in lines {
        push_line(out, &line);
    }
}

/// Writes `path: value` for every scalar leaf.
fn leaves(value: &Value, path: &mut String, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        push_line(out, &format!("{path}: {value}"));
        return;
    }
    let len = path.len();
    match value {
        Value::Null => {}
        Value::Bool(b) => push_line(out, &format!("{path}: {b}")),
        Value::Number(n) => push_line(out, &format!("{path}: {n}")),
        Value::String(s) => push_line(out, &format!("{path}: {s}")),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                leaves(item, path, depth + 1, out);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push('.');
                path.push_str(key);
                leaves(item, path, depth + 1, out);
                path.truncate(len);
            }
        }
    }
}

/// Collects the command lines spelled by argv-like parts of `value`.
fn command_lines(value: &Value, depth: usize, lines: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => {
            if let Some(words) = all_strings(items) {
                lines.push(words.join(" "));
            }
            for item in items {
                command_lines(item, depth + 1, lines);
            }
        }
        Value::Object(map) => {
            let program = PROGRAM_KEYS
                .iter()
                .find_map(|key| map.get(*key).and_then(Value::as_str));
            let arguments = ARGUMENT_KEYS.iter().find_map(|key| match map.get(*key) {
                Some(Value::Array(items)) => all_strings(items).map(|w| w.join(" ")),
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            });
            match (program, arguments) {
                (Some(program), Some(arguments)) => lines.push(format!("{program} {arguments}")),
                (Some(program), None) => lines.push(program.to_owned()),
                _ => {}
            }
            for item in map.values() {
                command_lines(item, depth + 1, lines);
            }
        }
        _ => {}
    }
}

fn all_strings(items: &[Value]) -> Option<Vec<&str>> {
    if items.is_empty() {
        return None;
    }
    items.iter().map(Value::as_str).collect()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parameters_are_rendered_as_the_command_they_spell() {
        let request = ActionRequest::new("a", "shell.exec", "check disk")
            .with_parameters(json!({"bin": "rm", "args": ["-rf", "/"]}))
            .with_expected_outcome("free space")
            .with_context("cron");
        let text = render(&request);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "check disk");
        assert!(lines.contains(&"rm -rf /"), "{text}");
        assert!(lines.contains(&"$.bin: rm"), "{text}");
        assert!(lines.contains(&"$.args[1]: /"), "{text}");
        assert!(lines.contains(&"free space") && lines.contains(&"cron"));
        assert!(ethics_context(&request).contains("rm -rf /"));
    }

    #[test]
    fn a_bare_argv_array_and_nested_commands_are_found() {
        let request = ActionRequest::new("a", "t", "x").with_parameters(
            json!({"steps": [["sh", "-c", "rm -rf /"], {"command": "shred", "argv": "/dev/sda"}]}),
        );
        let text = render(&request);
        assert!(text.lines().any(|l| l == "sh -c rm -rf /"), "{text}");
        assert!(text.lines().any(|l| l == "shred /dev/sda"), "{text}");
    }

    #[test]
    fn deep_nesting_terminates() {
        let mut value = json!("rm -rf /");
        for _ in 0..200 {
            value = json!([value]);
        }
        let text = render(&ActionRequest::new("a", "t", "x").with_parameters(value));
        assert!(text.contains("rm -rf /"));
    }
}
