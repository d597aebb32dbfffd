//! The tables of the PostgreSQL queue and the names derived from a schema and queue name.
//!
//! One schema holds any number of queues (the `queue` column). The database itself enforces what must
//! hold whatever a client does: one row per request, a decided request has its decision time, a reviewer
//! decision carries its reviewer and was made before the deadline, an expiry was recorded at or after it.

use postgres::Client;

use crate::error::HitlError;

use super::pool::backend;

/// Checks a schema or queue name: 1 to 24 ASCII letters, digits or `_` (so names can be quoted into SQL
/// and the notification channel name stays under PostgreSQL's 63-byte identifier limit).
pub(crate) fn check_name(name: &str) -> Result<(), HitlError> {
    let ok = (1..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(HitlError::InvalidName(name.to_owned()))
    }
}

/// The notification channel of one queue (case-sensitive; quote it in `LISTEN`).
pub(crate) fn channel(schema: &str, queue: &str) -> String {
    format!("aegis_hitl_{schema}_{queue}")
}

/// Creates the schema and tables if missing. Serialised by an advisory lock: concurrent
/// `CREATE ... IF NOT EXISTS` from several processes can otherwise collide.
pub(crate) fn create(client: &mut Client, schema: &str, queue: &str) -> Result<(), HitlError> {
    let s = schema;
    let ddl = format!(
        r#"
        SELECT pg_advisory_xact_lock(hashtext('aegis_hitl_schema'));
        CREATE SCHEMA IF NOT EXISTS "{s}";
        CREATE TABLE IF NOT EXISTS "{s}".hitl_queues (
            queue   text PRIMARY KEY,
            next_id bigint NOT NULL DEFAULT 1
        );
        CREATE TABLE IF NOT EXISTS "{s}".hitl_requests (
            queue        text NOT NULL REFERENCES "{s}".hitl_queues (queue),
            id           bigint NOT NULL,
            seq          bigint GENERATED ALWAYS AS IDENTITY,
            requester    text NOT NULL,
            workflow     text,
            body         text NOT NULL,
            priority     smallint NOT NULL CHECK (priority BETWEEN 0 AND 3),
            submitted_at bigint NOT NULL,
            deadline     bigint NOT NULL,
            digest       text NOT NULL,
            status       text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
            reviewer     text,
            decided_at   bigint,
            note         text,
            signature    text,
            PRIMARY KEY (queue, id),
            CHECK ((status = 'pending') = (decided_at IS NULL)),
            CHECK ((status IN ('approved', 'rejected')) = (reviewer IS NOT NULL)),
            CHECK (status <> 'expired' OR decided_at >= deadline),
            CHECK (status NOT IN ('approved', 'rejected') OR decided_at < deadline)
        );
        CREATE INDEX IF NOT EXISTS hitl_requests_serving
            ON "{s}".hitl_requests (queue, priority DESC, seq) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS hitl_requests_deadline
            ON "{s}".hitl_requests (queue, deadline) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS hitl_requests_history
            ON "{s}".hitl_requests (queue, decided_at DESC, seq DESC) WHERE status <> 'pending';
        CREATE TABLE IF NOT EXISTS "{s}".hitl_reviewers (
            queue      text NOT NULL,
            name       text NOT NULL,
            role       smallint NOT NULL CHECK (role BETWEEN 0 AND 2),
            public_key text,
            PRIMARY KEY (queue, name)
        );
        CREATE TABLE IF NOT EXISTS "{s}".hitl_paused (
            queue    text NOT NULL,
            workflow text NOT NULL,
            PRIMARY KEY (queue, workflow)
        );
        "#
    );
    let mut tx = client.transaction().map_err(backend)?;
    tx.batch_execute(&ddl).map_err(backend)?;
    tx.execute(
        &format!(r#"INSERT INTO "{s}".hitl_queues (queue) VALUES ($1) ON CONFLICT DO NOTHING"#),
        &[&queue],
    )
    .map_err(backend)?;
    tx.commit().map_err(backend)
}
