//! The PostgreSQL [`Store`]: one schema per log, shared by every writer process.
//!
//! # Tables (in the log's schema)
//!
//! - `entries`: one row per sequence number (`seq bigint PRIMARY KEY`, the last line of defence against a
//!   duplicate number), the same columns as the SQLite store.
//! - `tree_nodes`: every completed perfect Merkle subtree above the leaves, `PRIMARY KEY (level, idx)`.
//! - `tree_heads`: signed tree heads. `meta`: the log's public key and schema version.
//! - `log_head`: exactly one row (`id = 1`) holding the log's size, last leaf hash and last timestamp. Every
//!   commit locks it (`SELECT ... FOR UPDATE`) first, checks or reads the tail under that lock, writes the
//!   entries and nodes, moves the row and commits, all in one transaction: appends from any number of
//!   processes are serialised by the server, so the log can neither fork nor skip nor repeat a number.
//!
//! # Durability
//!
//! Every connection runs `synchronous_commit = on`, and a commit returns only after the server's COMMIT
//! returned: an acknowledged entry is in the server's flushed WAL (it survives a crash of the writer, of the
//! server and, with the server's `fsync = on`, of the machine). [`Store::sync`] has nothing left to do.
//!
//! # Connections
//!
//! A writer and a reader connection, each opened on first use and dropped after any error, so the next call
//! reconnects (after a server restart the first call on a dead connection fails with a typed error, reads
//! retry once on a fresh connection). Sessions run with `lock_timeout = 30s` and
//! `idle_in_transaction_session_timeout = 60s` unless the URL's `options` set them: a writer stuck while
//! holding the head-row lock makes the others fail with a typed error instead of hanging them.

use std::collections::HashMap;
use std::ops::Range;

use postgres::{Client, GenericClient, NoTls, Row, Transaction};

use super::{Order, Query, Store, StoredRow};
use crate::attest::Attestation;
use crate::entry::{Entry, Signature};
use crate::error::{AuditError, EntryFault};
use crate::hasher::Hash;
use crate::proof::NodeSource;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::sync::Mutex;
use crate::tree_math::NodeId;

/// The schema version this build creates and understands.
const SCHEMA_VERSION: i64 = 1;

/// How long an append waits for another writer's transaction before failing (unless the URL sets
/// `lock_timeout`).
const LOCK_TIMEOUT: &str = "30s";

/// How long the server lets a transaction sit idle before ending it (unless the URL sets
/// `idle_in_transaction_session_timeout`).
const IDLE_TIMEOUT: &str = "60s";

/// Advisory lock key serialising schema creation across processes ("AEGA").
const MIGRATION_LOCK: i64 = 0x4145_4741;

const ENTRY_COLUMNS: &str =
    "seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature, attestations";

/// The schema, version 1. Run inside the migration transaction with `search_path` set to the log's schema.
const SCHEMA_V1: &str = "
    CREATE TABLE meta (key text PRIMARY KEY, value bytea NOT NULL);
    CREATE TABLE entries (
        seq bigint PRIMARY KEY,
        ts_ns bigint NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        payload text NOT NULL,
        prev_hash bytea NOT NULL,
        leaf_hash bytea NOT NULL,
        signature bytea NOT NULL,
        attestations text
    );
    CREATE INDEX entries_by_ts ON entries (ts_ns, seq);
    CREATE INDEX entries_by_action_ts ON entries (action, ts_ns, seq);
    CREATE TABLE tree_nodes (
        level integer NOT NULL,
        idx bigint NOT NULL,
        hash bytea NOT NULL,
        PRIMARY KEY (level, idx)
    );
    CREATE TABLE tree_heads (
        size bigint PRIMARY KEY,
        ts_ns bigint NOT NULL,
        root bytea NOT NULL,
        signature bytea NOT NULL
    );
    CREATE TABLE log_head (
        id integer PRIMARY KEY CHECK (id = 1),
        size bigint NOT NULL,
        last_hash bytea NOT NULL,
        last_ts bigint NOT NULL
    );
    INSERT INTO log_head (id, size, last_hash, last_ts) VALUES (1, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000', 0);
";

/// The tail of the log as the `log_head` row records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tail {
    /// Number of entries.
    pub size: u64,
    /// Leaf hash of the last entry (zeros if none).
    pub last_hash: Hash,
    /// Timestamp of the last entry (0 if none).
    pub last_ts: u64,
}

/// Sequence numbers and timestamps stay below `i64::MAX` (year 2262 for ns).
fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A negative stored value (a damaged row) reads as `u64::MAX`, which verification reports.
fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Reads a bytea leniently: a wrong-sized value (a damaged row) becomes zeros, so verification reports the
/// row's sequence number instead of failing to read it.
fn lenient<const N: usize>(row: &Row, idx: usize) -> Result<[u8; N], postgres::Error> {
    let v: Vec<u8> = row.try_get(idx)?;
    Ok(<[u8; N]>::try_from(v.as_slice()).unwrap_or([0u8; N]))
}

fn attestations_to_sql(attestations: &[Attestation]) -> Option<String> {
    (!attestations.is_empty()).then(|| serde_json::to_string(attestations).unwrap_or_default())
}

fn entry_from_row(row: &Row) -> Result<Entry, AuditError> {
    let attestations: Option<String> = row.try_get(8)?;
    let attestations = match attestations {
        None => Vec::new(),
        Some(t) => serde_json::from_str(&t).map_err(|e| {
            AuditError::CorruptDatabase(format!("attestations of a stored entry: {e}"))
        })?,
    };
    Ok(Entry {
        seq: to_u64(row.try_get(0)?),
        timestamp_ns: to_u64(row.try_get(1)?),
        actor: row.try_get(2)?,
        action: row.try_get(3)?,
        payload: row.try_get(4)?,
        prev_hash: Hash(lenient::<32>(row, 5)?),
        hash: Hash(lenient::<32>(row, 6)?),
        signature: Signature(lenient::<64>(row, 7)?),
        attestations,
    })
}

/// Decodes a row for verification: a value the log never writes (a negative timestamp, attestations that are
/// not JSON) is a fault naming the column; blobs of the wrong size read as zeros.
fn checked_entry(row: &Row, seq: i64) -> Result<Entry, EntryFault> {
    let bad = |column| EntryFault::Unreadable { column };
    let ts: i64 = row.try_get(1).map_err(|_| bad("ts_ns"))?;
    let attestations: Option<String> = row.try_get(8).map_err(|_| bad("attestations"))?;
    let attestations = match attestations {
        None => Vec::new(),
        Some(t) => serde_json::from_str(&t).map_err(|_| bad("attestations"))?,
    };
    Ok(Entry {
        seq: u64::try_from(seq).map_err(|_| bad("seq"))?,
        timestamp_ns: u64::try_from(ts).map_err(|_| bad("ts_ns"))?,
        actor: row.try_get(2).map_err(|_| bad("actor"))?,
        action: row.try_get(3).map_err(|_| bad("action"))?,
        payload: row.try_get(4).map_err(|_| bad("payload"))?,
        prev_hash: Hash(lenient::<32>(row, 5).map_err(|_| bad("hash"))?),
        hash: Hash(lenient::<32>(row, 6).map_err(|_| bad("hash"))?),
        signature: Signature(lenient::<64>(row, 7).map_err(|_| bad("signature"))?),
        attestations,
    })
}

/// Locks the `log_head` row for the rest of `tx` and returns the tail it records. Every writer of the log
/// takes this lock first, so whoever holds it is the only one appending.
pub(crate) fn lock_tail(tx: &mut Transaction<'_>) -> Result<Tail, AuditError> {
    let row = tx.query_one(
        "SELECT size, last_hash, last_ts FROM log_head WHERE id = 1 FOR UPDATE",
        &[],
    )?;
    Ok(Tail {
        size: to_u64(row.try_get(0)?),
        last_hash: Hash(lenient::<32>(&row, 1)?),
        last_ts: to_u64(row.try_get(2)?),
    })
}

/// Inserts `entries` (consecutive, following the locked tail) and the interior `nodes` they complete, and
/// moves the `log_head` row past them. Call with the row locked by [`lock_tail`] in the same transaction.
pub(crate) fn write_group(
    tx: &mut Transaction<'_>,
    entries: &[Entry],
    nodes: &[(NodeId, Hash)],
) -> Result<(), AuditError> {
    let Some(last) = entries.last() else {
        return Ok(());
    };
    let seqs: Vec<i64> = entries.iter().map(|e| clamp_i64(e.seq)).collect();
    let ts: Vec<i64> = entries.iter().map(|e| clamp_i64(e.timestamp_ns)).collect();
    let actors: Vec<&str> = entries.iter().map(|e| e.actor.as_str()).collect();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    let payloads: Vec<&str> = entries.iter().map(|e| e.payload.as_str()).collect();
    let prevs: Vec<&[u8]> = entries.iter().map(|e| &e.prev_hash.0[..]).collect();
    let hashes: Vec<&[u8]> = entries.iter().map(|e| &e.hash.0[..]).collect();
    let sigs: Vec<&[u8]> = entries.iter().map(|e| &e.signature.0[..]).collect();
    let atts: Vec<Option<String>> = entries
        .iter()
        .map(|e| attestations_to_sql(&e.attestations))
        .collect();
    // One statement per group: the arrays travel in one round trip.
    tx.execute(
        "INSERT INTO entries (seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature, attestations) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
                              $6::bytea[], $7::bytea[], $8::bytea[], $9::text[])",
        &[
            &seqs, &ts, &actors, &actions, &payloads, &prevs, &hashes, &sigs, &atts,
        ],
    )?;
    if !nodes.is_empty() {
        let levels: Vec<i32> = nodes
            .iter()
            .map(|(id, _)| i32::try_from(id.level).unwrap_or(i32::MAX))
            .collect();
        let idxs: Vec<i64> = nodes.iter().map(|(id, _)| clamp_i64(id.index)).collect();
        let node_hashes: Vec<&[u8]> = nodes.iter().map(|(_, h)| &h.0[..]).collect();
        tx.execute(
            "INSERT INTO tree_nodes (level, idx, hash) \
             SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[])",
            &[&levels, &idxs, &node_hashes],
        )?;
    }
    tx.execute(
        "UPDATE log_head SET size = $1, last_hash = $2, last_ts = $3 WHERE id = 1",
        &[
            &clamp_i64(last.seq.saturating_add(1)),
            &&last.hash.0[..],
            &clamp_i64(last.timestamp_ns),
        ],
    )?;
    Ok(())
}

/// The hashes of `ids` (leaves from `entries`, interior nodes from `tree_nodes`), in order; two queries.
pub(crate) fn node_hashes_on(
    client: &mut impl GenericClient,
    ids: &[NodeId],
) -> Result<Vec<Hash>, AuditError> {
    let leaves: Vec<i64> = ids
        .iter()
        .filter(|id| id.level == 0)
        .map(|id| clamp_i64(id.index))
        .collect();
    let (levels, idxs): (Vec<i32>, Vec<i64>) = ids
        .iter()
        .filter(|id| id.level > 0)
        .map(|id| {
            (
                i32::try_from(id.level).unwrap_or(i32::MAX),
                clamp_i64(id.index),
            )
        })
        .unzip();
    let mut found: HashMap<(u32, u64), Hash> = HashMap::with_capacity(ids.len());
    if !leaves.is_empty() {
        for row in client.query(
            "SELECT seq, leaf_hash FROM entries WHERE seq = ANY($1)",
            &[&leaves],
        )? {
            let seq: i64 = row.try_get(0)?;
            // Lenient: a damaged hash reads as zeros, so verification names the node, not a read error.
            found.insert((0, to_u64(seq)), Hash(lenient::<32>(&row, 1)?));
        }
    }
    if !levels.is_empty() {
        for row in client.query(
            "SELECT n.level, n.idx, n.hash FROM tree_nodes n \
             JOIN unnest($1::integer[], $2::bigint[]) AS w(level, idx) \
               ON n.level = w.level AND n.idx = w.idx",
            &[&levels, &idxs],
        )? {
            let level: i32 = row.try_get(0)?;
            let idx: i64 = row.try_get(1)?;
            found.insert(
                (u32::try_from(level).unwrap_or(u32::MAX), to_u64(idx)),
                Hash(lenient::<32>(&row, 2)?),
            );
        }
    }
    ids.iter()
        .map(|id| {
            found
                .get(&(id.level, id.index))
                .copied()
                .ok_or(AuditError::MissingNodes)
        })
        .collect()
}

/// Whether `e` says the connection is gone (closed, broken, or the server shutting down: SQLSTATE classes
/// 08 and 57) rather than that the statement was wrong.
fn connection_lost(e: &AuditError) -> bool {
    let AuditError::Postgres(p) = e else {
        return false;
    };
    p.is_closed()
        || p.as_db_error().is_none()
        || p.code()
            .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57"))
}

/// Whether `schema` is a plain lower-case identifier (safe to splice into SQL unquoted).
fn valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    schema.len() <= 63
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A durable [`Store`] in one schema of a PostgreSQL database, shared by every process that opens it.
///
/// Used through [`crate::SharedLog`] by any number of writer processes, or through
/// [`crate::AuditLog::with_store`] by a single writer process (a second one gets [`AuditError::Conflict`],
/// never a fork).
pub struct PostgresStore {
    config: postgres::Config,
    schema: String,
    writer: Mutex<Option<Client>>,
    reader: Mutex<Option<Client>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the server at `url` (a libpq key=value string such as
    /// `host=127.0.0.1 port=5432 user=postgres dbname=aegis`, or a `postgresql://` URL) and opens the log in
    /// `schema`, creating the schema and its tables if absent (serialised across processes by an advisory
    /// lock). Without a `connect_timeout` in `url`, connecting gives up after 10 s.
    ///
    /// # Errors
    /// [`AuditError::BadSchemaName`]; [`AuditError::NotAnAuditLogSchema`] if the schema holds other tables;
    /// [`AuditError::UnsupportedSchemaVersion`] for a newer schema; [`AuditError::Postgres`] for a bad URL or
    /// an unreachable server.
    pub fn connect(url: &str, schema: &str) -> Result<Self, AuditError> {
        if !valid_schema(schema) {
            return Err(AuditError::BadSchemaName(schema.to_owned()));
        }
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.keepalives(true);
        if config.get_application_name().is_none() {
            config.application_name("aegis-audit");
        }
        let store = Self {
            config,
            schema: schema.to_owned(),
            writer: Mutex::new(None),
            reader: Mutex::new(None),
        };
        let mut client = store.open_client()?;
        store.migrate(&mut client)?;
        *store.writer.lock() = Some(client);
        Ok(store)
    }

    /// The schema holding the log.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    fn open_client(&self) -> Result<Client, AuditError> {
        let mut client = self.config.connect(NoTls)?;
        // Unless the URL's `options` chose otherwise: a writer stuck while holding the head-row lock (stopped,
        // hung, partitioned) makes the others' appends fail after LOCK_TIMEOUT instead of hanging, and the
        // server ends its transaction after IDLE_TIMEOUT, releasing the lock.
        client.batch_execute(&format!(
            "SET search_path TO {}; SET synchronous_commit TO on;              SELECT set_config('lock_timeout', '{LOCK_TIMEOUT}', false)               WHERE current_setting('lock_timeout') IN ('0', '0ms');              SELECT set_config('idle_in_transaction_session_timeout', '{IDLE_TIMEOUT}', false)               WHERE current_setting('idle_in_transaction_session_timeout') IN ('0', '0ms')",
            self.schema
        ))?;
        Ok(client)
    }

    /// Creates the schema and tables if absent, under a cluster-wide advisory lock so processes opening the
    /// same log at once do not race.
    fn migrate(&self, client: &mut Client) -> Result<(), AuditError> {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", self.schema))?;
        let has_meta: bool = tx
            .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?
            .try_get(0)?;
        if has_meta {
            let version = tx
                .query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?
                .map(|r| r.try_get::<_, Vec<u8>>(0))
                .transpose()?
                .and_then(|v| String::from_utf8(v).ok())
                .and_then(|v| v.parse::<i64>().ok());
            match version {
                Some(v) if v == SCHEMA_VERSION => {}
                Some(v) if v > SCHEMA_VERSION => {
                    return Err(AuditError::UnsupportedSchemaVersion {
                        found: v,
                        supported: SCHEMA_VERSION,
                    });
                }
                _ => return Err(AuditError::NotAnAuditLogSchema(self.schema.clone())),
            }
        } else {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
                    &[&self.schema],
                )?
                .try_get(0)?;
            if tables != 0 {
                return Err(AuditError::NotAnAuditLogSchema(self.schema.clone()));
            }
            tx.batch_execute(SCHEMA_V1)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', $1)",
                &[&SCHEMA_VERSION.to_string().into_bytes()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` on the writer connection (opened if absent or closed); drops the connection after an error,
    /// so the next call reconnects.
    pub(crate) fn with_writer<R>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, AuditError>,
    ) -> Result<R, AuditError> {
        let mut slot = self.writer.lock();
        let client = match slot.take() {
            Some(c) if !c.is_closed() => slot.insert(c),
            _ => slot.insert(self.open_client()?),
        };
        let result = f(client);
        if result.is_err() {
            *slot = None;
        }
        result
    }

    /// Runs `f` on the reader connection; as [`Self::with_writer`], and a read that failed on a reused
    /// connection (e.g. one the server closed when it restarted) is retried once on a fresh one.
    fn with_reader<R>(
        &self,
        mut f: impl FnMut(&mut Client) -> Result<R, AuditError>,
    ) -> Result<R, AuditError> {
        let mut slot = self.reader.lock();
        let mut reused = true;
        loop {
            let client = match slot.take() {
                Some(c) if !c.is_closed() => slot.insert(c),
                _ => {
                    reused = false;
                    slot.insert(self.open_client()?)
                }
            };
            match f(client) {
                Ok(r) => return Ok(r),
                Err(e) => {
                    *slot = None;
                    if !reused || !connection_lost(&e) {
                        return Err(e);
                    }
                    reused = false;
                }
            }
        }
    }

    /// The tail recorded in the `log_head` row (a consistent snapshot: it moves in the same transaction as
    /// the entries and nodes it covers).
    pub(crate) fn tail(&self) -> Result<Tail, AuditError> {
        self.with_reader(|c| {
            let row = c.query_one(
                "SELECT size, last_hash, last_ts FROM log_head WHERE id = 1",
                &[],
            )?;
            Ok(Tail {
                size: to_u64(row.try_get(0)?),
                last_hash: Hash(lenient::<32>(&row, 1)?),
                last_ts: to_u64(row.try_get(2)?),
            })
        })
    }

    fn query_sql(query: &Query, cursor: bool, limit: bool) -> String {
        let (dir, cmp) = match query.order {
            Order::Ascending => ("ASC", ">"),
            Order::Descending => ("DESC", "<"),
        };
        let action = if query.action.is_some() {
            " AND action = $3"
        } else {
            " AND $3::text IS NOT NULL"
        };
        let cursor = if cursor {
            format!(" AND (ts_ns, seq) {cmp} ($5, $6)")
        } else {
            String::new()
        };
        let limit = if limit {
            " LIMIT $4"
        } else {
            " LIMIT NULLIF($4::bigint, -1)"
        };
        format!(
            "SELECT {ENTRY_COLUMNS} FROM entries WHERE ts_ns >= $1 AND ts_ns < $2{action}{cursor} \
             ORDER BY ts_ns {dir}, seq {dir}{limit}"
        )
    }
}

impl NodeSource for PostgresStore {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        self.with_reader(|c| node_hashes_on(c, ids))
    }
}

impl Store for PostgresStore {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        let bytes = key.to_bytes().to_vec();
        let stored: Vec<u8> = self.with_writer(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ('public_key', $1) ON CONFLICT (key) DO NOTHING",
                &[&bytes],
            )?;
            Ok(c.query_one("SELECT value FROM meta WHERE key = 'public_key'", &[])?
                .try_get(0)?)
        })?;
        if stored == bytes {
            Ok(())
        } else {
            Err(AuditError::KeyMismatch)
        }
    }

    /// Commits a group whose numbering was fixed by this process: refused with [`AuditError::Conflict`] (and
    /// nothing written) unless the group starts exactly at the database's tail and links to its last entry.
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        self.with_writer(|c| {
            let mut tx = c.transaction()?;
            let tail = lock_tail(&mut tx)?;
            if tail.size != first.seq || !tail.last_hash.ct_eq(&first.prev_hash) {
                return Err(AuditError::Conflict {
                    expected: first.seq,
                    found: tail.size,
                });
            }
            write_group(&mut tx, entries, nodes)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries ORDER BY seq DESC LIMIT 1");
        self.with_reader(|c| {
            c.query_opt(&sql, &[])?
                .as_ref()
                .map(entry_from_row)
                .transpose()
        })
    }

    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries WHERE seq >= $1 AND seq < $2 ORDER BY seq"
        );
        let (from, to) = (clamp_i64(seqs.start), clamp_i64(seqs.end));
        self.with_reader(|c| {
            c.query(&sql, &[&from, &to])?
                .iter()
                .map(entry_from_row)
                .collect()
        })
    }

    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        let sql = Self::query_sql(query, false, false);
        let limit = query
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let (from, until) = (clamp_i64(query.from_ns), clamp_i64(query.until_ns));
        let action = query.action.clone().unwrap_or_default();
        self.with_reader(|c| {
            c.query(&sql, &[&from, &until, &action, &limit])?
                .iter()
                .map(entry_from_row)
                .collect()
        })
    }

    fn query_page(
        &self,
        query: &Query,
        after: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<Entry>, AuditError> {
        let sql = Self::query_sql(query, after.is_some(), true);
        let (from, until) = (clamp_i64(query.from_ns), clamp_i64(query.until_ns));
        let action = query.action.clone().unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_reader(|c| {
            let rows = match after {
                Some((ts, seq)) => c.query(
                    &sql,
                    &[
                        &from,
                        &until,
                        &action,
                        &limit,
                        &clamp_i64(ts),
                        &clamp_i64(seq),
                    ],
                )?,
                None => c.query(&sql, &[&from, &until, &action, &limit])?,
            };
            rows.iter().map(entry_from_row).collect()
        })
    }

    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        let (size, ts) = (clamp_i64(sth.size), clamp_i64(sth.timestamp_ns));
        let (root, sig) = (sth.root.0.to_vec(), sth.signature.0.to_vec());
        self.with_writer(|c| {
            c.execute(
                "INSERT INTO tree_heads (size, ts_ns, root, signature) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (size) DO UPDATE SET ts_ns = excluded.ts_ns, root = excluded.root, \
                 signature = excluded.signature",
                &[&size, &ts, &root, &sig],
            )?;
            Ok(())
        })
    }

    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.with_reader(|c| {
            c.query_opt(
                "SELECT size, ts_ns, root, signature FROM tree_heads ORDER BY size DESC LIMIT 1",
                &[],
            )?
            .map(|r| {
                Ok(SignedTreeHead {
                    size: to_u64(r.try_get(0)?),
                    timestamp_ns: to_u64(r.try_get(1)?),
                    root: Hash(lenient::<32>(&r, 2)?),
                    signature: Signature(lenient::<64>(&r, 3)?),
                })
            })
            .transpose()
        })
    }

    fn scan(&self, from: i64, limit: usize) -> Result<Vec<StoredRow>, AuditError> {
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE seq >= $1 ORDER BY seq LIMIT $2");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_reader(|c| {
            c.query(&sql, &[&from, &limit])?
                .iter()
                .map(|row| {
                    let seq: i64 = row.try_get(0)?;
                    Ok(StoredRow {
                        seq,
                        entry: checked_entry(row, seq),
                    })
                })
                .collect()
        })
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn only_plain_identifiers_are_schema_names() {
        for ok in ["a", "_x", "log_1", &"a".repeat(63)] {
            assert!(valid_schema(ok), "{ok}");
        }
        for bad in [
            "",
            "1a",
            "A",
            "a-b",
            "a;drop",
            "a b",
            "\"a\"",
            &"a".repeat(64),
        ] {
            assert!(!valid_schema(bad), "{bad}");
        }
    }

    #[test]
    fn a_bad_schema_name_is_refused_before_connecting() {
        assert!(matches!(
            PostgresStore::connect("host=127.0.0.1 port=1", "x; DROP TABLE y"),
            Err(AuditError::BadSchemaName(_))
        ));
    }
}
