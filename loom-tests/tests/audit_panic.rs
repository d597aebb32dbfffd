//! Loom models of failing closed: a signer or a commit that panics poisons the sequencer, so the panicking
//! append and every appender waiting behind it return `Poisoned` instead of waiting for ever, and a log
//! resumed from what was durably written continues the chain.

#![cfg(loom)]

use audit_system::{AppendError, Entry, EntryContent, Frontier, Hash, Sequencer};
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Mutex};
use loom_tests::audit_support::quiet_injected_panics;
use loom_tests::bound::check as bounded;
use loom_tests::broken_audit::SilentPanic;

/// Preemption bounds (see `loom-tests/README.md`, "Audit models").
const PANICKING_COMMIT_BOUND: Option<usize> = None;
const PANICKING_SIGNER_BOUND: Option<usize> = None;
const SILENT_PANIC_BOUND: Option<usize> = None;

fn content(t: usize) -> EntryContent {
    EntryContent::unchecked("actor", "act", &t.to_string())
}

type Durable = Arc<Mutex<Vec<Entry>>>;

/// After the model's appenders returned: every `Ok` is durable; if the injected panic fired, the sequencer is
/// poisoned and refuses a new append; and a sequencer resumed from the durable entries continues the chain
/// gap-free.
fn check_recovery(seq: &Sequencer, durable: &Durable, oks: usize, fired: bool) {
    let entries = durable.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(
        oks,
        entries.len(),
        "acknowledged and durable entries differ"
    );
    assert_eq!(
        seq.is_poisoned(),
        fired,
        "poisoned exactly when a panic fired"
    );
    if fired {
        let again = seq.append_with(vec![content(9)], 0, |_| [0; 64], |_, _| Ok::<(), ()>(()));
        assert_eq!(
            again,
            Err(AppendError::Poisoned),
            "a later append was accepted"
        );
    }
    // Reopen: rebuild from the durable entries and continue.
    let mut frontier = Frontier::new();
    let mut prev = Hash::default();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "durable entries have a hole");
        assert_eq!(e.prev_hash, prev, "durable entries do not link");
        frontier.push(e.hash);
        prev = e.hash;
    }
    let resumed = Sequencer::resume(frontier, prev, 0);
    let next = resumed.append_with(vec![content(8)], 0, |_| [0; 64], |_, _| Ok::<(), ()>(()));
    assert_eq!(
        next.ok().map(|r| r[0].seq),
        Some(entries.len() as u64),
        "the resumed log does not continue after the durable entries"
    );
}

fn run(panic_in_sign: bool, bound: Option<usize>) {
    quiet_injected_panics();
    bounded(bound, move || {
        let seq = Arc::new(Sequencer::new());
        let durable: Durable = Arc::new(Mutex::new(Vec::new()));
        // Thread 0's commit runs only if thread 0 becomes a committer; its signer always runs.
        let fired = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (seq, durable) = (Arc::clone(&seq), Arc::clone(&durable));
                let fired = Arc::clone(&fired);
                loom::thread::spawn(move || {
                    let faulty = t == 0;
                    let r = seq.append_with(
                        vec![content(t)],
                        0,
                        |_| {
                            if faulty && panic_in_sign {
                                fired.store(true, Ordering::SeqCst);
                                panic!("injected signer panic");
                            }
                            [0; 64]
                        },
                        |g: &[Entry], _| {
                            // Thread 0's commit panics, whatever group it carries.
                            if faulty && !panic_in_sign {
                                fired.store(true, Ordering::SeqCst);
                                panic!("injected commit panic");
                            }
                            durable
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .extend_from_slice(g);
                            Ok::<(), ()>(())
                        },
                    );
                    match r {
                        Ok(_) => true,
                        Err(AppendError::Poisoned) => false,
                        Err(e) => panic!("unexpected append error {e:?}"),
                    }
                })
            })
            .collect();
        let oks = threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| panic!("a panic escaped an append"))
            })
            .filter(|ok| *ok)
            .count();
        check_recovery(&seq, &durable, oks, fired.load(Ordering::SeqCst));
    });
}

#[test]
fn audit_a_panicking_commit_fails_closed_and_recovers() {
    run(false, PANICKING_COMMIT_BOUND);
}

#[test]
fn audit_a_panicking_signer_fails_closed_and_recovers() {
    run(true, PANICKING_SIGNER_BOUND);
}

#[test]
#[should_panic(expected = "waits for ever behind an entry whose signer panicked")]
fn audit_a_silently_caught_panic_is_caught() {
    quiet_injected_panics();
    bounded(SILENT_PANIC_BOUND, || {
        let log = Arc::new(SilentPanic::new());
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let log = Arc::clone(&log);
                loom::thread::spawn(move || {
                    log.append(|| {
                        if t == 0 {
                            panic!("injected signer panic");
                        }
                    })
                })
            })
            .collect();
        for t in threads {
            let r = t.join().unwrap_or(Err("joined a panicked thread"));
            assert_ne!(
                r,
                Err("waits for ever"),
                "an appender waits for ever behind an entry whose signer panicked"
            );
        }
    });
}
