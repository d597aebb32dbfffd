//! Shared by the tests/postgres_*.rs binaries: the server URL, fresh schemas, and direct SQL for tampering.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

/// How to get a server, printed when a test has none.
pub const HOW: &str = "start one with `eval \"$(AEGIS_PG_PORT=54331 scripts/postgres.sh start)\"` from the \
                       workspace root, then rerun with AEGIS_POSTGRES_URL exported";

/// The server URL from `AEGIS_POSTGRES_URL`. Without it: under CI (env `CI` set) the test fails, otherwise it
/// prints how to start a server and the caller returns.
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

/// A schema name no other test (in this or any other process, now or before) uses.
pub fn fresh_schema(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "t_{tag}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A plain client on the log's schema, for tampering and cleanup.
pub fn admin(url: &str, schema: &str) -> postgres::Client {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    c.batch_execute(&format!("SET search_path TO {schema}"))
        .unwrap_or_else(|e| panic!("{e}"));
    c
}

/// Drops a test's schema (best effort: a leftover schema in the throwaway cluster harms nothing).
pub fn drop_schema(url: &str, schema: &str) {
    if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }
}
