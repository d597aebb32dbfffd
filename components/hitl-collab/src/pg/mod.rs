//! [`PgQueue`]: the review queue in PostgreSQL, shared by every process that opens the same queue.
//!
//! Requests, decisions, reviewers (with their Ed25519 public keys) and paused workflows live in tables
//! (see `schema.rs`). The rules are those of [`crate::HitlQueue`]; what changes is who enforces them:
//!
//! - **Exactly once.** A decision runs in one transaction that locks the request's row
//!   (`SELECT ... FOR UPDATE`), checks every rule against the locked row, and writes the decision with
//!   `UPDATE ... WHERE status = 'pending'`. A second decider blocks on the row lock and then reads the
//!   decision that stood: [`HitlError::AlreadyDecided`]. Nothing is checked in one round trip and acted
//!   on in another transaction.
//! - **Deadlines without the requester.** Time is the database server's clock (nanoseconds since the
//!   Unix epoch), or an injected [`Clock`] for tests. Every call first expires what is due (one
//!   `UPDATE ... FOR UPDATE SKIP LOCKED` statement), so whichever process looks applies the expiry, a
//!   rejection; a decision on a request past its deadline records the expiry and fails with
//!   [`HitlError::AlreadyDecided`]. Table constraints refuse a reviewer decision at or after the
//!   deadline and an expiry before it.
//! - **Waiters without polling.** Each decision and expiry sends `NOTIFY` (payload: the request id) on
//!   the queue's channel in the same transaction. [`PgQueue::wait_for_decision`] runs `LISTEN` first,
//!   then checks the request, then blocks on the connection until a notification, the request's
//!   deadline or the caller's timeout; a decision committed between the check and the wait is already
//!   queued on the connection, so it cannot be missed.

mod events;
mod pool;
mod rows;
mod schema;

use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator as _;
use postgres::{Config, GenericClient, Transaction};

use crate::backend::ReviewQueue;
use crate::clock::{Clock, Timestamp};
use crate::decision::{Decision, Outcome, Verdict};
use crate::error::HitlError;
use crate::invariant::InvariantViolation;
use crate::observer::{HitlEvent, Observer};
use crate::request::{DecisionRequest, Priority, RequestId, RequestView, WorkflowId};
use crate::reviewer::Role;
use crate::signature::{DecisionSignature, RequestDigest, ReviewerPublicKey, SignedDecision};

use events::Events;
use pool::{Pool, backend};
use rows::{COLUMNS, Record, corrupt, from_db, priority_rank, role_from, role_rank, to_db};
use schema::Policy;

/// The schema a queue's tables live in unless [`PgQueueBuilder::schema`] says otherwise.
const DEFAULT_SCHEMA: &str = "aegis_hitl";

/// Configures and opens a [`PgQueue`]; start from [`PgQueue::builder`].
pub struct PgQueueBuilder {
    url: String,
    queue: String,
    schema: String,
    capacity: usize,
    retention: usize,
    clock: Option<Box<dyn Clock>>,
    observers: Vec<Box<dyn Observer>>,
    signatures_required: bool,
}

impl std::fmt::Debug for PgQueueBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgQueueBuilder")
            .field("queue", &self.queue)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PgQueueBuilder {
    /// Puts the queue's tables in this schema (default `aegis_hitl`); 1 to 24 ASCII letters,
    /// digits or `_`.
    #[must_use]
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The most pending requests the queue holds (default 10 000; stored with the queue when it is first
    /// registered), checked under the queue's row lock, so concurrent submitters of all processes cannot
    /// overshoot it.
    #[must_use]
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// How many decided requests stay in the table (default 10 000; stored with the queue when it is first
    /// registered); older ones are deleted, oldest decision first, by the handle that decides past the
    /// bound.
    #[must_use]
    pub fn retention(mut self, retention: usize) -> Self {
        self.retention = retention;
        self
    }

    /// Uses this clock instead of the database server's (tests). Every process sharing a queue must
    /// use the same time source.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Adds an observer of this handle; see the module doc of `events.rs` for what it sees.
    #[must_use]
    pub fn observer(mut self, observer: impl Observer) -> Self {
        self.observers.push(Box::new(observer));
        self
    }

    /// The queue accepts only signed decisions (default off), as
    /// [`crate::HitlQueueBuilder::require_signatures`]. Stored with the queue when it is first registered;
    /// the database then refuses an unsigned decision from any client (a trigger).
    #[must_use]
    pub fn require_signatures(mut self, required: bool) -> Self {
        self.signatures_required = required;
        self
    }

    /// Connects, creates the schema and tables if missing, and registers the queue with this builder's
    /// policy (signatures, capacity, retention) unless it is registered already.
    ///
    /// # Errors
    /// [`HitlError::ZeroBound`], [`HitlError::InvalidName`], [`HitlError::Backend`] for an unparsable
    /// connection string or an unreachable server; [`HitlError::PolicyMismatch`] when the queue is
    /// registered with another policy (a handle cannot relax the rules the other processes enforce).
    pub fn build(self) -> Result<PgQueue, HitlError> {
        if self.capacity == 0 {
            return Err(HitlError::ZeroBound { what: "capacity" });
        }
        if self.retention == 0 {
            return Err(HitlError::ZeroBound { what: "retention" });
        }
        schema::check_name(&self.schema)?;
        schema::check_name(&self.queue)?;
        let config: Config = self
            .url
            .parse()
            .map_err(|e: postgres::Error| HitlError::Backend(format!("connection string: {e}")))?;
        let pool = Pool::new(config);
        let asked = Policy {
            require_signatures: self.signatures_required,
            capacity: i64::try_from(self.capacity).unwrap_or(i64::MAX),
            retention: i64::try_from(self.retention).unwrap_or(i64::MAX),
        };
        let stored = schema::create(&mut *pool.get()?, &self.schema, &self.queue, asked)?;
        if stored != asked {
            return Err(HitlError::PolicyMismatch {
                queue: self.queue,
                stored: stored.to_string(),
                asked: asked.to_string(),
            });
        }
        Ok(PgQueue {
            channel: schema::channel(&self.schema, &self.queue),
            t: format!(r#""{}"."#, self.schema),
            queue: self.queue,
            capacity: stored.capacity,
            retention: stored.retention,
            clock: self.clock,
            events: Events::new(self.observers),
            signatures_required: stored.require_signatures,
            pool,
        })
    }
}

/// A review queue in PostgreSQL, shared by every process that opens the same schema and queue name.
///
/// Same rules as [`crate::HitlQueue`] (priorities, roles, self-review, expiry as a rejection,
/// escalation, paused workflows, signatures), enforced by the database across processes; see the
/// module documentation for how. Use it through [`crate::ReviewQueue`]. `Send + Sync`; each call takes
/// a pooled connection.
pub struct PgQueue {
    pool: Pool,
    queue: String,
    /// `"schema".`, the prefix of every table name.
    t: String,
    channel: String,
    capacity: i64,
    retention: i64,
    clock: Option<Box<dyn Clock>>,
    events: Events,
    signatures_required: bool,
}

impl std::fmt::Debug for PgQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgQueue")
            .field("queue", &self.queue)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// What a decision attempt inside a transaction came to.
enum Attempt {
    /// The decision was written; commit it.
    Decided(Decision),
    /// The request was past its deadline: the expiry was written; commit it, then report it.
    ExpiredNow(Decision),
}

impl PgQueue {
    /// A builder for the queue `queue` in the database at `url` (a libpq `key=value` string or a
    /// `postgresql://` URL), with capacity and retention 10 000, the server's clock, no observers.
    #[must_use]
    pub fn builder(url: impl Into<String>, queue: impl Into<String>) -> PgQueueBuilder {
        PgQueueBuilder {
            url: url.into(),
            queue: queue.into(),
            schema: DEFAULT_SCHEMA.to_owned(),
            capacity: 10_000,
            retention: 10_000,
            clock: None,
            observers: Vec::new(),
            signatures_required: false,
        }
    }

    /// The queue's notification channel (`LISTEN` on it, quoted, to watch decisions from SQL).
    #[must_use]
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Current time: the injected clock, or the database server's clock.
    fn now(&self, client: &mut impl GenericClient) -> Result<i64, HitlError> {
        match &self.clock {
            Some(clock) => Ok(to_db(clock.now().as_nanos())),
            None => client
                .query_one(
                    "SELECT ((extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000)",
                    &[],
                )
                .and_then(|row| row.try_get(0))
                .map_err(backend),
        }
    }

    /// Expires every due request (skipping rows another transaction holds: it deals with them),
    /// notifies, and queues the expiries for this handle's observers. Returns the time used.
    fn sweep(
        &self,
        client: &mut impl GenericClient,
    ) -> Result<(i64, Vec<(RequestId, Decision)>), HitlError> {
        let now = self.now(client)?;
        let t = &self.t;
        let sql = format!(
            "WITH due AS (
                SELECT id FROM {t}hitl_requests
                WHERE queue = $1 AND status = 'pending' AND deadline <= $2
                FOR UPDATE SKIP LOCKED
            ), done AS (
                UPDATE {t}hitl_requests r SET status = 'expired', decided_at = $2
                FROM due WHERE r.queue = $1 AND r.id = due.id
                RETURNING r.id, r.deadline
            )
            SELECT id, pg_notify($3, id::text) FROM done ORDER BY deadline, id"
        );
        let expired: Vec<(RequestId, Decision)> = {
            let _order = self.events.order();
            let rows = client
                .query(&sql, &[&self.queue, &now, &self.channel])
                .map_err(backend)?;
            let expired: Vec<_> = rows
                .iter()
                .map(|row| {
                    row.try_get::<_, i64>(0)
                        .map(|id| (RequestId(from_db(id)), expiry(now)))
                        .map_err(corrupt)
                })
                .collect::<Result<_, _>>()?;
            self.events.committed(
                expired
                    .iter()
                    .map(|(id, decision)| HitlEvent::Expired {
                        id: *id,
                        decision: decision.clone(),
                    })
                    .collect(),
            );
            expired
        };
        if !expired.is_empty() {
            self.evict(client)?;
        }
        self.events.deliver();
        Ok((now, expired))
    }

    /// Deletes decided requests beyond the retention bound, oldest decision first.
    fn evict(&self, client: &mut impl GenericClient) -> Result<(), HitlError> {
        let t = &self.t;
        client
            .execute(
                &format!(
                    "DELETE FROM {t}hitl_requests WHERE queue = $1 AND id IN (
                        SELECT id FROM {t}hitl_requests WHERE queue = $1 AND status <> 'pending'
                        ORDER BY decided_at DESC, seq DESC OFFSET $2)"
                ),
                &[&self.queue, &self.retention],
            )
            .map_err(backend)?;
        Ok(())
    }

    /// Reads one request row (locking it for the transaction when `lock`).
    fn record(
        &self,
        client: &mut impl GenericClient,
        id: RequestId,
        lock: bool,
    ) -> Result<Record, HitlError> {
        let t = &self.t;
        let sql = format!(
            "SELECT {COLUMNS} FROM {t}hitl_requests WHERE queue = $1 AND id = $2{}",
            if lock { " FOR UPDATE" } else { "" }
        );
        let row = client
            .query_opt(&sql, &[&self.queue, &to_db(id.0)])
            .map_err(backend)?
            .ok_or(HitlError::UnknownRequest(id))?;
        Record::from_row(&row)
    }

    /// Commits `tx` and queues `events` in commit order.
    fn commit(&self, tx: Transaction<'_>, events: Vec<HitlEvent>) -> Result<(), HitlError> {
        {
            let _order = self.events.order();
            tx.commit().map_err(backend)?;
            self.events.committed(events);
        }
        self.events.deliver();
        Ok(())
    }

    /// Runs a decision: the rules, then the conditional write, in one transaction.
    fn decide_tx(
        &self,
        id: Option<RequestId>,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
        signed: Option<(&SignedDecision, ReviewerPublicKey)>,
    ) -> Result<Option<(RequestId, Decision)>, HitlError> {
        let mut conn = self.pool.get()?;
        self.sweep(&mut *conn)?;
        let mut tx = conn.transaction().map_err(backend)?;
        let now = self.now(&mut tx)?;
        let t = &self.t;
        let role = tx
            .query_opt(
                &format!(
                    "SELECT role, public_key FROM {t}hitl_reviewers
                     WHERE queue = $1 AND name = $2 FOR SHARE"
                ),
                &[&self.queue, &reviewer],
            )
            .map_err(backend)?;
        let id = match id {
            Some(id) => id,
            None => {
                // decide_next: the first actionable request this reviewer may decide.
                let role = role
                    .as_ref()
                    .ok_or_else(|| HitlError::UnknownReviewer(reviewer.to_owned()))?;
                let rank: i16 = role.try_get(0).map_err(corrupt)?;
                let next = tx
                    .query_opt(
                        &format!(
                            "SELECT id FROM {t}hitl_requests r
                             WHERE queue = $1 AND status = 'pending' AND deadline > $2
                               AND requester <> $3 AND GREATEST(priority - 1, 0) <= $4::smallint
                               AND NOT EXISTS (SELECT 1 FROM {t}hitl_paused p
                                               WHERE p.queue = r.queue AND p.workflow = r.workflow)
                             ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED"
                        ),
                        &[&self.queue, &now, &reviewer, &rank],
                    )
                    .map_err(backend)?;
                match next {
                    Some(row) => RequestId(from_db(row.try_get(0).map_err(corrupt)?)),
                    None => return Ok(None),
                }
            }
        };
        let record = self.record(&mut tx, id, true)?;
        if let Some(decision) = record.decision {
            return Err(HitlError::AlreadyDecided { id, decision });
        }
        let attempt = if record.view.deadline.as_nanos() <= from_db(now) {
            Attempt::ExpiredNow(self.expire_locked(&mut tx, id, now)?)
        } else {
            let row = role.ok_or_else(|| HitlError::UnknownReviewer(reviewer.to_owned()))?;
            let has = role_from(row.try_get(0).map_err(corrupt)?)?;
            let mut proof = None;
            if let Some((signed, verified_with)) = signed {
                let key = rows::key_from(row.try_get(1).map_err(corrupt)?)?;
                if key != Some(verified_with) {
                    return Err(HitlError::KeyNotRegistered {
                        reviewer: reviewer.to_owned(),
                    });
                }
                if record.view.digest != signed.statement.digest {
                    return Err(HitlError::DigestMismatch(id));
                }
                proof = Some(Box::new(DecisionSignature {
                    public_key: verified_with.to_hex(),
                    signature: hex::encode(signed.signature),
                    statement: signed.statement.signed_text(),
                }));
            }
            if record.view.request.requester == reviewer {
                return Err(HitlError::SelfReview {
                    id,
                    reviewer: reviewer.to_owned(),
                });
            }
            let needed = record.view.priority.required_role();
            if !has.covers(needed) {
                return Err(HitlError::InsufficientRole { id, needed, has });
            }
            if let Some(workflow) = &record.view.request.workflow {
                let paused = tx
                    .query_opt(
                        &format!(
                            "SELECT 1 FROM {t}hitl_paused WHERE queue = $1 AND workflow = $2 FOR SHARE"
                        ),
                        &[&self.queue, &workflow.0],
                    )
                    .map_err(backend)?;
                if paused.is_some() {
                    return Err(HitlError::WorkflowPaused(workflow.clone()));
                }
            }
            let decision = Decision {
                outcome: Outcome::from(verdict),
                reviewer: Some(reviewer.to_owned()),
                decided_at: Timestamp::from_nanos(from_db(now)),
                note: note.to_owned(),
                signature: proof,
            };
            let signature = match &decision.signature {
                Some(proof) => Some(serde_json::to_string(proof).map_err(corrupt)?),
                None => None,
            };
            let written = tx
                .execute(
                    &format!(
                        "UPDATE {t}hitl_requests
                         SET status = $3, reviewer = $4, decided_at = $5, note = $6, signature = $7
                         WHERE queue = $1 AND id = $2 AND status = 'pending'"
                    ),
                    &[
                        &self.queue,
                        &to_db(id.0),
                        &rows::verdict_status(verdict),
                        &reviewer,
                        &now,
                        &note,
                        &signature,
                    ],
                )
                .map_err(backend)?;
            if written != 1 {
                // The row is locked by this transaction and was pending: cannot happen.
                return Err(HitlError::Backend(format!("decision on {id} not written")));
            }
            Attempt::Decided(decision)
        };
        if matches!(attempt, Attempt::Decided(_)) {
            self.notify(&mut tx, id)?;
        }
        let (event, result) = match attempt {
            Attempt::Decided(decision) => (
                HitlEvent::Decided {
                    id,
                    decision: decision.clone(),
                },
                Ok(Some((id, decision))),
            ),
            Attempt::ExpiredNow(decision) => (
                HitlEvent::Expired {
                    id,
                    decision: decision.clone(),
                },
                Err(HitlError::AlreadyDecided { id, decision }),
            ),
        };
        self.commit(tx, vec![event])?;
        self.evict(&mut *conn)?;
        result
    }

    /// Writes the expiry of a due request whose row `tx` holds locked, and notifies.
    fn expire_locked(
        &self,
        tx: &mut Transaction<'_>,
        id: RequestId,
        now: i64,
    ) -> Result<Decision, HitlError> {
        let t = &self.t;
        tx.execute(
            &format!(
                "UPDATE {t}hitl_requests SET status = 'expired', decided_at = $3
                 WHERE queue = $1 AND id = $2 AND status = 'pending'"
            ),
            &[&self.queue, &to_db(id.0), &now],
        )
        .map_err(backend)?;
        self.notify(tx, id)?;
        Ok(expiry(now))
    }

    /// Queues a notification of `id`'s decision, sent when `tx` commits.
    fn notify(&self, tx: &mut Transaction<'_>, id: RequestId) -> Result<(), HitlError> {
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&self.channel, &id.0.to_string()],
        )
        .map_err(backend)?;
        Ok(())
    }

    fn register(
        &self,
        name: &str,
        role: Role,
        key: Option<ReviewerPublicKey>,
    ) -> Result<Option<Role>, HitlError> {
        let mut conn = self.pool.get()?;
        let t = &self.t;
        let mut tx = conn.transaction().map_err(backend)?;
        let before = tx
            .query_opt(
                &format!(
                    "SELECT role FROM {t}hitl_reviewers WHERE queue = $1 AND name = $2 FOR UPDATE"
                ),
                &[&self.queue, &name],
            )
            .map_err(backend)?;
        tx.execute(
            &format!(
                "INSERT INTO {t}hitl_reviewers (queue, name, role, public_key) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (queue, name) DO UPDATE SET role = $3, public_key = $4"
            ),
            &[&self.queue, &name, &role_rank(role), &key.map(|k| k.to_hex())],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        before
            .map(|row| role_from(row.try_get(0).map_err(corrupt)?))
            .transpose()
    }

    fn count(&self, pending: bool) -> Result<usize, HitlError> {
        let mut conn = self.pool.get()?;
        let (now, _) = self.sweep(&mut *conn)?;
        let t = &self.t;
        let row = if pending {
            conn.query_one(
                &format!(
                    "SELECT count(*) FROM {t}hitl_requests
                     WHERE queue = $1 AND status = 'pending' AND deadline > $2"
                ),
                &[&self.queue, &now],
            )
        } else {
            conn.query_one(
                &format!(
                    "SELECT count(*) FROM {t}hitl_requests WHERE queue = $1 AND status <> 'pending'"
                ),
                &[&self.queue],
            )
        }
        .map_err(backend)?;
        let n: i64 = row.try_get(0).map_err(corrupt)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Blocks on the connection's notifications for at most `limit`; true if one named `id` (or the
    /// connection closed, which the next check reports).
    fn await_notice(conn: &mut postgres::Client, id: &str, limit: Duration) -> bool {
        let give_up = Instant::now() + limit;
        loop {
            let left = give_up.saturating_duration_since(Instant::now());
            let next = conn.notifications().timeout_iter(left).next();
            match next {
                Ok(Some(notice)) if notice.payload() == id => return true,
                Ok(Some(_)) if !left.is_zero() => {}
                Err(_) => return true,
                _ => return conn.is_closed(),
            }
        }
    }
}

/// The decision an expiry at `now` writes.
fn expiry(now: i64) -> Decision {
    Decision {
        outcome: Outcome::Expired,
        reviewer: None,
        decided_at: Timestamp::from_nanos(from_db(now)),
        note: String::new(),
        signature: None,
    }
}

impl ReviewQueue for PgQueue {
    fn request(&self, request: DecisionRequest) -> Result<RequestId, HitlError> {
        if request.timeout.is_zero() {
            return Err(HitlError::ZeroTimeout);
        }
        let mut conn = self.pool.get()?;
        self.sweep(&mut *conn)?;
        let t = &self.t;
        let mut tx = conn.transaction().map_err(backend)?;
        // The queue's row lock serialises submissions: the capacity check and the fresh id hold.
        let next: i64 = tx
            .query_one(
                &format!("SELECT next_id FROM {t}hitl_queues WHERE queue = $1 FOR UPDATE"),
                &[&self.queue],
            )
            .and_then(|row| row.try_get(0))
            .map_err(backend)?;
        let now = self.now(&mut tx)?;
        let pending: i64 = tx
            .query_one(
                &format!(
                    "SELECT count(*) FROM {t}hitl_requests
                     WHERE queue = $1 AND status = 'pending' AND deadline > $2"
                ),
                &[&self.queue, &now],
            )
            .and_then(|row| row.try_get(0))
            .map_err(backend)?;
        if pending >= self.capacity {
            return Err(HitlError::QueueFull {
                capacity: usize::try_from(self.capacity).unwrap_or(usize::MAX),
            });
        }
        let exists = format!("SELECT 1 FROM {t}hitl_requests WHERE queue = $1 AND id = $2");
        let id = match request.id {
            Some(id) => id,
            None => {
                let mut candidate = next.max(1);
                while tx
                    .query_opt(&exists, &[&self.queue, &candidate])
                    .map_err(backend)?
                    .is_some()
                {
                    candidate = candidate.checked_add(1).unwrap_or(1);
                }
                tx.execute(
                    &format!("UPDATE {t}hitl_queues SET next_id = $2 WHERE queue = $1"),
                    &[&self.queue, &candidate.checked_add(1).unwrap_or(1)],
                )
                .map_err(backend)?;
                RequestId(from_db(candidate))
            }
        };
        let submitted_at = Timestamp::from_nanos(from_db(now));
        let deadline = submitted_at.saturating_add(request.timeout);
        let digest = RequestDigest::of(id, &request, submitted_at);
        let body = serde_json::to_string(&request).map_err(corrupt)?;
        let inserted = tx
            .execute(
                &format!(
                    "INSERT INTO {t}hitl_requests
                     (queue, id, requester, workflow, body, priority, submitted_at, deadline, digest)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
                ),
                &[
                    &self.queue,
                    &to_db(id.0),
                    &request.requester,
                    &request.workflow.as_ref().map(|w| w.0.as_str()),
                    &body,
                    &priority_rank(request.priority),
                    &now,
                    &to_db(deadline.as_nanos()),
                    &digest.to_hex(),
                ],
            )
            .map_err(backend)?;
        if inserted == 0 {
            return Err(HitlError::DuplicateId(id));
        }
        let view = RequestView {
            id,
            priority: request.priority,
            request: crate::sync::DataArc::new(request),
            submitted_at,
            deadline,
            digest,
        };
        self.commit(tx, vec![HitlEvent::Requested(view)])?;
        Ok(id)
    }

    fn decide(
        &self,
        id: RequestId,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Decision, HitlError> {
        if self.signatures_required {
            return Err(HitlError::UnsignedDecision);
        }
        self.decide_tx(Some(id), reviewer, verdict, note, None)?
            .map(|(_, d)| d)
            .ok_or(HitlError::UnknownRequest(id))
    }

    fn decide_signed(&self, signed: &SignedDecision) -> Result<Decision, HitlError> {
        let key = match self.reviewer(&signed.reviewer)? {
            None => return Err(HitlError::UnknownReviewer(signed.reviewer.clone())),
            Some((_, None)) => {
                return Err(HitlError::KeyNotRegistered {
                    reviewer: signed.reviewer.clone(),
                });
            }
            Some((_, Some(key))) => key,
        };
        if !key.verifies(signed.statement.signed_text().as_bytes(), &signed.signature) {
            return Err(HitlError::BadSignature {
                reviewer: signed.reviewer.clone(),
            });
        }
        let id = signed.statement.request;
        self.decide_tx(
            Some(id),
            &signed.reviewer,
            signed.statement.verdict,
            &signed.statement.note,
            Some((signed, key)),
        )?
        .map(|(_, d)| d)
        .ok_or(HitlError::UnknownRequest(id))
    }

    fn decide_next(
        &self,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Option<(RequestId, Decision)>, HitlError> {
        if self.signatures_required {
            return Err(HitlError::UnsignedDecision);
        }
        self.decide_tx(None, reviewer, verdict, note, None)
    }

    fn register_reviewer(&self, name: &str, role: Role) -> Result<Option<Role>, HitlError> {
        self.register(name, role, None)
    }

    fn register_reviewer_key(
        &self,
        name: &str,
        role: Role,
        key: ReviewerPublicKey,
    ) -> Result<Option<Role>, HitlError> {
        self.register(name, role, Some(key))
    }

    fn unregister_reviewer(&self, name: &str) -> Result<Option<Role>, HitlError> {
        let mut conn = self.pool.get()?;
        let t = &self.t;
        conn.query_opt(
            &format!("DELETE FROM {t}hitl_reviewers WHERE queue = $1 AND name = $2 RETURNING role"),
            &[&self.queue, &name],
        )
        .map_err(backend)?
        .map(|row| role_from(row.try_get(0).map_err(corrupt)?))
        .transpose()
    }

    fn reviewer(&self, name: &str) -> Result<Option<(Role, Option<ReviewerPublicKey>)>, HitlError> {
        let mut conn = self.pool.get()?;
        let t = &self.t;
        let row = conn
            .query_opt(
                &format!(
                    "SELECT role, public_key FROM {t}hitl_reviewers WHERE queue = $1 AND name = $2"
                ),
                &[&self.queue, &name],
            )
            .map_err(backend)?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((
                role_from(row.try_get(0).map_err(corrupt)?)?,
                rows::key_from(row.try_get(1).map_err(corrupt)?)?,
            ))),
        }
    }

    fn requires_signatures(&self) -> bool {
        self.signatures_required
    }

    fn get(&self, id: RequestId) -> Result<RequestView, HitlError> {
        let mut conn = self.pool.get()?;
        self.sweep(&mut *conn)?;
        let record = self.record(&mut *conn, id, false)?;
        if let Some(decision) = &record.decision {
            self.events.learned(id, decision);
        }
        Ok(record.view)
    }

    fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError> {
        let mut conn = self.pool.get()?;
        self.sweep(&mut *conn)?;
        let record = self.record(&mut *conn, id, false)?;
        if let Some(decision) = &record.decision {
            self.events.learned(id, decision);
        }
        Ok(record.decision)
    }

    fn pending_top(&self, k: usize) -> Result<Vec<RequestView>, HitlError> {
        let mut conn = self.pool.get()?;
        let (now, _) = self.sweep(&mut *conn)?;
        let t = &self.t;
        let rows = conn
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM {t}hitl_requests r
                     WHERE queue = $1 AND status = 'pending' AND deadline > $2
                       AND NOT EXISTS (SELECT 1 FROM {t}hitl_paused p
                                       WHERE p.queue = r.queue AND p.workflow = r.workflow)
                     ORDER BY priority DESC, seq LIMIT $3"
                ),
                &[&self.queue, &now, &i64::try_from(k).unwrap_or(i64::MAX)],
            )
            .map_err(backend)?;
        rows.iter()
            .map(|row| Record::from_row(row).map(|r| r.view))
            .collect()
    }

    fn escalate(
        &self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError> {
        let mut conn = self.pool.get()?;
        self.sweep(&mut *conn)?;
        let mut tx = conn.transaction().map_err(backend)?;
        let now = self.now(&mut tx)?;
        let record = self.record(&mut tx, id, true)?;
        if let Some(decision) = record.decision {
            return Err(HitlError::AlreadyDecided { id, decision });
        }
        if record.view.deadline.as_nanos() <= from_db(now) {
            // Due, and locked by this transaction so the sweep skipped it: expire it here.
            let decision = self.expire_locked(&mut tx, id, now)?;
            self.commit(
                tx,
                vec![HitlEvent::Expired {
                    id,
                    decision: decision.clone(),
                }],
            )?;
            return Err(HitlError::AlreadyDecided { id, decision });
        }
        let from = record.view.priority;
        if to <= from {
            return Err(HitlError::NotAnEscalation {
                id,
                current: from,
                requested: to,
            });
        }
        let deadline = record.view.deadline.saturating_add(extend_by);
        let t = &self.t;
        tx.execute(
            &format!(
                "UPDATE {t}hitl_requests SET priority = $3, deadline = $4
                 WHERE queue = $1 AND id = $2 AND status = 'pending'"
            ),
            &[
                &self.queue,
                &to_db(id.0),
                &priority_rank(to),
                &to_db(deadline.as_nanos()),
            ],
        )
        .map_err(backend)?;
        self.commit(tx, vec![HitlEvent::Escalated { id, from, to }])?;
        Ok(from)
    }

    fn pause_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError> {
        let mut conn = self.pool.get()?;
        let t = &self.t;
        let mut tx = conn.transaction().map_err(backend)?;
        let changed = tx
            .execute(
                &format!(
                    "INSERT INTO {t}hitl_paused (queue, workflow) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                ),
                &[&self.queue, &workflow.0],
            )
            .map_err(backend)?
            == 1;
        let events = if changed {
            vec![HitlEvent::WorkflowPaused(workflow.clone())]
        } else {
            Vec::new()
        };
        self.commit(tx, events)?;
        Ok(changed)
    }

    fn resume_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError> {
        let mut conn = self.pool.get()?;
        let t = &self.t;
        let mut tx = conn.transaction().map_err(backend)?;
        let changed = tx
            .execute(
                &format!("DELETE FROM {t}hitl_paused WHERE queue = $1 AND workflow = $2"),
                &[&self.queue, &workflow.0],
            )
            .map_err(backend)?
            == 1;
        let events = if changed {
            vec![HitlEvent::WorkflowResumed(workflow.clone())]
        } else {
            Vec::new()
        };
        self.commit(tx, events)?;
        Ok(changed)
    }

    fn expire_due(&self) -> Result<Vec<(RequestId, Decision)>, HitlError> {
        let mut conn = self.pool.get()?;
        Ok(self.sweep(&mut *conn)?.1)
    }

    fn wait_for_decision(&self, id: RequestId, timeout: Duration) -> Result<Decision, HitlError> {
        let give_up = Instant::now() + timeout;
        let mut conn = self.pool.get()?;
        // LISTEN before the first check: a decision committed after the check is queued here.
        // The application name lets an operator (and the tests) see who waits on what.
        conn.batch_execute(&format!(
            "SET application_name = 'aegis-hitl-wait {} {}'; LISTEN \"{}\"",
            self.queue, id.0, self.channel
        ))
        .map_err(backend)?;
        let payload = id.0.to_string();
        let result = loop {
            let checked = self
                .sweep(&mut *conn)
                .and_then(|(now, _)| Ok((now, self.record(&mut *conn, id, false)?)));
            let (now, record) = match checked {
                Ok(found) => found,
                Err(e) => break Err(e),
            };
            if let Some(decision) = record.decision {
                self.events.learned(id, &decision);
                break Ok(decision);
            }
            let left = give_up.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(HitlError::WaitTimedOut(id));
            }
            // Wake at the request's own deadline to expire it, even if nobody else looks.
            let to_deadline =
                Duration::from_nanos(record.view.deadline.as_nanos().saturating_sub(from_db(now)));
            Self::await_notice(&mut conn, &payload, left.min(to_deadline));
        };
        // Leave the session as it was found; a connection that cannot be reset is not reused.
        let reset = conn.batch_execute("UNLISTEN *; RESET application_name");
        if reset.is_err() {
            conn.discard();
        } else {
            let mut notices = conn.notifications();
            let mut buffered = notices.iter();
            while let Ok(Some(_)) = buffered.next() {}
        }
        result
    }

    fn pending_len(&self) -> Result<usize, HitlError> {
        self.count(true)
    }

    fn retained_len(&self) -> Result<usize, HitlError> {
        self.count(false)
    }

    fn observer_failures(&self) -> u64 {
        self.events.failures()
    }

    fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let fail = |what: String| InvariantViolation { what };
        let mut conn = self.pool.get().map_err(|e| fail(e.to_string()))?;
        let t = &self.t;
        // The table constraints already refuse these rows; this finds them if the constraints were
        // dropped or bypassed.
        let bad = conn
            .query(
                &format!(
                    "SELECT id, status FROM {t}hitl_requests WHERE queue = $1 AND NOT (
                        ((status = 'pending') = (decided_at IS NULL))
                        AND ((status IN ('approved', 'rejected')) = (reviewer IS NOT NULL))
                        AND (status <> 'expired' OR decided_at >= deadline)
                        AND (status NOT IN ('approved', 'rejected') OR decided_at < deadline)
                     ) ORDER BY id LIMIT 1"
                ),
                &[&self.queue],
            )
            .map_err(|e| fail(backend(e).to_string()))?;
        if let Some(row) = bad.first() {
            let id: i64 = row.try_get(0).unwrap_or_default();
            let status: String = row.try_get(1).unwrap_or_default();
            return Err(fail(format!(
                "request {id} ({status}) breaks a decision rule"
            )));
        }
        Ok(())
    }
}
