//! Broken variants of the hitl-collab decision logic (owned by the hitl helper).
