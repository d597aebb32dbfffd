//! The ordered index of pending requests: priority first, then age, with paused workflows parked aside.
//!
//! Keys are `(Reverse(priority), seq)`, where `seq` is the submission order, so the first key of the
//! `actionable` map is the highest-priority, oldest request. Insert and remove are O(log n); the first k
//! actionable requests come from an in-order walk, O(log n + k).
//!
//! A request in a workflow is also kept in its workflow's own map, so pausing or resuming a workflow moves
//! only that workflow's requests (O(m log n)), and a resumed request returns to exactly the place it had:
//! its key never changes while it is paused.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use crate::request::{Priority, RequestId, WorkflowId};

/// A pending request's place in the order: higher priority first, then lower submission sequence.
pub(crate) type PendingKey = (Reverse<Priority>, u64);

/// Returns the key of a request with this priority and submission sequence.
pub(crate) fn pending_key(priority: Priority, seq: u64) -> PendingKey {
    (Reverse(priority), seq)
}

#[derive(Debug, Default)]
struct Workflow {
    paused: bool,
    pending: BTreeMap<PendingKey, RequestId>,
}

/// All pending requests, ordered, with the actionable (not paused) ones in their own map.
///
/// Invariant: `actionable` holds exactly the pending requests that are in no workflow or in a running one;
/// every request in a workflow is in that workflow's `pending`; `len` counts every pending request once.
#[derive(Debug, Default)]
pub(crate) struct PendingIndex {
    actionable: BTreeMap<PendingKey, RequestId>,
    workflows: HashMap<WorkflowId, Workflow>,
    len: usize,
}

impl PendingIndex {
    /// Returns the number of pending requests, paused or not.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Returns true if and only if the workflow is paused.
    pub(crate) fn is_paused(&self, workflow: Option<&WorkflowId>) -> bool {
        workflow
            .and_then(|w| self.workflows.get(w))
            .is_some_and(|w| w.paused)
    }

    /// Adds a request under `key`.
    pub(crate) fn insert(&mut self, key: PendingKey, id: RequestId, workflow: Option<&WorkflowId>) {
        let paused = match workflow {
            Some(name) => {
                let entry = self.workflows.entry(name.clone()).or_default();
                entry.pending.insert(key, id);
                entry.paused
            }
            None => false,
        };
        if !paused {
            self.actionable.insert(key, id);
        }
        self.len += 1;
    }

    /// Removes the request under `key`; returns true if and only if it was there.
    pub(crate) fn remove(&mut self, key: PendingKey, workflow: Option<&WorkflowId>) -> bool {
        let removed = match workflow {
            Some(name) => {
                let Some(entry) = self.workflows.get_mut(name) else {
                    return false;
                };
                let removed = entry.pending.remove(&key).is_some();
                if !entry.paused {
                    self.actionable.remove(&key);
                }
                if entry.pending.is_empty() && !entry.paused {
                    self.workflows.remove(name);
                }
                removed
            }
            None => self.actionable.remove(&key).is_some(),
        };
        if removed {
            self.len -= 1;
        }
        removed
    }

    /// Pauses a workflow (also one with no requests yet); returns true if and only if it was running.
    pub(crate) fn pause(&mut self, workflow: &WorkflowId) -> bool {
        let entry = self.workflows.entry(workflow.clone()).or_default();
        if entry.paused {
            return false;
        }
        entry.paused = true;
        for key in entry.pending.keys() {
            self.actionable.remove(key);
        }
        true
    }

    /// Resumes a workflow; its requests return to their old places. Returns true if and only if it was paused.
    pub(crate) fn resume(&mut self, workflow: &WorkflowId) -> bool {
        let Some(entry) = self.workflows.get_mut(workflow) else {
            return false;
        };
        if !entry.paused {
            return false;
        }
        entry.paused = false;
        for (key, id) in &entry.pending {
            self.actionable.insert(*key, *id);
        }
        if entry.pending.is_empty() {
            self.workflows.remove(workflow);
        }
        true
    }

    /// Returns the actionable requests in serving order.
    pub(crate) fn actionable(&self) -> impl Iterator<Item = (&PendingKey, &RequestId)> {
        self.actionable.iter()
    }

    /// Returns every pending request with its key and whether it is paused (unordered across workflows).
    pub(crate) fn all(&self) -> Vec<(PendingKey, RequestId, bool)> {
        let mut out: Vec<(PendingKey, RequestId, bool)> = self
            .actionable
            .iter()
            .map(|(k, id)| (*k, *id, false))
            .collect();
        for workflow in self.workflows.values().filter(|w| w.paused) {
            out.extend(workflow.pending.iter().map(|(k, id)| (*k, *id, true)));
        }
        out
    }

    /// Returns true if and only if the workflow maps and the actionable map agree (see the type invariant).
    pub(crate) fn is_consistent(&self) -> bool {
        let mut expected_actionable = 0usize;
        let mut paused = 0usize;
        for workflow in self.workflows.values() {
            if workflow.paused {
                paused += workflow.pending.len();
                if workflow
                    .pending
                    .keys()
                    .any(|k| self.actionable.contains_key(k))
                {
                    return false;
                }
            } else {
                expected_actionable += workflow.pending.len();
                if workflow
                    .pending
                    .iter()
                    .any(|(k, id)| self.actionable.get(k) != Some(id))
                {
                    return false;
                }
                if workflow.pending.is_empty() {
                    return false;
                }
            }
        }
        expected_actionable <= self.actionable.len() && self.actionable.len() + paused == self.len
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn ids(index: &PendingIndex) -> Vec<u64> {
        index.actionable().map(|(_, id)| id.0).collect()
    }

    #[test]
    fn order_is_priority_then_sequence() {
        let mut index = PendingIndex::default();
        index.insert(pending_key(Priority::Low, 0), RequestId(0), None);
        index.insert(pending_key(Priority::Critical, 1), RequestId(1), None);
        index.insert(pending_key(Priority::Low, 2), RequestId(2), None);
        index.insert(pending_key(Priority::Critical, 3), RequestId(3), None);
        assert_eq!(ids(&index), vec![1, 3, 0, 2]);
        assert!(index.remove(pending_key(Priority::Critical, 1), None));
        assert!(!index.remove(pending_key(Priority::Critical, 1), None));
        assert_eq!(ids(&index), vec![3, 0, 2]);
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn pause_parks_and_resume_restores_the_same_places() {
        let w = WorkflowId::new("w");
        let mut index = PendingIndex::default();
        index.insert(pending_key(Priority::High, 0), RequestId(0), Some(&w));
        index.insert(pending_key(Priority::High, 1), RequestId(1), None);
        index.insert(pending_key(Priority::Low, 2), RequestId(2), Some(&w));
        assert!(index.pause(&w));
        assert_eq!(ids(&index), vec![1]);
        assert!(index.is_paused(Some(&w)));
        assert_eq!(index.len(), 3);
        assert!(index.is_consistent());
        // Removing a parked request works and keeps the count right.
        assert!(index.remove(pending_key(Priority::Low, 2), Some(&w)));
        assert!(index.resume(&w));
        assert_eq!(ids(&index), vec![0, 1]);
        assert_eq!(index.len(), 2);
        assert!(index.is_consistent());
    }

    #[test]
    fn an_empty_running_workflow_is_forgotten() {
        let w = WorkflowId::new("w");
        let mut index = PendingIndex::default();
        index.insert(pending_key(Priority::Low, 0), RequestId(0), Some(&w));
        assert!(index.remove(pending_key(Priority::Low, 0), Some(&w)));
        assert!(index.workflows.is_empty());
        assert!(!index.resume(&w));
        assert!(index.is_consistent());
    }
}
