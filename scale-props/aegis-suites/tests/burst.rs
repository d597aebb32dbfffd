//! A burst as a property: for any base load and spike factor (shrinking toward less load), the screening path
//! fails nothing and its service time after the spike returns near its level before it.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

use aegis_scale::suites::load::screening_experiment;
use proptest::prelude::*;
use scale_props::shape::burst_with_ops;

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn service_time_recovers_after_any_burst(shape in burst_with_ops(1..4, 2..12, 500..1_500)) {
        let curve = screening_experiment("burst.property".to_owned())
            .shape(shape.clone())
            .repetitions(3)
            .run()
            .expect("runs");
        prop_assert_eq!(curve.total_errors(), 0);
        let before = curve.points[0].median_p50_ns();
        let after = curve.points[2].median_p50_ns();
        prop_assert!(
            after <= 4.0 * before,
            "{}: p50 {after:.0} ns after the spike vs {before:.0} ns before",
            scale_props::LoadShape::from(shape.clone())
        );
    }
}
