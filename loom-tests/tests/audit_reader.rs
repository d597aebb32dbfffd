//! Loom model: an appender races a reader of the root and of a proof; the reader always sees a consistent
//! prefix (a size whose root matches the stored tree and whose proofs verify).

#![cfg(loom)]

use audit_system::proof::root_at;
use audit_system::{Entry, EntryContent, Frontier, InclusionProof, MemoryStore, Sequencer, Store};
use loom::sync::Arc;
use loom_tests::bound::check as bounded;
use loom_tests::broken_audit::PublishBeforeWrite;

/// Preemption bounds (see `loom-tests/README.md`, "Audit models").
const READER_BOUND: Option<usize> = None;
const PUBLISH_BEFORE_WRITE_BOUND: Option<usize> = None;

fn content(i: usize) -> EntryContent {
    EntryContent::unchecked("actor", "act", &i.to_string())
}

/// What a reader checks for a snapshot: the stored tree reproduces the root, and the newest entry's
/// inclusion proof verifies against it.
fn check_snapshot(store: &MemoryStore, snapshot: &Frontier) {
    let size = snapshot.size();
    if size == 0 {
        return;
    }
    let stored = root_at(store, size);
    assert!(
        stored.is_ok(),
        "reader saw size {size} whose nodes are not stored"
    );
    assert_eq!(
        stored.ok(),
        Some(snapshot.root()),
        "reader saw a root that is not the root of its size"
    );
    let proof = InclusionProof::build(store, size - 1, size);
    assert!(
        proof.is_ok(),
        "reader saw size {size} whose proof cannot be built"
    );
    let leaf = store
        .entries(size - 1..size)
        .ok()
        .and_then(|mut v| v.pop())
        .map(|e| e.hash);
    if let (Ok(p), Some(leaf)) = (proof, leaf) {
        assert_eq!(
            p.verify(&leaf, &snapshot.root()),
            Ok(()),
            "proof does not verify against the snapshot"
        );
    }
}

#[test]
fn audit_reader_sees_a_consistent_prefix() {
    bounded(READER_BOUND, || {
        let seq = Arc::new(Sequencer::new());
        let store = Arc::new(MemoryStore::new());
        let writer = {
            let (seq, store) = (Arc::clone(&seq), Arc::clone(&store));
            loom::thread::spawn(move || {
                for i in 0..2 {
                    let r = seq.append_with(
                        vec![content(i)],
                        0,
                        |_| [0; 64],
                        |g: &[Entry], n| store.commit(g, n),
                    );
                    assert!(r.is_ok());
                }
            })
        };
        for _ in 0..2 {
            check_snapshot(&store, &seq.committed());
        }
        assert!(writer.join().is_ok());
        assert_eq!(seq.committed_size(), 2);
        check_snapshot(&store, &seq.committed());
    });
}

#[test]
#[should_panic(expected = "whose nodes are not stored")]
fn audit_publishing_before_writing_is_caught() {
    bounded(PUBLISH_BEFORE_WRITE_BOUND, || {
        let log = Arc::new(PublishBeforeWrite::new());
        let writer = {
            let log = Arc::clone(&log);
            loom::thread::spawn(move || {
                let mut state = audit_system::SequencerState::new();
                for i in 0..2 {
                    log.commit(state.reserve(0, content(i)).with_signature([0; 64]));
                }
            })
        };
        check_snapshot(log.store(), &log.committed());
        let _ = writer.join();
    });
}
