//! Writer processes: the main job re-executing itself as a process that appends to one shared log in
//! PostgreSQL on request, and the pool of such processes a worker sweep drives (worker `w` talks to process
//! `w`, so `n` workers are `n` processes appending at once).
//!
//! The protocol is one line each way: the pool writes an operation index, the process appends one entry and
//! answers `ok <seq>` once the transaction carrying it committed, or `err <message>`. End of input ends the
//! process.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use audit_system::{LogKey, SharedLog};
use scale_props::OpError;

use crate::SuiteError;

/// The command-line flag that turns the main job into a writer process (followed by the URL, the schema
/// and the log key's file).
pub const WRITER_FLAG: &str = "--pg-writer";

/// Serves appends on `url`/`schema` signed with the key in `key_file`: one line in (an operation index),
/// one line out (`ok <seq>` or `err <message>`), until `input` ends.
///
/// # Errors
/// [`SuiteError::Postgres`] if the log cannot be opened or the key read; [`SuiteError::Io`] if the pipes
/// fail.
pub fn serve(
    url: &str,
    schema: &str,
    key_file: &Path,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<(), SuiteError> {
    let key = LogKey::load_file(key_file).map_err(|e| SuiteError::Postgres(e.to_string()))?;
    let log =
        SharedLog::connect(url, schema, key).map_err(|e| SuiteError::Postgres(e.to_string()))?;
    let actor = format!("writer-{}", std::process::id());
    let io = |source| SuiteError::Io {
        path: "writer pipe".to_owned(),
        source,
    };
    for line in input.lines() {
        let line = line.map_err(io)?;
        let answer = match line.trim().parse::<u64>() {
            Ok(op) => match log.append(&actor, "append", &format!("{{\"op\":{op}}}")) {
                Ok(r) => format!("ok {}", r.seq),
                Err(e) => format!("err {}", e.to_string().replace('\n', " ")),
            },
            Err(_) => format!("err not an operation index: {:?}", line.trim()),
        };
        writeln!(output, "{answer}").map_err(io)?;
        output.flush().map_err(io)?;
    }
    Ok(())
}

/// Sequence numbers handed out so far: a number given twice is an error of the operation that received it.
#[derive(Debug, Default)]
pub(super) struct GivenSeqs(Mutex<HashSet<u64>>);

impl GivenSeqs {
    /// `seq`, or `DuplicateSeq` if it was given before.
    pub(super) fn first_time(&self, seq: u64) -> Result<u64, OpError> {
        let fresh = self
            .0
            .lock()
            .map_err(|_| OpError::new("Poisoned"))?
            .insert(seq);
        if fresh {
            Ok(seq)
        } else {
            Err(OpError::new("DuplicateSeq"))
        }
    }
}

/// One writer process and its pipes.
#[derive(Debug)]
struct Writer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

/// Writer processes appending to one log, one per worker of a sweep, and the sequence numbers they were
/// given (a number given twice is an error of the operation that received it).
#[derive(Debug)]
pub struct WriterProcesses {
    writers: Vec<Mutex<Writer>>,
    seen: GivenSeqs,
}

impl WriterProcesses {
    /// Starts `n` processes of `exe` serving appends to `url`/`schema` with the key in `key_file`.
    ///
    /// # Errors
    /// A message if a process cannot be started.
    pub fn start(
        exe: &Path,
        n: usize,
        url: &str,
        schema: &str,
        key_file: &Path,
    ) -> Result<Self, String> {
        let writers = (0..n)
            .map(|_| {
                let mut child = Command::new(exe)
                    .arg(WRITER_FLAG)
                    .arg(url)
                    .arg(schema)
                    .arg(key_file)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot start writer {}: {e}", exe.display()))?;
                let stdin = child.stdin.take();
                let stdout = child.stdout.take().ok_or("writer has no stdout")?;
                Ok(Mutex::new(Writer {
                    child,
                    stdin,
                    stdout: BufReader::new(stdout),
                }))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            writers,
            seen: GivenSeqs::default(),
        })
    }

    /// Has writer `worker` append entry `i` and waits for its commit; returns the sequence number.
    ///
    /// # Errors
    /// `NoWriter` for a worker without a process, `WriterGone` if the process's pipes failed or it exited,
    /// `AppendFailed` if the append failed, `DuplicateSeq` if the number was given before.
    pub fn append(&self, worker: usize, i: u64) -> Result<u64, OpError> {
        let slot = self
            .writers
            .get(worker)
            .ok_or_else(|| OpError::new("NoWriter"))?;
        let mut w = slot.lock().map_err(|_| OpError::new("Poisoned"))?;
        let Writer { stdin, stdout, .. } = &mut *w;
        let stdin = stdin.as_mut().ok_or_else(|| OpError::new("WriterGone"))?;
        writeln!(stdin, "{i}").map_err(|_| OpError::new("WriterGone"))?;
        stdin.flush().map_err(|_| OpError::new("WriterGone"))?;
        let mut line = String::new();
        let read = stdout
            .read_line(&mut line)
            .map_err(|_| OpError::new("WriterGone"))?;
        if read == 0 {
            return Err(OpError::new("WriterGone"));
        }
        let seq = match line.trim().strip_prefix("ok ") {
            Some(n) => n.parse::<u64>().map_err(|_| OpError::new("WriterGone"))?,
            None => return Err(OpError::new("AppendFailed")),
        };
        drop(w);
        self.seen.first_time(seq)
    }
}

impl Drop for WriterProcesses {
    /// Closes every writer's input (it exits at end of input) and waits for it.
    fn drop(&mut self) {
        for w in &self.writers {
            if let Ok(mut w) = w.lock() {
                w.stdin = None;
                if w.child.wait().is_err() {
                    let _ = w.child.kill();
                }
            }
        }
    }
}
