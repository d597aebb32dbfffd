//! Shared set-up of the HITL models: the small queue every model runs on and the request it races over.

use std::time::Duration;

use hitl_collab::{DecisionRequest, HitlQueue, HitlQueueBuilder, Priority, RequestId, Role};
use loom::sync::Arc;

/// Room for two pending and two decided requests: enough for every race the models stage.
const ROOM: usize = 2;

/// A queue with room for two requests, built from `builder` (which sets the clock and whatever else the
/// model needs), with `reviewers` registered.
///
/// # Panics
/// If the builder's bounds are invalid (a model set-up bug).
pub fn small_queue(builder: HitlQueueBuilder, reviewers: &[(&str, Role)]) -> Arc<HitlQueue> {
    let queue = builder
        .capacity(ROOM)
        .retention(ROOM)
        .build()
        .expect("valid bounds");
    for (name, role) in reviewers {
        queue.register_reviewer(name, *role);
    }
    Arc::new(queue)
}

/// A request by "agent" for operation `op` at `priority`, due in `deadline`.
#[must_use]
pub fn request(op: &str, priority: Priority, deadline: Duration) -> DecisionRequest {
    DecisionRequest::new("agent", op, priority, deadline)
}

/// Submits a request at `priority` due in a minute and returns its id.
///
/// # Panics
/// If the queue has no room (a model set-up bug).
pub fn pending(queue: &HitlQueue, priority: Priority) -> RequestId {
    queue
        .request(request("op", priority, Duration::from_secs(60)))
        .expect("room")
}
