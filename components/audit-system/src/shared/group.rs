//! Group commit within one process: appends from many threads queue up, and whichever thread finds no commit
//! running becomes the committer for everything queued so far (one database transaction for all of it), then
//! hands the results back. Ordering across processes is not decided here but in the database (see
//! [`super::SharedLog`]).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::entry::EntryContent;
use crate::error::AuditError;
use crate::sequencer::Receipt;
use crate::sync::{Condvar, Mutex};

/// Entries one transaction carries at most (a longer queue is committed in several).
const MAX_GROUP: usize = 4096;

/// Why a group failed, as every caller in it sees it.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    /// The underlying error's message.
    pub reason: String,
    /// Whether COMMIT was in flight when the connection was lost.
    pub maybe_written: bool,
}

impl From<Failure> for AuditError {
    fn from(f: Failure) -> Self {
        AuditError::CommitFailed {
            reason: f.reason,
            maybe_written: f.maybe_written,
        }
    }
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    waiting: Vec<(u64, Vec<EntryContent>)>,
    committing: bool,
    done: HashMap<u64, Result<Vec<Receipt>, Failure>>,
}

/// The queue and the committer role (see the module doc).
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Queue>,
    changed: Condvar,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// Queues `contents` and returns their receipts once a transaction carrying them committed. `commit` is
    /// called by whichever caller becomes the committer, with the contents of every queued call in order,
    /// and must return one receipt per content, in the same order, or the failure of the whole group.
    ///
    /// # Errors
    /// [`AuditError::CommitFailed`] if the transaction carrying the call failed (a panic in `commit` is such
    /// a failure, with `maybe_written` set).
    pub(crate) fn submit(
        &self,
        contents: Vec<EntryContent>,
        commit: impl Fn(Vec<EntryContent>) -> Result<Vec<Receipt>, Failure>,
    ) -> Result<Vec<Receipt>, AuditError> {
        if contents.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = self.queue.lock();
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.waiting.push((ticket, contents));
        loop {
            if let Some(result) = q.done.remove(&ticket) {
                return result.map_err(AuditError::from);
            }
            if q.committing {
                q = self.changed.wait(q);
                continue;
            }
            // Become the committer for a prefix of the queue (always including the first call, however large).
            q.committing = true;
            let mut take = 0;
            let mut entries = 0;
            for (_, c) in &q.waiting {
                if take > 0 && entries + c.len() > MAX_GROUP {
                    break;
                }
                take += 1;
                entries += c.len();
            }
            let calls: Vec<(u64, Vec<EntryContent>)> = q.waiting.drain(..take).collect();
            drop(q);
            let lens: Vec<(u64, usize)> = calls.iter().map(|(t, c)| (*t, c.len())).collect();
            let flat: Vec<EntryContent> = calls.into_iter().flat_map(|(_, c)| c).collect();
            let result = catch_unwind(AssertUnwindSafe(|| commit(flat))).unwrap_or_else(|_| {
                Err(Failure {
                    reason: "the commit panicked".into(),
                    maybe_written: true,
                })
            });
            q = self.queue.lock();
            q.committing = false;
            match result {
                Ok(receipts) if receipts.len() == entries => {
                    let mut rest = receipts.into_iter();
                    for (t, n) in lens {
                        q.done.insert(t, Ok(rest.by_ref().take(n).collect()));
                    }
                }
                Ok(_) => {
                    let f = Failure {
                        reason: "the commit returned the wrong number of receipts".into(),
                        maybe_written: true,
                    };
                    for (t, _) in lens {
                        q.done.insert(t, Err(f.clone()));
                    }
                }
                Err(f) => {
                    for (t, _) in lens {
                        q.done.insert(t, Err(f.clone()));
                    }
                }
            }
            self.changed.notify_all();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::hasher::Hash;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn receipt(seq: u64) -> Receipt {
        Receipt {
            seq,
            timestamp_ns: seq,
            hash: Hash::default(),
        }
    }

    #[test]
    fn every_caller_gets_its_own_receipts_and_groups_form() {
        let g = Arc::new(GroupCommit::default());
        let next = Arc::new(AtomicU64::new(0));
        let commits = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let (g, next, commits) = (Arc::clone(&g), Arc::clone(&next), Arc::clone(&commits));
                std::thread::spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..200 {
                        let c = vec![EntryContent::unchecked("a", "t", &format!("[{t},{i}]")); 2];
                        let r = g
                            .submit(c, |flat| {
                                commits.fetch_add(1, Ordering::Relaxed);
                                let start = next.fetch_add(flat.len() as u64, Ordering::SeqCst);
                                Ok((start..start + flat.len() as u64).map(receipt).collect())
                            })
                            .unwrap_or_else(|e| panic!("{e}"));
                        assert_eq!(r.len(), 2);
                        assert_eq!(r[1].seq, r[0].seq + 1, "a call's entries stay together");
                        mine.extend(r.iter().map(|r| r.seq));
                    }
                    mine
                })
            })
            .collect();
        let mut all: Vec<u64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap_or_default())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..3200).collect::<Vec<_>>());
        assert!(commits.load(Ordering::Relaxed) <= 1600);
    }

    #[test]
    fn a_failed_or_panicking_commit_fails_the_callers_and_the_next_one_works() {
        let g = GroupCommit::default();
        let c = || vec![EntryContent::unchecked("a", "t", "1")];
        let failed = g.submit(c(), |_| {
            Err(Failure {
                reason: "server gone".into(),
                maybe_written: false,
            })
        });
        assert!(matches!(
            failed,
            Err(AuditError::CommitFailed {
                maybe_written: false,
                ..
            })
        ));
        let panicked = g.submit(c(), |_| panic!("boom"));
        assert!(matches!(
            panicked,
            Err(AuditError::CommitFailed {
                maybe_written: true,
                ..
            })
        ));
        let ok = g.submit(c(), |flat| Ok(flat.iter().map(|_| receipt(7)).collect()));
        assert_eq!(ok.map(|r| r[0].seq).ok(), Some(7));
    }
}
