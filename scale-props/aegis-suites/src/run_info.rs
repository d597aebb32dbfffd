//! What a report states at its top: when it ran, on which machine, how long it took, and the command.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The facts at the top of a report.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// UTC date and time the run finished, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// Machine: CPU model, logical CPUs, memory, OS kernel (what could be read).
    pub machine: String,
    /// Wall time of the run.
    pub duration: Duration,
    /// The command line that produced the report.
    pub command: String,
    /// The scale the suites ran at (`test` for `--quick`, `full`).
    pub scale: crate::Scale,
}

/// `args` as one shell line: an argument with whitespace or quotes is single-quoted, so the line can be
/// pasted back (a connection string such as `host=127.0.0.1 port=54329` stays one argument).
///
/// ```
/// let line = aegis_scale::run_info::shell_words(["aegis-scale", "--audit", "host=h port=1", "it's"].map(String::from));
/// assert_eq!(line, r#"aegis-scale --audit 'host=h port=1' 'it'\''s'"#);
/// ```
pub fn shell_words(args: impl IntoIterator<Item = String>) -> String {
    args.into_iter()
        .map(|a| {
            if !a.is_empty() && !a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl RunInfo {
    /// The facts of this process's run, which took `duration` at `scale`.
    pub fn now(duration: Duration, scale: crate::Scale) -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            date: utc_date(secs),
            machine: machine(),
            duration,
            command: shell_words(std::env::args()),
            scale,
        }
    }

    /// The Markdown lines of the facts.
    pub fn markdown(&self) -> String {
        format!(
            "- Date: {}\n- Machine: {}\n- Duration: {:.0} s\n- Command: `{}` ({} scale)\n",
            self.date,
            self.machine,
            self.duration.as_secs_f64(),
            self.command,
            self.scale.name()
        )
    }
}

/// `YYYY-MM-DD HH:MM UTC` for `secs` since the Unix epoch (proleptic Gregorian calendar).
///
/// ```
/// assert_eq!(aegis_scale::run_info::utc_date(0), "1970-01-01 00:00 UTC");
/// assert_eq!(aegis_scale::run_info::utc_date(1_709_210_096), "2024-02-29 12:34 UTC");
/// ```
pub fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

fn first_value(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

/// The machine, as far as it can be read: CPU model, logical CPUs, memory, kernel.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = first_value("/proc/cpuinfo", "model name")
        .unwrap_or_else(|| "CPU model unknown".to_owned());
    let memory = first_value("/proc/meminfo", "MemTotal")
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(
            || "memory unknown".to_owned(),
            |kib| format!("{:.1} GiB", kib / 1_048_576.0),
        );
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or_else(
        |_| std::env::consts::OS.to_owned(),
        |k| format!("Linux {}", k.trim()),
    );
    format!("{model}, {cpus} logical CPUs, {memory}, {kernel}")
}
