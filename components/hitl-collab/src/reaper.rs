//! The optional background reaper: expires requests at their deadlines even when nobody calls the queue.
//!
//! It sleeps on a condition variable until the earliest deadline in the deadline index (or indefinitely when
//! nothing is pending); a request with an earlier deadline, and shutdown, wake it. There is no fixed-period
//! polling. Not compiled under `cfg(loom)`: loom cannot model timed waits.

use crate::queue::Shared;
use crate::sync::{Arc, thread};

/// The handle of a running reaper thread.
pub(crate) struct Reaper {
    handle: thread::JoinHandle<()>,
}

impl Reaper {
    /// Starts the reaper thread.
    pub(crate) fn spawn(shared: Arc<Shared>) -> Self {
        let handle = thread::spawn(move || run(&shared));
        Self { handle }
    }

    /// Tells the reaper to stop and waits for it.
    pub(crate) fn stop(self, shared: &Shared) {
        shared.state.lock().shutdown = true;
        shared.reaper_wake.notify_all();
        // A reaper that panicked has nothing left to clean up; the queue is being dropped anyway.
        let _ = self.handle.join();
    }
}

fn run(shared: &Shared) {
    loop {
        let (mut state, expired) = shared.lock_now();
        if !expired.is_empty() {
            drop(state);
            shared.deliver();
            continue;
        }
        loop {
            if state.shutdown {
                return;
            }
            let now = shared.clock.now();
            let due = state.next_deadline();
            match due {
                Some(deadline) if deadline <= now => break,
                Some(deadline) => {
                    let (guard, _) = shared
                        .reaper_wake
                        .wait_timeout(state, deadline.saturating_duration_since(now));
                    state = guard;
                }
                None => state = shared.reaper_wake.wait(state),
            }
        }
    }
}
