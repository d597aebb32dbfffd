//! Loom models of audit-system's ordering core: concurrent appenders get dense, unique, linked sequence
//! numbers and the same Merkle root as appending one by one.

#![cfg(loom)]

use audit_system::{Entry, EntryContent, Frontier, Hash, Sequencer};
use loom::sync::{Arc, Mutex};
use loom_tests::bound::check as bounded;
use loom_tests::broken_audit::SplitReserve;

/// Preemption bounds (see `loom-tests/README.md`, "Audit models").
const TWO_APPENDERS_BOUND: Option<usize> = None;
const THREE_APPENDERS_BOUND: Option<usize> = Some(4);
const SPLIT_RESERVE_BOUND: Option<usize> = None;

fn content(t: usize) -> EntryContent {
    EntryContent::unchecked("actor", "act", &t.to_string())
}

/// Dense from 0, each linked to the one before, and the root equals the sequential root.
fn check_chain(entries: &[Entry], root: Hash) {
    let mut frontier = Frontier::new();
    let mut prev = Hash::default();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "sequence numbers are not dense and unique");
        assert_eq!(
            e.prev_hash, prev,
            "entry {} does not link to the one before it",
            e.seq
        );
        assert_eq!(e.hash, e.computed_hash());
        prev = e.hash;
        frontier.push(e.hash);
    }
    assert_eq!(
        frontier.root(),
        root,
        "root differs from the sequential root"
    );
}

fn appenders_through_the_real_sequencer(n: usize, bound: Option<usize>) {
    bounded(bound, move || {
        let seq = Arc::new(Sequencer::new());
        let log: Arc<Mutex<Vec<Entry>>> = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..n)
            .map(|t| {
                let (seq, log) = (Arc::clone(&seq), Arc::clone(&log));
                loom::thread::spawn(move || {
                    let r = seq.append_with(
                        vec![content(t)],
                        0,
                        |_| [0; 64],
                        |group: &[Entry], _| {
                            log.lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .extend_from_slice(group);
                            Ok::<(), ()>(())
                        },
                    );
                    r.map(|rs| rs[0].seq).unwrap_or(u64::MAX)
                })
            })
            .collect();
        let mut seqs: Vec<u64> = threads
            .into_iter()
            .map(|t| t.join().unwrap_or(u64::MAX))
            .collect();
        seqs.sort_unstable();
        assert_eq!(
            seqs,
            (0..n as u64).collect::<Vec<_>>(),
            "receipts are not dense and unique"
        );
        let entries = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let committed = seq.committed();
        assert_eq!(committed.size(), n as u64);
        check_chain(&entries, committed.root());
    });
}

#[test]
fn audit_two_appenders_get_dense_linked_entries() {
    appenders_through_the_real_sequencer(2, TWO_APPENDERS_BOUND);
}

#[test]
fn audit_three_appenders_get_dense_linked_entries() {
    appenders_through_the_real_sequencer(3, THREE_APPENDERS_BOUND);
}

#[test]
#[should_panic(expected = "not dense and unique")]
fn audit_split_reserve_is_caught() {
    bounded(SPLIT_RESERVE_BOUND, || {
        let seq = Arc::new(SplitReserve::new());
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let seq = Arc::clone(&seq);
                loom::thread::spawn(move || seq.reserve(0, content(t)).with_signature([0; 64]))
            })
            .collect();
        let mut entries: Vec<Entry> = threads.into_iter().filter_map(|t| t.join().ok()).collect();
        entries.sort_by_key(|e| e.seq);
        let mut frontier = Frontier::new();
        for e in &entries {
            frontier.push(e.hash);
        }
        check_chain(&entries, frontier.root());
    });
}
