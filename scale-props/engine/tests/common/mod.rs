//! Calibration workloads whose answer is known, with comparisons counted by a counting `Ord` wrapper.

#![allow(dead_code)]

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::sync::Mutex;

use scale_props::OpContext;

thread_local! {
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    COMPARISONS.with(|c| c.set(c.get() + 1));
}

/// A key whose every comparison (eq or cmp) is counted on the current thread.
#[derive(Debug, Clone, Copy)]
pub struct Counted(pub u64);

impl std::hash::Hash for Counted {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        bump();
        self.0 == other.0
    }
}
impl Eq for Counted {}
impl PartialOrd for Counted {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Counted {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        bump();
        self.0.cmp(&other.0)
    }
}

/// Runs `f` and reports the comparisons it made as the `comparisons` work counter.
pub fn counting<R>(ctx: &OpContext<'_>, f: impl FnOnce() -> R) -> R {
    let before = COMPARISONS.with(Cell::get);
    let r = f();
    ctx.count("comparisons", COMPARISONS.with(Cell::get) - before);
    r
}

/// A bijective scramble of 0..n (odd multiplier), so keys are distinct and not in order.
pub fn key(i: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A deterministic hasher, so probe sequences (and counted comparisons) repeat exactly.
pub type FixedHashMap = HashMap<Counted, u64, BuildHasherDefault<DefaultHasher>>;

pub fn hash_map(n: u64) -> FixedHashMap {
    (0..n).map(|k| (Counted(key(k)), k)).collect()
}

pub fn hash_lookup(map: &FixedHashMap, ctx: &OpContext<'_>) -> bool {
    counting(ctx, || map.get(&Counted(key(ctx.i % ctx.size))).is_some())
}

pub fn btree(n: u64) -> Mutex<BTreeMap<Counted, ()>> {
    Mutex::new((0..n).map(|k| (Counted(key(2 * k)), ())).collect())
}

/// Inserts a new key and removes it again, so the map keeps its size.
pub fn btree_insert(map: &Mutex<BTreeMap<Counted, ()>>, ctx: &OpContext<'_>) -> bool {
    let Ok(mut m) = map.lock() else { return false };
    let k = Counted(key(2 * (ctx.i % ctx.size) + 1));
    counting(ctx, || m.insert(k, ()).is_none() && m.remove(&k).is_some())
}

pub fn vector(n: u64) -> Vec<Counted> {
    (0..n).map(|k| Counted(key(k))).collect()
}

/// Scans for a key that is not there: n comparisons.
pub fn scan(v: &[Counted], ctx: &OpContext<'_>) -> bool {
    counting(ctx, || !v.contains(&Counted(1)))
}

/// Sorts a copy: about n log n comparisons.
pub fn sort(v: &[Counted], ctx: &OpContext<'_>) -> bool {
    let mut c = v.to_vec();
    counting(ctx, || c.sort_unstable());
    c.windows(2).all(|w| w[0].0 <= w[1].0)
}

/// Counts inversions with two nested loops (n (n - 1) / 2 comparisons); true when the count is possible.
pub fn nested(v: &[Counted], ctx: &OpContext<'_>) -> bool {
    let n = v.len() as u64;
    let inversions = counting(ctx, || {
        let mut inversions = 0;
        for i in 0..v.len() {
            for j in i + 1..v.len() {
                if v[i] > v[j] {
                    inversions += 1;
                }
            }
        }
        inversions
    });
    inversions <= n * n.saturating_sub(1) / 2
}
