//! The SQLite [`Store`]: WAL journal, versioned schema, one [`Db`] type that owns a connection and issues all
//! SQL.
//!
//! # Durability
//!
//! Both modes use `journal_mode=WAL`, and [`Store::commit`] returns only after SQLite's commit returned, so
//! *acknowledged means the entry survives a crash of the process* (kill -9, panic, OOM kill) in either mode.
//!
//! - [`Durability::ProcessCrash`] (the default) runs `synchronous=NORMAL`: a commit has written the group's WAL
//!   frames to the operating system before returning, and the WAL is fsynced at checkpoints. A process crash
//!   loses nothing acknowledged. An OS crash or power loss may roll back the most recently acknowledged groups
//!   (the file stays consistent: the log ends earlier, never corrupt, never forked). Cost: no fsync per append.
//! - [`Durability::PowerLoss`] runs `synchronous=FULL`: every commit fsyncs the WAL before returning, so an
//!   acknowledged entry also survives an OS crash or power loss (given a disk that honours fsync). Cost: one
//!   fsync per group; group commit shares it among every entry that became ready meanwhile, and
//!   [`AuditLog::append_batch`](crate::AuditLog::append_batch) among a whole batch.

use std::ops::Range;
use std::path::{Path, PathBuf};

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior, params};

use super::{Order, Query, Store, StoredRow};
use crate::attest::Attestation;
use crate::entry::{Entry, Signature};
use crate::error::{AuditError, EntryFault};
use crate::hasher::Hash;
use crate::proof::NodeSource;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::sync::Mutex;
use crate::tree_math::NodeId;

/// Table of log entries, one row per sequence number.
const ENTRIES: &str = "entries";
/// Table of interior Merkle nodes (level >= 1); leaves are the entries' `leaf_hash`.
const NODES: &str = "tree_nodes";
/// Table of signed tree heads.
const HEADS: &str = "tree_heads";
/// Key/value facts about the log (its public key).
const META: &str = "meta";
/// `PRAGMA application_id` marking a database as an Aegis audit log ("AEGA").
const APPLICATION_ID: i64 = 0x4145_4741;
/// The schema version this build creates and understands (`migrations().len()`).
pub const SCHEMA_VERSION: i64 = 2;

const ENTRY_COLUMNS: &str =
    "seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature, attestations";

/// The schema, as an append-only list of migrations; `PRAGMA user_version` counts how many have run.
/// Never remove or edit an entry: add a new one.
fn migrations() -> Vec<String> {
    vec![
        format!(
            "-- {META}: facts about the log, e.g. its public key.
         CREATE TABLE {META} (key TEXT PRIMARY KEY, value BLOB NOT NULL);
         -- {ENTRIES}: the chain; seq is the rowid, so seq order is the table order.
         CREATE TABLE {ENTRIES} (
             seq INTEGER PRIMARY KEY,
             ts_ns INTEGER NOT NULL,
             actor TEXT NOT NULL,
             action TEXT NOT NULL,
             payload TEXT NOT NULL,
             prev_hash BLOB NOT NULL,
             leaf_hash BLOB NOT NULL,
             signature BLOB NOT NULL
         );
         CREATE INDEX {ENTRIES}_by_ts ON {ENTRIES} (ts_ns);
         CREATE INDEX {ENTRIES}_by_action_ts ON {ENTRIES} (action, ts_ns);
         -- {NODES}: perfect Merkle subtrees above the leaves, for O(log n) roots and proofs.
         CREATE TABLE {NODES} (
             level INTEGER NOT NULL,
             idx INTEGER NOT NULL,
             hash BLOB NOT NULL,
             PRIMARY KEY (level, idx)
         ) WITHOUT ROWID;
         -- {HEADS}: every signed tree head the log published.
         CREATE TABLE {HEADS} (
             size INTEGER PRIMARY KEY,
             ts_ns INTEGER NOT NULL,
             root BLOB NOT NULL,
             signature BLOB NOT NULL
         );"
        ),
        format!(
            "-- {ENTRIES}.attestations: statements signed by others (JSON array of
             -- {{signer, statement, signature}}, hex), NULL when the entry has none.
             ALTER TABLE {ENTRIES} ADD COLUMN attestations TEXT;"
        ),
    ]
}

/// What an acknowledged entry survives (see the module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=NORMAL` with WAL: survives a process crash; an OS crash or power loss may drop the most
    /// recent groups.
    #[default]
    ProcessCrash,
    /// `synchronous=FULL` with WAL: survives a process crash, an OS crash and power loss (one fsync per group).
    PowerLoss,
}

impl ToSql for Hash {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Blob(&self.0)))
    }
}

impl FromSql for Hash {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let b = value.as_blob()?;
        Hash::from_slice(b).ok_or(FromSqlError::InvalidBlobSize {
            expected_size: 32,
            blob_size: b.len(),
        })
    }
}

fn classify(e: rusqlite::Error) -> AuditError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            AuditError::CorruptDatabase(e.to_string())
        }
        _ => AuditError::Sqlite(e),
    }
}

/// Reads a blob leniently: a wrong-sized value (a damaged row) becomes zeros, so verification reports the
/// row's sequence number instead of failing to read it.
fn lenient<const N: usize>(row: &Row<'_>, idx: usize) -> rusqlite::Result<[u8; N]> {
    let value = row.get_ref(idx)?;
    Ok(value
        .as_blob()
        .ok()
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .unwrap_or([0u8; N]))
}

/// The attestations column: NULL for none, else a JSON array.
fn attestations_from_row(row: &Row<'_>, idx: usize) -> rusqlite::Result<Vec<Attestation>> {
    let text: Option<String> = row.get(idx)?;
    text.map_or(Ok(Vec::new()), |t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    })
}

fn attestations_to_sql(attestations: &[Attestation]) -> Option<String> {
    (!attestations.is_empty()).then(|| serde_json::to_string(attestations).unwrap_or_default())
}

/// Decodes a row for verification: every column must have its declared type, else the fault names the
/// column (the row's sequence number is reported with it). Blobs of the wrong size are read as zeros, so the
/// hash, link or signature check names the entry.
fn checked_entry(row: &Row<'_>, seq: i64) -> Result<Entry, EntryFault> {
    let bad = |column| EntryFault::Unreadable { column };
    let int = |idx, column| match row.get_ref(idx) {
        Ok(ValueRef::Integer(v)) => u64::try_from(v).map_err(|_| bad(column)),
        _ => Err(bad(column)),
    };
    let text = |idx, column| match row.get_ref(idx) {
        Ok(ValueRef::Text(t)) => std::str::from_utf8(t)
            .map(str::to_owned)
            .map_err(|_| bad(column)),
        _ => Err(bad(column)),
    };
    let blob = |idx| lenient::<32>(row, idx).map_err(|_| bad("hash"));
    let attestations = match row.get_ref(8) {
        Ok(ValueRef::Null) => Vec::new(),
        Ok(ValueRef::Text(t)) => serde_json::from_slice(t).map_err(|_| bad("attestations"))?,
        _ => return Err(bad("attestations")),
    };
    Ok(Entry {
        seq: u64::try_from(seq).map_err(|_| bad("seq"))?,
        timestamp_ns: int(1, "ts_ns")?,
        actor: text(2, "actor")?,
        action: text(3, "action")?,
        payload: text(4, "payload")?,
        prev_hash: Hash(blob(5)?),
        hash: Hash(blob(6)?),
        signature: Signature(lenient::<64>(row, 7).map_err(|_| bad("signature"))?),
        attestations,
    })
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: get_u64(row, 0)?,
        timestamp_ns: get_u64(row, 1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        payload: row.get(4)?,
        prev_hash: Hash(lenient::<32>(row, 5)?),
        hash: Hash(lenient::<32>(row, 6)?),
        signature: Signature(lenient::<64>(row, 7)?),
        attestations: attestations_from_row(row, 8)?,
    })
}

/// SQLite integers are i64; sequence numbers and timestamps stay below `i64::MAX` (year 2262 for ns).
fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn get_u64(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    Ok(u64::try_from(v).unwrap_or(u64::MAX))
}

/// The one owner of a SQLite connection; every statement of this store is issued here.
#[derive(Debug)]
struct Db {
    conn: Connection,
}

impl Db {
    /// Opens (creating if absent) and migrates the database at `path`. A foreign or newer file is rejected
    /// before anything is written to it.
    fn open_writer(path: &Path, durability: Durability) -> Result<Self, AuditError> {
        let mut conn = Connection::open(path).map_err(classify)?;
        let app_id: i64 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(classify)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(classify)?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(classify)?;
        if app_id != APPLICATION_ID && (app_id != 0 || version != 0 || tables != 0) {
            return Err(AuditError::NotAnAuditLog {
                path: path.to_owned(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(AuditError::UnsupportedSchemaVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(classify)?;
        let sync = match durability {
            Durability::PowerLoss => "FULL",
            Durability::ProcessCrash => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Self { conn })
    }

    /// A second, read-only connection for queries, so readers never wait for the committer (WAL).
    fn open_reader(path: &Path) -> Result<Self, AuditError> {
        let conn = Connection::open(path).map_err(classify)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "query_only", true)?;
        // Queries and verification touch pages all over the file: map it (256 MiB window) and keep a larger
        // page cache (32 MiB) so a 10K-row query is not 10K `pread` calls.
        conn.pragma_update(None, "mmap_size", 256i64 << 20)?;
        conn.pragma_update(None, "cache_size", -(32i64 << 10))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Self { conn })
    }

    fn public_key(&self) -> Result<Option<Vec<u8>>, AuditError> {
        let sql = format!("SELECT value FROM {META} WHERE key = 'public_key'");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([], |r| r.get(0))
            .optional()?)
    }

    fn set_public_key(&self, key: &[u8; 32]) -> Result<(), AuditError> {
        let sql = format!("INSERT INTO {META} (key, value) VALUES ('public_key', ?1)");
        self.conn.prepare_cached(&sql)?.execute([&key[..]])?;
        Ok(())
    }

    fn commit(&mut self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins = tx.prepare_cached(&format!(
                "INSERT INTO {ENTRIES} ({ENTRY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))?;
            for e in entries {
                ins.execute(params![
                    clamp_i64(e.seq),
                    clamp_i64(e.timestamp_ns),
                    e.actor,
                    e.action,
                    e.payload,
                    e.prev_hash,
                    e.hash,
                    &e.signature.0[..],
                    attestations_to_sql(&e.attestations)
                ])?;
            }
            let mut node = tx.prepare_cached(&format!(
                "INSERT INTO {NODES} (level, idx, hash) VALUES (?1, ?2, ?3)"
            ))?;
            for (id, h) in nodes {
                node.execute(params![id.level, clamp_i64(id.index), h])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        let mut leaf = self
            .conn
            .prepare_cached(&format!("SELECT leaf_hash FROM {ENTRIES} WHERE seq = ?1"))?;
        let mut node = self.conn.prepare_cached(&format!(
            "SELECT hash FROM {NODES} WHERE level = ?1 AND idx = ?2"
        ))?;
        ids.iter()
            .map(|id| {
                // Lenient: a damaged hash reads as zeros, so verification names the node, not a read error.
                let h: Option<Hash> = if id.level == 0 {
                    leaf.query_row([clamp_i64(id.index)], |r| lenient::<32>(r, 0))
                        .optional()?
                } else {
                    node.query_row(params![id.level, clamp_i64(id.index)], |r| {
                        lenient::<32>(r, 0)
                    })
                    .optional()?
                }
                .map(Hash);
                h.ok_or(AuditError::MissingNodes)
            })
            .collect()
    }

    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM {ENTRIES} ORDER BY seq DESC LIMIT 1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([], entry_from_row)
            .optional()?)
    }

    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM {ENTRIES} WHERE seq >= ?1 AND seq < ?2 ORDER BY seq"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![clamp_i64(seqs.start), clamp_i64(seqs.end)],
            entry_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn scan(&self, from: i64, limit: usize) -> Result<Vec<StoredRow>, AuditError> {
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM {ENTRIES} WHERE seq >= ?1 ORDER BY seq LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![from, limit], |row| {
            // `seq` is the rowid: always an integer.
            let seq: i64 = row.get(0)?;
            Ok(StoredRow {
                seq,
                entry: checked_entry(row, seq),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Makes everything committed durable: one write transaction under `synchronous=FULL`, whose commit
    /// fsyncs the WAL and with it every earlier commit's frames (frames already checkpointed were synced by
    /// the checkpoint). It records the durable size in `meta`.
    fn sync(&mut self, durability: Durability) -> Result<(), AuditError> {
        if durability != Durability::PowerLoss {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                &format!(
                    "INSERT OR REPLACE INTO {META} (key, value) \
                     SELECT 'synced_size', coalesce(max(seq) + 1, 0) FROM {ENTRIES}"
                ),
                [],
            )?;
            tx.commit()
        })();
        if durability != Durability::PowerLoss {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        Ok(result?)
    }

    fn query_page_sql(query: &Query, after: bool) -> String {
        let (dir, cmp) = match query.order {
            Order::Ascending => ("ASC", ">"),
            Order::Descending => ("DESC", "<"),
        };
        let action = if query.action.is_some() {
            " AND action = ?3"
        } else {
            ""
        };
        let cursor = if after {
            format!(" AND (ts_ns, seq) {cmp} (?5, ?6)")
        } else {
            String::new()
        };
        format!(
            "SELECT {ENTRY_COLUMNS} FROM {ENTRIES} WHERE ts_ns >= ?1 AND ts_ns < ?2{action}{cursor} \
             ORDER BY ts_ns {dir}, seq {dir} LIMIT ?4"
        )
    }

    fn query_page(
        &self,
        query: &Query,
        after: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<Entry>, AuditError> {
        let mut stmt = self
            .conn
            .prepare_cached(&Self::query_page_sql(query, after.is_some()))?;
        let (from, until) = (clamp_i64(query.from_ns), clamp_i64(query.until_ns));
        let action = query.action.as_deref().unwrap_or("");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // The statement names ?5 and ?6 only with a cursor, and SQLite counts parameters up to the highest.
        let rows = match after {
            Some((ts, seq)) => stmt.query_map(
                params![from, until, action, limit, clamp_i64(ts), clamp_i64(seq)],
                entry_from_row,
            )?,
            None => stmt.query_map(params![from, until, action, limit], entry_from_row)?,
        };
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn query_sql(query: &Query) -> String {
        let dir = match query.order {
            Order::Ascending => "ASC",
            Order::Descending => "DESC",
        };
        let action = if query.action.is_some() {
            " AND action = ?3"
        } else {
            ""
        };
        format!(
            "SELECT {ENTRY_COLUMNS} FROM {ENTRIES} WHERE ts_ns >= ?1 AND ts_ns < ?2{action} \
             ORDER BY ts_ns {dir}, seq {dir} LIMIT ?4"
        )
    }

    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        let mut stmt = self.conn.prepare_cached(&Self::query_sql(query))?;
        let limit = query
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let rows = stmt.query_map(
            params![
                clamp_i64(query.from_ns),
                clamp_i64(query.until_ns),
                query.action.as_deref().unwrap_or(""),
                limit
            ],
            entry_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn explain(&self, query: &Query) -> Result<Vec<String>, AuditError> {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", Self::query_sql(query)))?;
        let rows = stmt.query_map(params![0i64, 0i64, "", -1i64], |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        let sql = format!(
            "INSERT OR REPLACE INTO {HEADS} (size, ts_ns, root, signature) VALUES (?1, ?2, ?3, ?4)"
        );
        self.conn.prepare_cached(&sql)?.execute(params![
            clamp_i64(sth.size),
            clamp_i64(sth.timestamp_ns),
            sth.root,
            &sth.signature.0[..]
        ])?;
        Ok(())
    }

    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        let sql =
            format!("SELECT size, ts_ns, root, signature FROM {HEADS} ORDER BY size DESC LIMIT 1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([], |r| {
                Ok(SignedTreeHead {
                    size: get_u64(r, 0)?,
                    timestamp_ns: get_u64(r, 1)?,
                    root: Hash(lenient::<32>(r, 2)?),
                    signature: Signature(lenient::<64>(r, 3)?),
                })
            })
            .optional()?)
    }
}

/// Applies the missing migrations in one exclusive transaction and stamps the file as ours.
///
/// # Errors
/// [`AuditError::UnsupportedSchemaVersion`] for a newer file; SQLite errors.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), AuditError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let all = migrations();
    let done = usize::try_from(version).unwrap_or(usize::MAX);
    if done > all.len() {
        return Err(AuditError::UnsupportedSchemaVersion {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    for m in &all[done..] {
        tx.execute_batch(m)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

/// A durable [`Store`] in one SQLite file (plus its `-wal` and `-shm` companions).
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    durability: Durability,
    writer: Mutex<Db>,
    reader: Mutex<Db>,
}

impl SqliteStore {
    /// Opens or creates the log database at `path` with the default [`Durability::ProcessCrash`].
    ///
    /// # Errors
    /// [`AuditError::NotAnAuditLog`] for another application's database, [`AuditError::CorruptDatabase`] for a
    /// file that is not SQLite, [`AuditError::UnsupportedSchemaVersion`] for a newer schema; nothing is
    /// written to such files.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        Self::open_with(path, Durability::default())
    }

    /// Opens or creates the log database at `path` with the given durability.
    ///
    /// # Errors
    /// As [`Self::open`].
    pub fn open_with(path: impl AsRef<Path>, durability: Durability) -> Result<Self, AuditError> {
        let path = path.as_ref().to_owned();
        let writer = Db::open_writer(&path, durability)?;
        let reader = Db::open_reader(&path)?;
        Ok(Self {
            path,
            durability,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `detail` lines of SQLite's `EXPLAIN QUERY PLAN` for `query` (to check it is served by an index).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn explain(&self, query: &Query) -> Result<Vec<String>, AuditError> {
        self.reader.lock().explain(query)
    }
}

impl NodeSource for SqliteStore {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        self.reader.lock().node_hashes(ids)
    }
}

impl Store for SqliteStore {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        let db = self.writer.lock();
        match db.public_key()? {
            Some(k) if k.as_slice() == key.to_bytes().as_slice() => Ok(()),
            Some(_) => Err(AuditError::KeyMismatch),
            None => db.set_public_key(&key.to_bytes()),
        }
    }

    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        self.writer.lock().commit(entries, nodes)
    }

    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        self.reader.lock().last_entry()
    }

    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        self.reader.lock().entries(seqs)
    }

    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        self.reader.lock().query(query)
    }

    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        self.writer.lock().save_tree_head(sth)
    }

    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.reader.lock().latest_tree_head()
    }

    fn sync(&self) -> Result<(), AuditError> {
        self.writer.lock().sync(self.durability)
    }

    fn scan(&self, from: i64, limit: usize) -> Result<Vec<StoredRow>, AuditError> {
        self.reader.lock().scan(from, limit)
    }

    fn query_page(
        &self,
        query: &Query,
        after: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<Entry>, AuditError> {
        self.reader.lock().query_page(query, after, limit)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_master ORDER BY name")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| r.get::<_, Option<String>>(0))
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|r| r.ok().flatten())
            .collect()
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        migrate(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        let first = schema(&conn);
        migrate(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, schema(&conn));
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap_or(-1);
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(migrations().len() as i64, SCHEMA_VERSION);
    }

    #[test]
    fn a_version_1_log_migrates_and_its_entries_read_without_attestations() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(&migrations()[0])
            .unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "user_version", 1)
            .unwrap_or_else(|e| panic!("{e}"));
        conn.execute(
            "INSERT INTO entries (seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature) \
             VALUES (0, 5, 'a', 'b', '{}', zeroblob(32), zeroblob(32), zeroblob(64))",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        migrate(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        let db = Db { conn };
        let entries = db.entries(0..1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entries.len(), 1);
        assert!(entries[0].attestations.is_empty());
        let v: i64 = db
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap_or(-1);
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "user_version", 7)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            migrate(&mut conn),
            Err(AuditError::UnsupportedSchemaVersion { found: 7, .. })
        ));
    }
}
