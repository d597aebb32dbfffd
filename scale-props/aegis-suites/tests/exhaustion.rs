//! Exhaustion and recovery as properties: for any capacity or burst, exactly the requests sent while the
//! resource is exhausted are refused, under their own error kind, and service resumes once it is freed.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

use aegis_scale::suites::{firewall, hitl};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_full_review_queue_refuses_exactly_while_full(capacity in 1u64..300) {
        let run = hitl::queue_full(capacity).expect("case builds").run(None).expect("runs");
        let p = &run.curve.points[0];
        prop_assert_eq!(p.errors_by_kind().get("QueueFull").copied(), Some(capacity));
        prop_assert_eq!(p.total_errors(), capacity);
        prop_assert_eq!(p.work_total("drained"), capacity);
        prop_assert_eq!(p.total_completed(), 3 * capacity);
    }

    #[test]
    fn a_flooding_source_is_limited_to_its_burst(burst in 1u64..300) {
        let run = firewall::rate_limit(burst).expect("case builds").run(None).expect("runs");
        let p = &run.curve.points[0];
        prop_assert_eq!(p.errors_by_kind().get("RateLimited").copied(), Some(burst));
        prop_assert_eq!(p.total_errors(), burst);
    }
}
