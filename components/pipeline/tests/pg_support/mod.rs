//! Shared by the tests/postgres_*.rs binaries: the server URL (or how to start one), fresh names, the
//! two PostgreSQL audit logs a pipeline can write to, and a plain client for breaking the server
//! under a pipeline.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aegis_pipeline::PipelineBuilder;
use audit_system::{AuditLog, Limits, LogKey, PostgresStore, SharedLog};

/// How to get a server, printed when a test has none.
pub const HOW: &str = "start one with `eval \"$(scripts/postgres.sh start)\"` from the workspace root \
                       (AEGIS_PG_PORT picks the port), then rerun with AEGIS_POSTGRES_URL exported; \
                       or run every PostgreSQL test with `scripts/postgres.sh test`";

/// The server URL from `AEGIS_POSTGRES_URL`. Without it: under CI (env `CI` set) the test fails,
/// otherwise it prints how to start a server and the caller returns without testing.
pub fn url() -> Option<String> {
    match std::env::var("AEGIS_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but AEGIS_POSTGRES_URL is not: the PostgreSQL tests must run in CI ({HOW})"
            );
            eprintln!("no PostgreSQL server (AEGIS_POSTGRES_URL unset): test not run; {HOW}");
            None
        }
    }
}

/// A name no other test (in this or any other process, now or before) uses.
pub fn fresh(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{tag}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Which PostgreSQL audit log a pipeline writes to.
#[derive(Debug, Clone, Copy)]
pub enum PgAudit {
    /// `audit_log(AuditLog::with_store(PostgresStore))`: one writer process.
    Store,
    /// `shared_audit_log(SharedLog)`: any number of writer processes.
    Shared,
}

impl PgAudit {
    /// Opens a fresh log of this kind in a schema of its own; returns what sets it on a builder.
    pub fn setter(self, url: &str) -> Box<dyn FnOnce(PipelineBuilder) -> PipelineBuilder> {
        let schema = format!("aegis_pipeline_{}", fresh("audit"));
        let key = LogKey::generate();
        match self {
            Self::Store => {
                let store = PostgresStore::connect(url, &schema).unwrap();
                let log = Arc::new(AuditLog::with_store(store, key, Limits::default()).unwrap());
                Box::new(move |builder| builder.audit_log(log))
            }
            Self::Shared => {
                let log = Arc::new(SharedLog::connect(url, &schema, key).unwrap());
                Box::new(move |builder| builder.shared_audit_log(log))
            }
        }
    }
}

/// A plain client with `schema` on its search path, for breaking and repairing the server under a
/// pipeline.
pub fn admin(url: &str, schema: &str) -> postgres::Client {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute(&format!("SET search_path TO {schema}"))
        .unwrap();
    c
}

/// Drops a test's schema (best effort: a leftover schema in the throwaway cluster harms nothing).
pub fn drop_schema(url: &str, schema: &str) {
    if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }
}
