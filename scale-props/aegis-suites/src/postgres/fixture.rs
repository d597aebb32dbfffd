//! A shared audit log in a schema of its own on the server, with its key in a file the writer processes
//! read; the schema is dropped when the fixture is.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use audit_system::{LogKey, SharedLog};

/// Entries appended per transaction while building a log of a given length.
const BUILD_BATCH: u64 = 1_024;

/// A shared log in a fresh schema, built to a length; the schema is dropped with it.
#[derive(Debug)]
pub struct PgLog {
    /// The log.
    pub log: SharedLog,
    /// The server's URL.
    pub url: String,
    /// The log's schema.
    pub schema: String,
    /// The file holding the log key (every writer process reads it).
    pub key_file: PathBuf,
    _dir: tempfile::TempDir,
    _drop: SchemaGuard,
}

/// A schema name no other run (in this or any other process) uses.
pub(super) fn fresh_schema(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "scale_{tag}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl PgLog {
    /// A new log on `url` holding `entries` entries (appended in transactions of `BUILD_BATCH`).
    ///
    /// # Errors
    /// A message if the key file, the schema or an append fails.
    pub fn with_entries(url: &str, tag: &str, entries: u64) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let key_file = dir.path().join("audit.key");
        let key = LogKey::create_file(&key_file).map_err(|e| e.to_string())?;
        let schema = fresh_schema(tag);
        let log = SharedLog::connect(url, &schema, key).map_err(|e| e.to_string())?;
        let mut done = 0;
        while done < entries {
            let n = (entries - done).min(BUILD_BATCH);
            let payloads: Vec<String> = (done..done + n)
                .map(|i| format!("{{\"path\":\"/srv/data/{i}\"}}"))
                .collect();
            let items: Vec<(&str, &str, &str)> = payloads
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let action = if k % 4 == 0 { "delete" } else { "read" };
                    ("preload", action, p.as_str())
                })
                .collect();
            log.append_batch(&items).map_err(|e| e.to_string())?;
            done += n;
        }
        Ok(Self {
            log,
            url: url.to_owned(),
            _drop: SchemaGuard {
                url: url.to_owned(),
                schema: schema.clone(),
            },
            schema,
            key_file,
            _dir: dir,
        })
    }
}

/// Drops a schema of the server when dropped (best effort: a leftover schema on a throwaway server harms
/// nothing).
#[derive(Debug)]
pub(super) struct SchemaGuard {
    /// The server's URL.
    pub url: String,
    /// The schema.
    pub schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}
