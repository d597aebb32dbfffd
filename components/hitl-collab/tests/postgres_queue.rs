//! The PostgreSQL queue against a real server (AEGIS_POSTGRES_URL, a libpq `key=value` string; start
//! one with `eval "$(scripts/postgres.sh start)"`). Without the variable the tests fail when `CI` is set
//! and otherwise say how to start a server and pass.
//!
//! - every rule of `behaviour/` (the same cases the in-memory queue passes in `backends.rs`);
//! - two processes deciding the same review at the same moment: exactly one decision stands, the other
//!   gets `AlreadyDecided`, and a waiter in a third process wakes on the decision;
//! - a request whose requester process has exited expires at its deadline, as a rejection, and a late
//!   decision fails.
//!
//! Child processes are this test binary run again on one test with `HITL_PG_CHILD` set. Each test uses
//! its own queue name, so the tests run in parallel and repeatedly on one server.

#![cfg(not(loom))]

mod behaviour;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use hitl_collab::{
    DecisionRequest, HitlError, ManualClock, Outcome, PgQueue, Priority, RequestId, ReviewQueue,
    ReviewerKey, Role, Verdict,
};

/// The schema every test queue lives in.
const SCHEMA: &str = "aegis_hitl_test";
/// How long any cross-process step may take before the test fails (a bug fails, never hangs).
const PATIENCE: Duration = Duration::from_secs(60);

/// The server's connection string, or `None` (outside CI) after saying how to start one.
fn url() -> Option<String> {
    match std::env::var("AEGIS_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but AEGIS_POSTGRES_URL is not: the PostgreSQL tests must run in CI \
                 (eval \"$(scripts/postgres.sh start)\")"
            );
            eprintln!(
                "skipped: AEGIS_POSTGRES_URL is not set; start a server with \
                 `eval \"$(scripts/postgres.sh start)\"` and run again"
            );
            None
        }
    }
}

/// A queue name no other test (or earlier run) uses.
fn fresh_name(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000,
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

fn open(url: &str, queue: &str) -> PgQueue {
    PgQueue::builder(url, queue)
        .schema(SCHEMA)
        .build()
        .unwrap_or_else(|e| panic!("open {queue}: {e}"))
}

#[test]
fn every_rule_holds_on_postgres() {
    let Some(url) = url() else { return };
    let factory = |capacity: usize, signed: bool| {
        let clock = ManualClock::new();
        let queue = PgQueue::builder(url.as_str(), fresh_name("rules"))
            .schema(SCHEMA)
            .capacity(capacity)
            .clock(clock.clone())
            .require_signatures(signed)
            .build()
            .unwrap();
        for (name, role) in [
            ("rev", Role::Reviewer),
            ("senior", Role::Senior),
            ("admin", Role::Admin),
        ] {
            queue.register_reviewer(name, role).unwrap();
        }
        (Box::new(queue) as Box<dyn ReviewQueue>, clock)
    };
    for (name, case) in behaviour::CASES {
        eprintln!("case {name}");
        case(&factory);
    }
}

#[test]
fn malformed_names_and_urls_are_typed_errors() {
    let Some(url) = url() else { return };
    assert!(matches!(
        PgQueue::builder(url.as_str(), "no spaces").build(),
        Err(HitlError::InvalidName(_))
    ));
    assert!(matches!(
        PgQueue::builder(url.as_str(), "q")
            .schema("x\";drop")
            .build(),
        Err(HitlError::InvalidName(_))
    ));
    assert!(matches!(
        PgQueue::builder("port=notanumber", "q").build(),
        Err(HitlError::Backend(_))
    ));
    assert!(matches!(
        PgQueue::builder(url.as_str(), "q").capacity(0).build(),
        Err(HitlError::ZeroBound { what: "capacity" })
    ));
}

// ---- child processes ----

/// A line a child prints for the parent.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "HITL {line}");
    let _ = out.flush();
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"))
}

/// Runs the child role named in `HITL_PG_CHILD`; returns false if this is not a child.
fn run_child() -> bool {
    let Ok(role) = std::env::var("HITL_PG_CHILD") else {
        return false;
    };
    let url = env("AEGIS_POSTGRES_URL");
    let queue = open(&url, &env("HITL_PG_QUEUE"));
    match role.as_str() {
        "decider" => {
            let id = RequestId(env("HITL_PG_ID").parse().unwrap());
            let reviewer = env("HITL_PG_REVIEWER");
            let mut secret = [0u8; 32];
            hex::decode_to_slice(env("HITL_PG_SECRET"), &mut secret).unwrap();
            let key = ReviewerKey::from_secret_bytes(&secret);
            let verdict = if reviewer == "alice" {
                Verdict::Approve
            } else {
                Verdict::Reject
            };
            let signed = key.decide(&reviewer, &queue.get(id).unwrap(), verdict, "");
            say("ready");
            let mut go = String::new();
            std::io::stdin().read_line(&mut go).unwrap();
            match queue.decide_signed(&signed) {
                Ok(d) => say(&format!("ok {:?} {}", d.outcome, reviewer)),
                Err(HitlError::AlreadyDecided { decision, .. }) => say(&format!(
                    "already {:?} {}",
                    decision.outcome,
                    decision.reviewer.unwrap_or_default()
                )),
                Err(e) => say(&format!("error {e}")),
            }
        }
        "waiter" => {
            let id = RequestId(env("HITL_PG_ID").parse().unwrap());
            match queue.wait_for_decision(id, PATIENCE) {
                Ok(d) => say(&format!(
                    "woke {:?} {}",
                    d.outcome,
                    d.reviewer.unwrap_or_default()
                )),
                Err(e) => say(&format!("error {e}")),
            }
        }
        "requester" => {
            let id = queue
                .request(DecisionRequest::new(
                    "agent",
                    "rotate the keys",
                    Priority::High,
                    Duration::from_secs(1),
                ))
                .unwrap();
            say(&format!("id {}", id.0));
        }
        other => panic!("unknown child role {other}"),
    }
    true
}

/// Starts this binary on `test` as the child `role`.
fn spawn(test: &str, role: &str, vars: &[(&str, String)]) -> (Child, BufReader<ChildStdout>) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("HITL_PG_CHILD", role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout)
}

/// The next `HITL ...` line of a child (libtest's own lines are skipped); panics at end of output.
fn next_line(out: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "child ended without a result"
        );
        // libtest may print "test <name> ... " on the same line first.
        if let Some(at) = line.find("HITL ") {
            return line[at + 5..].trim_end().to_owned();
        }
    }
}

/// Blocks until a session of the server is waiting on `id`'s decision after its check: its
/// application name names the wait, and its last statement was the check of the request row.
fn await_waiter(url: &str, queue: &str, id: RequestId) {
    let mut client = postgres_client(url);
    let name = format!("aegis-hitl-wait {queue} {}", id.0);
    let give_up = Instant::now() + PATIENCE;
    loop {
        let row = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE application_name = $1 AND state = 'idle' AND query LIKE 'SELECT id, body%'",
                &[&name],
            )
            .unwrap();
        if row.get::<_, i64>(0) == 1 {
            return;
        }
        assert!(Instant::now() < give_up, "the waiter never started waiting");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn postgres_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

#[test]
fn two_processes_decide_the_same_review_exactly_once_and_a_third_wakes() {
    if run_child() {
        return;
    }
    let Some(url) = url() else { return };
    let name = fresh_name("once");
    let queue = open(&url, &name);
    let (alice, alice_secret) = test_key();
    let (bob, bob_secret) = test_key();
    queue
        .register_reviewer_key("alice", Role::Senior, alice.public())
        .unwrap();
    queue
        .register_reviewer_key("bob", Role::Senior, bob.public())
        .unwrap();
    let id = queue
        .request(DecisionRequest::new(
            "agent",
            "restart payments",
            Priority::High,
            Duration::from_secs(600),
        ))
        .unwrap();
    let test = "two_processes_decide_the_same_review_exactly_once_and_a_third_wakes";
    let common = |extra: Vec<(&'static str, String)>| {
        let mut vars = vec![
            ("AEGIS_POSTGRES_URL", url.clone()),
            ("HITL_PG_QUEUE", name.clone()),
            ("HITL_PG_ID", id.0.to_string()),
        ];
        vars.extend(extra);
        vars
    };
    let (mut waiter, mut waiter_out) = spawn(test, "waiter", &common(vec![]));
    let mut deciders: Vec<_> = [("alice", &alice_secret), ("bob", &bob_secret)]
        .into_iter()
        .map(|(reviewer, secret)| {
            spawn(
                test,
                "decider",
                &common(vec![
                    ("HITL_PG_REVIEWER", reviewer.to_owned()),
                    ("HITL_PG_SECRET", secret.clone()),
                ]),
            )
        })
        .collect();
    for (_, out) in &mut deciders {
        assert_eq!(next_line(out), "ready");
    }
    await_waiter(&url, &name, id);
    // Both deciders go at once.
    for (child, _) in &mut deciders {
        child.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
    }
    let results: Vec<String> = deciders.iter_mut().map(|(_, out)| next_line(out)).collect();
    let woke = next_line(&mut waiter_out);
    for (mut child, _) in deciders {
        assert!(child.wait().unwrap().success());
    }
    assert!(waiter.wait().unwrap().success());

    let stood = queue.status(id).unwrap().expect("decided");
    let winner = stood.reviewer.clone().unwrap();
    let ok: Vec<_> = results.iter().filter(|r| r.starts_with("ok ")).collect();
    let already: Vec<_> = results
        .iter()
        .filter(|r| r.starts_with("already "))
        .collect();
    eprintln!("exactly-once: results {results:?}, waiter {woke:?}, stood {winner}");
    assert_eq!((ok.len(), already.len()), (1, 1), "{results:?}");
    let line = format!("{:?} {winner}", stood.outcome);
    assert_eq!(*ok[0], format!("ok {line}"));
    assert_eq!(*already[0], format!("already {line}"));
    assert_eq!(woke, format!("woke {line}"));
    // The decision that stands is attributable: its reviewer's registered key signed it.
    let proof = stood.signature.expect("signed");
    proof.verify(&winner).unwrap();
    let key = if winner == "alice" { &alice } else { &bob };
    assert_eq!(proof.public_key, key.public().to_hex());
    queue.check_invariants().unwrap();
}

/// A throwaway reviewer key and its secret, hex (for a child process to sign with).
fn test_key() -> (ReviewerKey, String) {
    let mut secret = [0u8; 32];
    rand::fill(&mut secret);
    (ReviewerKey::from_secret_bytes(&secret), hex::encode(secret))
}

#[test]
fn a_request_expires_after_its_requester_is_gone_and_a_late_decision_fails() {
    if run_child() {
        return;
    }
    let Some(url) = url() else { return };
    let name = fresh_name("expiry");
    let queue = open(&url, &name);
    let alice = ReviewerKey::generate();
    queue
        .register_reviewer_key("alice", Role::Senior, alice.public())
        .unwrap();
    let test = "a_request_expires_after_its_requester_is_gone_and_a_late_decision_fails";
    let (mut requester, mut out) = spawn(
        test,
        "requester",
        &[
            ("AEGIS_POSTGRES_URL", url.clone()),
            ("HITL_PG_QUEUE", name.clone()),
        ],
    );
    let id = RequestId(
        next_line(&mut out)
            .strip_prefix("id ")
            .unwrap()
            .parse()
            .unwrap(),
    );
    assert!(requester.wait().unwrap().success(), "the requester is gone");
    let view = queue.get(id).unwrap();
    assert_eq!(
        queue.status(id).unwrap(),
        None,
        "pending until its deadline"
    );

    // Nobody decides; this process waits (no polling) and sees the expiry at the deadline.
    let decision = queue.wait_for_decision(id, PATIENCE).unwrap();
    assert_eq!(decision.outcome, Outcome::Expired);
    assert!(!decision.is_approved());
    assert_eq!(decision.reviewer, None);
    assert!(decision.decided_at >= view.deadline);

    // A decision after the deadline fails and the expiry stands.
    let late = alice.decide("alice", &view, Verdict::Approve, "too late");
    assert!(matches!(
        queue.decide_signed(&late),
        Err(HitlError::AlreadyDecided { decision: d, .. }) if d == decision
    ));
    // Another process's view is the same.
    let other = open(&url, &name);
    assert_eq!(other.status(id).unwrap(), Some(decision));
    queue.check_invariants().unwrap();
}

#[test]
fn a_handle_cannot_relax_the_policy_the_queue_was_registered_with() {
    let Some(url) = url() else { return };
    let name = fresh_name("policy");
    let signed = PgQueue::builder(url.as_str(), name.as_str())
        .schema(SCHEMA)
        .require_signatures(true)
        .capacity(50)
        .build()
        .unwrap();
    assert!(signed.requires_signatures());
    // Another process (or a careless one) opening the same queue without signatures, or with another
    // capacity, is refused: before, its handle decided unsigned on a queue its peers kept signed.
    for relaxed in [
        PgQueue::builder(url.as_str(), name.as_str())
            .schema(SCHEMA)
            .capacity(50),
        PgQueue::builder(url.as_str(), name.as_str())
            .schema(SCHEMA)
            .require_signatures(true),
    ] {
        match relaxed.build() {
            Err(HitlError::PolicyMismatch {
                queue,
                stored,
                asked,
            }) => {
                assert_eq!(queue, name);
                assert_ne!(stored, asked);
                assert!(stored.contains("signatures required"), "{stored}");
            }
            other => panic!("expected a policy mismatch, got {other:?}"),
        }
    }
    // The same policy opens it.
    let again = PgQueue::builder(url.as_str(), name.as_str())
        .schema(SCHEMA)
        .require_signatures(true)
        .capacity(50)
        .build()
        .unwrap();
    assert!(again.requires_signatures());
}

/// A queue named `name` that accepts only signed decisions.
fn signed_queue(url: &str, name: &str) -> PgQueue {
    PgQueue::builder(url, name)
        .schema(SCHEMA)
        .require_signatures(true)
        .build()
        .unwrap_or_else(|e| panic!("open {name}: {e}"))
}

/// Submits a pending request for `what`.
fn pending(queue: &PgQueue, what: &str) -> RequestId {
    queue
        .request(DecisionRequest::new(
            "agent",
            what,
            Priority::High,
            Duration::from_secs(600),
        ))
        .unwrap()
}

/// Writes an unsigned approval of `id` straight into the table, as a client that skips the handle would.
fn forge_approval(
    c: &mut impl postgres::GenericClient,
    queue: &str,
    id: RequestId,
) -> Result<u64, postgres::Error> {
    c.execute(
        &format!(
            "UPDATE {SCHEMA}.hitl_requests SET status = 'approved', reviewer = 'mallory', \
             decided_at = submitted_at + 1 WHERE queue = $1 AND id = $2"
        ),
        &[&queue, &i64::try_from(id.0).unwrap()],
    )
}

#[test]
fn the_database_refuses_an_unsigned_decision_on_a_signed_queue() {
    let Some(url) = url() else { return };
    let name = fresh_name("trigger");
    let queue = signed_queue(&url, &name);
    let id = pending(&queue, "drop the staging database");
    // A client that skips the handle (another build, a hand-written script) writes an unsigned approval.
    let mut c = postgres_client(&url);
    let err =
        forge_approval(&mut c, &name, id).expect_err("the trigger refuses an unsigned decision");
    let refused = err.as_db_error().map(postgres::error::DbError::message);
    assert!(
        refused.is_some_and(|m| m.contains("accepts only signed decisions")),
        "{err:?}"
    );
    assert_eq!(queue.status(id).unwrap(), None, "still pending");
    // On a queue without the policy the same statement goes through (the trigger is about the policy).
    let open_name = fresh_name("unsigned");
    let id = pending(&open(&url, &open_name), "read the report");
    assert_eq!(forge_approval(&mut c, &open_name, id).unwrap(), 1);
}

#[test]
fn opening_a_queue_takes_no_table_lock_a_deciding_transaction_holds_against_it() {
    let Some(url) = url() else { return };
    let name = fresh_name("locks");
    let queue = signed_queue(&url, &name);
    let id = pending(&queue, "rotate the keys");
    // Another process is in the middle of a transaction on the queue's tables (the locks a deciding
    // transaction holds: the request row, and through the trigger a read of the queues table).
    let mut c = postgres_client(&url);
    let mut tx = c.transaction().unwrap();
    tx.execute(
        &format!(
            "UPDATE {SCHEMA}.hitl_requests SET priority = priority WHERE queue = $1 AND id = $2"
        ),
        &[&name, &i64::try_from(id.0).unwrap()],
    )
    .unwrap();
    // A new handle must open without waiting for it: with a lock timeout, any table lock it needed would
    // fail here instead (before, every build ran ALTER TABLE and CREATE TRIGGER, which waited, and with
    // a deciding transaction waiting in turn, deadlocked).
    let impatient = format!("{url} options='-c lock_timeout=2000'");
    let opened = PgQueue::builder(impatient.as_str(), name.as_str())
        .schema(SCHEMA)
        .require_signatures(true)
        .build();
    tx.rollback().unwrap();
    opened.unwrap_or_else(|e| panic!("a new handle waited for another transaction's locks: {e}"));
}
