//! The retained raw experiences: a ring with a base offset plus per-action-type and per-outcome
//! id indexes.
//!
//! Ids are dense, so the experience with id `i` sits at `records[i - base]`: lookup is O(1).
//! Timestamps never decrease with the id, so a time range maps to an id range by binary search
//! on the ring, and every index (a sorted list of ids) maps that id range to a slice by binary
//! search too. A query therefore touches only the experiences of the narrowest matching index.
//!
//! # Memory per retained experience
//! `size_of::<Record>()` (72 bytes on 64-bit targets) in the ring, plus 8 bytes in its action
//! type's index and 8 bytes in its outcome's index, plus, for a non-empty context, the shared
//! string's heap block (16 bytes of reference counts + the context's length). `VecDeque` growth
//! by doubling can leave up to 2x spare capacity; [`Store::memory`] counts capacities, not lengths.

use std::collections::VecDeque;
use std::mem::size_of;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::Arc;

use crate::{EvolutionError, ExperienceId, Outcome};

/// One retained experience. Action type and pattern key are interned indexes.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) timestamp_us: u64,
    pub(crate) ethics: Option<f64>,
    pub(crate) safety: Option<f64>,
    /// `None` for an empty context (no allocation, no shared reference count to contend on).
    pub(crate) context: Option<Arc<str>>,
    pub(crate) pattern: Option<u32>,
    pub(crate) action: u32,
    /// The writer shard that counted it (its aggregates move there when it is re-scored).
    pub(crate) shard: u16,
    pub(crate) outcome: Outcome,
}

/// Heap bytes a record's context owns (0 when it has none).
fn context_heap(context: Option<&Arc<str>>) -> usize {
    context.map_or(0, |c| 2 * size_of::<usize>() + c.len())
}

/// Byte counts of the retained experiences and their indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoreMemory {
    pub(crate) records: usize,
    pub(crate) indexes: usize,
    pub(crate) contexts: usize,
}

/// What a query asks of the store, after names were resolved.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    /// `None`: any action type; `Some(a)`: only interned action type `a`.
    pub(crate) action: Option<u32>,
    /// Which outcomes match, by [`Outcome::index`].
    pub(crate) outcomes: [bool; 3],
    /// Timestamps in `[start, end)`.
    pub(crate) time: Range<u64>,
    pub(crate) newest_first: bool,
    pub(crate) limit: usize,
}

/// The retained ring and its indexes.
#[derive(Debug)]
pub(crate) struct Store {
    base: u64,
    records: VecDeque<Record>,
    by_action: Vec<VecDeque<u64>>,
    by_outcome: [VecDeque<u64>; 3],
    retention: Option<NonZeroUsize>,
    context_bytes: usize,
}

impl Store {
    pub(crate) fn new(retention: Option<NonZeroUsize>) -> Self {
        Self {
            base: 0,
            records: VecDeque::new(),
            by_action: Vec::new(),
            by_outcome: Default::default(),
            retention,
            context_bytes: 0,
        }
    }

    /// The id the next pushed record gets (= experiences ever logged).
    pub(crate) fn next_id(&self) -> u64 {
        self.base + self.records.len() as u64
    }

    /// Number of retained records.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Appends a record, evicting the oldest if over the retention bound. O(1) amortised.
    pub(crate) fn push(&mut self, record: Record) -> ExperienceId {
        let id = self.next_id();
        let action = record.action as usize;
        if self.by_action.len() <= action {
            self.by_action.resize_with(action + 1, VecDeque::new);
        }
        self.by_action[action].push_back(id);
        self.by_outcome[record.outcome.index()].push_back(id);
        self.context_bytes += context_heap(record.context.as_ref());
        self.records.push_back(record);
        if let Some(limit) = self.retention
            && self.records.len() > limit.get()
        {
            self.evict_oldest();
        }
        ExperienceId(id)
    }

    /// Appends the records of `runs`, each sorted by id and together holding exactly the ids from
    /// [`Store::next_id`] on, in id order (a k-way merge), leaving the runs empty with their capacity.
    /// O(records x non-empty runs).
    pub(crate) fn append_runs(&mut self, runs: &mut [Vec<(u64, Record)>]) {
        let mut busy = runs.iter_mut().filter(|r| !r.is_empty());
        let (Some(first), second) = (busy.next(), busy.next()) else {
            return;
        };
        let Some(second) = second else {
            // One writer since the last move: its run is already in id order.
            for (id, record) in first.drain(..) {
                let given = self.push(record);
                debug_assert_eq!(given.0, id, "runs must continue the ring densely");
            }
            return;
        };
        let mut runs: Vec<_> = [first, second]
            .into_iter()
            .chain(busy)
            .map(|r| r.drain(..).peekable())
            .collect();
        loop {
            let mut next: Option<(usize, u64)> = None;
            for (k, run) in runs.iter_mut().enumerate() {
                if let Some(&(id, _)) = run.peek()
                    && next.is_none_or(|(_, best)| id < best)
                {
                    next = Some((k, id));
                }
            }
            let Some((k, _)) = next else { break };
            if let Some((id, record)) = runs.get_mut(k).and_then(Iterator::next) {
                let given = self.push(record);
                debug_assert_eq!(given.0, id, "runs must continue the ring densely");
            }
        }
    }

    fn evict_oldest(&mut self) {
        if let Some(old) = self.records.pop_front() {
            // Ids are pushed in order, so the evicted id is at the front of both of its indexes.
            if let Some(list) = self.by_action.get_mut(old.action as usize) {
                list.pop_front();
            }
            self.by_outcome[old.outcome.index()].pop_front();
            self.context_bytes -= context_heap(old.context.as_ref());
            self.base += 1;
        }
    }

    fn position(&self, id: ExperienceId) -> Result<usize, EvolutionError> {
        if id.0 >= self.next_id() {
            Err(EvolutionError::UnknownExperience(id))
        } else if id.0 < self.base {
            Err(EvolutionError::ExperienceEvicted {
                id,
                oldest_retained: ExperienceId(self.base),
            })
        } else {
            // Fits: id - base < len <= usize::MAX.
            Ok((id.0 - self.base) as usize)
        }
    }

    /// The retained record with `id`. O(1).
    pub(crate) fn get(&self, id: ExperienceId) -> Result<&Record, EvolutionError> {
        let at = self.position(id)?;
        self.records
            .get(at)
            .ok_or(EvolutionError::UnknownExperience(id))
    }

    /// The retained record with `id`, mutably. O(1).
    pub(crate) fn get_mut(&mut self, id: ExperienceId) -> Result<&mut Record, EvolutionError> {
        let at = self.position(id)?;
        self.records
            .get_mut(at)
            .ok_or(EvolutionError::UnknownExperience(id))
    }

    /// Ids of retained records with timestamps in `time`, as a half-open id range. O(log n).
    fn id_range(&self, time: &Range<u64>) -> Range<u64> {
        let lo = self
            .records
            .partition_point(|r| r.timestamp_us < time.start);
        let hi = self.records.partition_point(|r| r.timestamp_us < time.end);
        self.base + lo as u64..self.base + hi.max(lo) as u64
    }

    /// Ids matching `sel`, oldest first unless `sel.newest_first`, at most `sel.limit`.
    ///
    /// Cost: O(log n) to bound the ranges plus the length of the narrowest candidate index slice.
    pub(crate) fn select(&self, sel: &Selection) -> Vec<ExperienceId> {
        let ids = self.id_range(&sel.time);
        let all_outcomes = sel.outcomes.iter().all(|&on| on);
        let outcome_lists: Vec<IdSlice<'_>> = Outcome::ALL
            .iter()
            .filter(|o| sel.outcomes[o.index()])
            .map(|o| IdSlice::new(&self.by_outcome[o.index()], &ids))
            .collect();
        let outcome_len: usize = outcome_lists.iter().map(IdSlice::len).sum();
        let mut out = Vec::new();
        match sel.action {
            Some(action) => {
                let Some(list) = self.by_action.get(action as usize) else {
                    return out;
                };
                let action_slice = IdSlice::new(list, &ids);
                if all_outcomes {
                    merge(&[action_slice], sel, |_| true, &mut out);
                } else if action_slice.len() <= outcome_len {
                    merge(
                        &[action_slice],
                        sel,
                        |id| self.outcome_in(id, sel),
                        &mut out,
                    );
                } else {
                    merge(
                        &outcome_lists,
                        sel,
                        |id| self.action_is(id, action),
                        &mut out,
                    );
                }
            }
            None if all_outcomes => {
                let take = (ids.end - ids.start).min(sel.limit as u64);
                if sel.newest_first {
                    out.extend((ids.end - take..ids.end).rev().map(ExperienceId));
                } else {
                    out.extend((ids.start..ids.start + take).map(ExperienceId));
                }
            }
            None => merge(&outcome_lists, sel, |_| true, &mut out),
        }
        out
    }

    fn outcome_in(&self, id: u64, sel: &Selection) -> bool {
        self.get(ExperienceId(id))
            .is_ok_and(|r| sel.outcomes[r.outcome.index()])
    }

    fn action_is(&self, id: u64, action: u32) -> bool {
        self.get(ExperienceId(id)).is_ok_and(|r| r.action == action)
    }

    /// Bytes held, counted from capacities.
    pub(crate) fn memory(&self) -> StoreMemory {
        let id = size_of::<u64>();
        let indexes = self.by_action.capacity() * size_of::<VecDeque<u64>>()
            + self
                .by_action
                .iter()
                .map(|l| l.capacity() * id)
                .sum::<usize>()
            + self
                .by_outcome
                .iter()
                .map(|l| l.capacity() * id)
                .sum::<usize>();
        StoreMemory {
            records: self.records.capacity() * size_of::<Record>(),
            indexes,
            contexts: self.context_bytes,
        }
    }
}

/// The part `[lo, hi)` of a sorted id list that falls in an id range.
#[derive(Debug, Clone, Copy)]
struct IdSlice<'a> {
    ids: &'a VecDeque<u64>,
    lo: usize,
    hi: usize,
}

impl<'a> IdSlice<'a> {
    fn new(ids: &'a VecDeque<u64>, range: &Range<u64>) -> Self {
        let lo = ids.partition_point(|&i| i < range.start);
        let hi = ids.partition_point(|&i| i < range.end).max(lo);
        Self { ids, lo, hi }
    }

    fn len(&self) -> usize {
        self.hi - self.lo
    }
}

/// Visits the union of sorted, disjoint id slices in id order (reversed if newest first), keeping
/// ids that pass `keep`, until `sel.limit` are collected.
fn merge(
    slices: &[IdSlice<'_>],
    sel: &Selection,
    keep: impl Fn(u64) -> bool,
    out: &mut Vec<ExperienceId>,
) {
    let mut cursors: Vec<(usize, usize)> = slices.iter().map(|s| (s.lo, s.hi)).collect();
    while out.len() < sel.limit {
        let mut best: Option<(usize, u64)> = None;
        for (k, &(lo, hi)) in cursors.iter().enumerate() {
            if lo >= hi {
                continue;
            }
            let at = if sel.newest_first { hi - 1 } else { lo };
            let Some(&id) = slices[k].ids.get(at) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((_, b)) => (id > b) == sel.newest_first,
            };
            if better {
                best = Some((k, id));
            }
        }
        let Some((k, id)) = best else { break };
        if sel.newest_first {
            cursors[k].1 -= 1;
        } else {
            cursors[k].0 += 1;
        }
        if keep(id) {
            out.push(ExperienceId(id));
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn record(ts: u64, action: u32, outcome: Outcome, context: &str) -> Record {
        Record {
            timestamp_us: ts,
            ethics: None,
            safety: None,
            context: (!context.is_empty()).then(|| Arc::from(context)),
            pattern: None,
            action,
            shard: 0,
            outcome,
        }
    }

    fn all(time: Range<u64>) -> Selection {
        Selection {
            action: None,
            outcomes: [true; 3],
            time,
            newest_first: false,
            limit: usize::MAX,
        }
    }

    #[test]
    fn record_stays_small() {
        assert!(size_of::<Record>() <= 72, "{}", size_of::<Record>());
    }

    #[test]
    fn runs_merge_in_id_order_and_are_left_empty() {
        let mut s = Store::new(None);
        s.push(record(0, 0, Outcome::Success, ""));
        let mut runs = vec![
            vec![
                (1, record(10, 0, Outcome::Success, "")),
                (4, record(40, 1, Outcome::Failure, "")),
            ],
            Vec::new(),
            vec![
                (2, record(20, 1, Outcome::Success, "")),
                (3, record(30, 0, Outcome::Learning, "")),
            ],
        ];
        s.append_runs(&mut runs);
        assert!(runs.iter().all(Vec::is_empty));
        let times: Vec<u64> = (0..5)
            .filter_map(|i| s.get(ExperienceId(i)).ok().map(|r| r.timestamp_us))
            .collect();
        assert_eq!(times, vec![0, 10, 20, 30, 40]);
        let mut sel = all(0..100);
        sel.action = Some(1);
        assert_eq!(s.select(&sel), vec![ExperienceId(2), ExperienceId(4)]);
    }

    #[test]
    fn ids_are_dense_and_lookup_finds_them() {
        let mut s = Store::new(None);
        for i in 0..10 {
            assert_eq!(s.push(record(i, 0, Outcome::Success, "")), ExperienceId(i));
        }
        assert_eq!(s.get(ExperienceId(7)).map(|r| r.timestamp_us), Ok(7));
        assert_eq!(
            s.get(ExperienceId(10)).map(|r| r.timestamp_us),
            Err(EvolutionError::UnknownExperience(ExperienceId(10)))
        );
    }

    #[test]
    fn retention_evicts_oldest_and_reports_evicted_ids() {
        let mut s = Store::new(NonZeroUsize::new(3));
        for i in 0..5 {
            s.push(record(
                i,
                (i % 2) as u32,
                Outcome::ALL[i as usize % 3],
                "ab",
            ));
        }
        assert_eq!(s.len(), 3);
        assert_eq!(
            s.get(ExperienceId(1)).map(|r| r.timestamp_us),
            Err(EvolutionError::ExperienceEvicted {
                id: ExperienceId(1),
                oldest_retained: ExperienceId(2)
            })
        );
        assert_eq!(s.get(ExperienceId(2)).map(|r| r.timestamp_us), Ok(2));
        let ids = s.select(&all(0..u64::MAX));
        assert_eq!(ids, vec![ExperienceId(2), ExperienceId(3), ExperienceId(4)]);
        assert_eq!(s.memory().contexts, 3 * (2 * size_of::<usize>() + 2));
    }

    #[test]
    fn time_range_is_half_open() {
        let mut s = Store::new(None);
        for ts in [10, 20, 20, 30] {
            s.push(record(ts, 0, Outcome::Success, ""));
        }
        let ids = s.select(&all(20..30));
        assert_eq!(ids, vec![ExperienceId(1), ExperienceId(2)]);
        assert!(s.select(&all(31..40)).is_empty());
    }

    #[test]
    fn outcome_and_action_filters_use_indexes_in_both_directions() {
        let mut s = Store::new(None);
        for i in 0..12u64 {
            s.push(record(
                i,
                (i % 3) as u32,
                Outcome::ALL[(i % 2) as usize],
                "",
            ));
        }
        let mut sel = all(0..100);
        sel.outcomes = [false, true, true];
        sel.action = Some(1);
        // action 1: ids 1, 4, 7, 10; failures are odd ids: 1, 7.
        assert_eq!(s.select(&sel), vec![ExperienceId(1), ExperienceId(7)]);
        sel.newest_first = true;
        sel.limit = 1;
        assert_eq!(s.select(&sel), vec![ExperienceId(7)]);
        sel.action = None;
        sel.limit = 3;
        assert_eq!(
            s.select(&sel),
            vec![ExperienceId(11), ExperienceId(9), ExperienceId(7)]
        );
    }
}
