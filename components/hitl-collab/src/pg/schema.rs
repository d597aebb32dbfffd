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

/// The rules every handle of a queue enforces, stored with the queue when it is first registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Only signed decisions are accepted (the database refuses an unsigned one too: a trigger).
    pub require_signatures: bool,
    /// The most pending requests.
    pub capacity: i64,
    /// Decided requests kept.
    pub retention: i64,
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "signatures {}, capacity {}, retention {}",
            if self.require_signatures {
                "required"
            } else {
                "optional"
            },
            self.capacity,
            self.retention
        )
    }
}

/// Creates the schema and tables if missing and registers `queue` with `policy` unless it is registered;
/// returns the policy stored with the queue (the first registration's). Creation is serialised by an
/// advisory lock (concurrent `CREATE ... IF NOT EXISTS` from several processes can otherwise collide) and
/// skipped when the schema is complete.
pub(crate) fn create(
    client: &mut Client,
    schema: &str,
    queue: &str,
    policy: Policy,
) -> Result<Policy, HitlError> {
    let s = schema;
    let ddl = format!(
        r#"
        SELECT pg_advisory_xact_lock(hashtext('aegis_hitl_schema'));
        CREATE SCHEMA IF NOT EXISTS "{s}";
        CREATE TABLE IF NOT EXISTS "{s}".hitl_queues (
            queue              text PRIMARY KEY,
            next_id            bigint NOT NULL DEFAULT 1,
            require_signatures boolean NOT NULL DEFAULT false,
            capacity           bigint NOT NULL DEFAULT 10000 CHECK (capacity > 0),
            retention          bigint NOT NULL DEFAULT 10000 CHECK (retention > 0)
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
        -- Schemas made before queues stored their policy get its columns, and every schema the trigger
        -- that refuses unsigned decisions on a signed queue. Each only when missing: ALTER TABLE and
        -- CREATE TRIGGER take table locks that, run by every new handle, would deadlock with a deciding
        -- transaction of another process (seen: the trigger's read of hitl_queues against the ALTER).
        DO $m$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = '{s}'
                           AND table_name = 'hitl_queues' AND column_name = 'require_signatures') THEN
                ALTER TABLE "{s}".hitl_queues
                    ADD COLUMN require_signatures boolean NOT NULL DEFAULT false,
                    ADD COLUMN capacity bigint NOT NULL DEFAULT 10000 CHECK (capacity > 0),
                    ADD COLUMN retention bigint NOT NULL DEFAULT 10000 CHECK (retention > 0);
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                           JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = '{s}' AND c.relname = 'hitl_requests'
                           AND t.tgname = 'hitl_signed_decisions') THEN
                CREATE OR REPLACE FUNCTION "{s}".hitl_signed_decisions() RETURNS trigger
                LANGUAGE plpgsql AS $f$
                BEGIN
                    IF NEW.status IN ('approved', 'rejected') AND NEW.signature IS NULL AND
                       (SELECT require_signatures FROM "{s}".hitl_queues WHERE queue = NEW.queue) THEN
                        RAISE EXCEPTION 'queue % accepts only signed decisions', NEW.queue
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END
                $f$;
                CREATE TRIGGER hitl_signed_decisions
                    BEFORE INSERT OR UPDATE ON "{s}".hitl_requests
                    FOR EACH ROW EXECUTE FUNCTION "{s}".hitl_signed_decisions();
            END IF;
        END
        $m$;
        "#
    );
    let mut tx = client.transaction().map_err(backend)?;
    // The trigger is the last object the DDL creates (in one transaction): with it, the schema is complete
    // and the DDL is skipped, so opening a queue takes no table lock (`CREATE INDEX IF NOT EXISTS` waits for
    // every transaction writing the table, and a schema change can deadlock with one).
    let complete = tx
        .query_opt(
            "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = 'hitl_requests' AND t.tgname = 'hitl_signed_decisions'",
            &[&schema],
        )
        .map_err(backend)?
        .is_some();
    if !complete {
        tx.batch_execute(&ddl).map_err(backend)?;
    }
    tx.execute(
        &format!(
            r#"INSERT INTO "{s}".hitl_queues (queue, require_signatures, capacity, retention)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"#
        ),
        &[
            &queue,
            &policy.require_signatures,
            &policy.capacity,
            &policy.retention,
        ],
    )
    .map_err(backend)?;
    let row = tx
        .query_one(
            &format!(
                r#"SELECT require_signatures, capacity, retention FROM "{s}".hitl_queues WHERE queue = $1"#
            ),
            &[&queue],
        )
        .map_err(backend)?;
    let stored = Policy {
        require_signatures: row.try_get(0).map_err(backend)?,
        capacity: row.try_get(1).map_err(backend)?,
        retention: row.try_get(2).map_err(backend)?,
    };
    tx.commit().map_err(backend)?;
    Ok(stored)
}
