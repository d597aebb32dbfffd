//! Loom model of group commit: whoever commits, every acknowledged entry is committed exactly once, in
//! sequence order.

#![cfg(loom)]

use audit_system::{Entry, EntryContent, Sequencer};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use loom_tests::bound::check as bounded;
use loom_tests::broken_audit::{EagerGroupCommit, SplitLeader};

/// Preemption bounds (see `loom-tests/README.md`, "Audit models").
const GROUP_COMMIT_BOUND: Option<usize> = None;
const FAILED_COMMIT_BOUND: Option<usize> = None;
const SPLIT_LEADER_BOUND: Option<usize> = None;
const SHARED_COMMIT_BOUND: Option<usize> = None;
const EAGER_COMMIT_BOUND: Option<usize> = None;

fn content(t: usize) -> EntryContent {
    EntryContent::unchecked("actor", "act", &t.to_string())
}

/// Every sequence number in `0..n` committed exactly once, in order, in `commits` groups at most `n`.
fn check_commits(committed: &[u64], n: u64) {
    for (i, s) in committed.iter().enumerate() {
        assert!(
            committed[..i].iter().all(|p| p != s),
            "entry {s} committed twice"
        );
    }
    assert_eq!(
        committed,
        (0..n).collect::<Vec<_>>(),
        "entries lost or out of order"
    );
}

#[test]
fn audit_no_entry_is_lost_or_committed_twice() {
    bounded(GROUP_COMMIT_BOUND, || {
        let seq = Arc::new(Sequencer::new());
        let committed: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (seq, committed) = (Arc::clone(&seq), Arc::clone(&committed));
                loom::thread::spawn(move || {
                    // Two entries per call: reserved together, possibly committed in different groups.
                    seq.append_with(
                        vec![content(t), content(t + 10)],
                        0,
                        |_| [0; 64],
                        |g: &[Entry], _| {
                            committed
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .extend(g.iter().map(|e| e.seq));
                            Ok::<(), ()>(())
                        },
                    )
                    .is_ok()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().ok(), Some(true), "an append failed");
        }
        let committed = committed.lock().unwrap_or_else(|e| e.into_inner()).clone();
        check_commits(&committed, 4);
        assert_eq!(seq.committed_size(), 4);
    });
}

#[test]
fn audit_a_failed_commit_leaves_no_hole() {
    bounded(FAILED_COMMIT_BOUND, || {
        let seq = Arc::new(Sequencer::new());
        let committed: Arc<Mutex<Vec<Entry>>> = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (seq, committed) = (Arc::clone(&seq), Arc::clone(&committed));
                loom::thread::spawn(move || {
                    // Thread 0's first commit attempt fails (a full disk), whatever it contains.
                    let mut fail_once = t == 0;
                    seq.append_with(
                        vec![content(t)],
                        0,
                        |_| [0; 64],
                        |g: &[Entry], _| {
                            if std::mem::take(&mut fail_once) {
                                return Err(());
                            }
                            committed
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .extend_from_slice(g);
                            Ok(())
                        },
                    )
                    .is_ok()
                })
            })
            .collect();
        let oks = threads
            .into_iter()
            .map(|t| t.join().unwrap_or(false))
            .filter(|ok| *ok)
            .count();
        let entries = committed.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut prev = audit_system::Hash::default();
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.seq, i as u64, "a failed commit left a hole");
            assert_eq!(
                e.prev_hash, prev,
                "entry {} links past a discarded entry",
                e.seq
            );
            prev = e.hash;
        }
        assert_eq!(
            oks,
            entries.len(),
            "acknowledged and committed entries differ"
        );
        assert_eq!(seq.committed_size(), entries.len() as u64);
    });
}

#[test]
#[should_panic(expected = "committed twice")]
fn audit_split_leader_election_is_caught() {
    bounded(SPLIT_LEADER_BOUND, || {
        let gc = Arc::new(SplitLeader::new());
        let committed: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(Vec::new()));
        let mut state = audit_system::SequencerState::new();
        let entries: Vec<Entry> = (0..2)
            .map(|t| state.reserve(0, content(t)).with_signature([0; 64]))
            .collect();
        let threads: Vec<_> = entries
            .into_iter()
            .map(|e| {
                let (gc, committed) = (Arc::clone(&gc), Arc::clone(&committed));
                loom::thread::spawn(move || {
                    gc.submit_and_wait(e, |g| {
                        committed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend(g.iter().map(|e| e.seq));
                    });
                })
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
        let committed = committed.lock().unwrap_or_else(|e| e.into_inner()).clone();
        check_commits(&committed, 2);
    });
}

/// A signer that reports its reservation and then waits (yielding to loom) until `n` appenders have
/// reserved, so every appender has reserved before any submits: the situation group commit must share.
fn sign_after_all_reserved(reserved: &AtomicUsize, n: usize) {
    reserved.fetch_add(1, Ordering::SeqCst);
    while reserved.load(Ordering::SeqCst) < n {
        loom::thread::yield_now();
    }
}

/// Asserts that the entries were committed in exactly one transaction holding `0..n`.
fn check_one_commit(commits: &[Vec<u64>], n: u64) {
    assert_eq!(
        commits,
        [(0..n).collect::<Vec<_>>()],
        "concurrent small appends committed separately"
    );
}

#[test]
fn audit_concurrent_small_appends_share_one_commit() {
    bounded(SHARED_COMMIT_BOUND, || {
        let seq = Arc::new(Sequencer::new());
        let commits: Arc<Mutex<Vec<Vec<u64>>>> = Arc::new(Mutex::new(Vec::new()));
        let reserved = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (seq, commits, reserved) = (
                    Arc::clone(&seq),
                    Arc::clone(&commits),
                    Arc::clone(&reserved),
                );
                loom::thread::spawn(move || {
                    seq.append_with(
                        vec![content(t)],
                        0,
                        |_| {
                            sign_after_all_reserved(&reserved, 2);
                            [0; 64]
                        },
                        |g: &[Entry], _| {
                            commits
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(g.iter().map(|e| e.seq).collect());
                            Ok::<(), ()>(())
                        },
                    )
                    .is_ok()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().ok(), Some(true), "an append failed");
        }
        let commits = commits.lock().unwrap_or_else(|e| e.into_inner()).clone();
        check_one_commit(&commits, 2);
        assert_eq!(seq.committed_size(), 2);
    });
}

#[test]
#[should_panic(expected = "committed separately")]
fn audit_eager_group_commit_is_caught() {
    bounded(EAGER_COMMIT_BOUND, || {
        let gc = Arc::new(EagerGroupCommit::new());
        let commits: Arc<Mutex<Vec<Vec<u64>>>> = Arc::new(Mutex::new(Vec::new()));
        let reserved = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (gc, commits, reserved) =
                    (Arc::clone(&gc), Arc::clone(&commits), Arc::clone(&reserved));
                loom::thread::spawn(move || {
                    gc.append(
                        || sign_after_all_reserved(&reserved, 2),
                        |g| {
                            commits
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(g.to_vec());
                        },
                    )
                })
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
        let commits = commits.lock().unwrap_or_else(|e| e.into_inner()).clone();
        check_one_commit(&commits, 2);
    });
}
