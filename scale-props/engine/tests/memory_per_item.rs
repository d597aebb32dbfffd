//! Memory per item counts the memory a prepared state keeps, whatever the allocator held free beforehand.
//!
//! Before the engine handed the allocator's free memory back to the OS around `prepare`, a state built from
//! memory freed earlier in the process grew RSS by nothing (the HITL memory curve read 0 B per pending
//! request at 1 000 and 10 000 in the main job), and a state whose buffers had grown left their old copies
//! resident (4 180 B per request once, over its 4 096 B bound). This binary holds one test, so no other test
//! moves the process's RSS while it measures.
#![cfg(not(loom))]

use scale_props::Experiment;

/// Bytes of each item the prepared state keeps.
const ITEM: usize = 1_024;
/// Items of the prepared state.
const ITEMS: u64 = 20_000;

#[test]
fn a_state_built_from_freed_memory_still_counts_its_bytes() {
    // Leave about 40 MiB free inside the allocator's heap: many small blocks freed below one still held, so
    // the allocator cannot give them back by itself.
    let freed: Vec<Box<[u8; ITEM]>> = (0..2 * ITEMS).map(|_| Box::new([1u8; ITEM])).collect();
    let pin = Box::new([2u8; 64]);
    drop(freed);

    let curve = Experiment::new("memory.per_item.reused")
        .sizes([ITEMS])
        .ops(1)
        .prepare(|n| (0..n).map(|_| Box::new([3u8; ITEM])).collect::<Vec<_>>())
        .op(|state, _| state.len() as u64 == ITEMS)
        .run()
        .expect("runs");
    std::hint::black_box(&pin);

    let per_item = curve.memory_per_item()[0].1;
    if cfg!(target_os = "linux") {
        let per_item = per_item.expect("RSS is reported on Linux");
        assert!(
            per_item >= 0.9 * ITEM as f64,
            "{per_item:.0} B per item of {ITEM} B kept"
        );
        assert!(
            per_item <= 2.0 * ITEM as f64,
            "{per_item:.0} B per item of {ITEM} B kept"
        );
    }
}
