//! The Day-9 load tests at the test scale on the screening path: no errors anywhere, offered load served
//! below saturation, service time held with users, recovery after a burst; digests snapshotted.
#![cfg(not(loom))]

scale_props::install_counting_allocator!();

mod common;

use aegis_scale::SuiteName;
use aegis_scale::suites::load;
use common::{curve, exclusive, run_suite, snapshot_all};
use scale_props::Errors;

#[test]
fn screening_path_under_load() {
    let _one = exclusive();
    let runs = run_suite(SuiteName::Load);
    for r in &runs {
        r.curve
            .expect(Errors::none())
            .unwrap_or_else(|e| panic!("{}: {e}", r.curve.id));
    }
    // 1. The two lowest offered loads are served.
    for factor in [1, 10] {
        let c = curve(&runs, &format!("{}{factor}", load::OPEN_PREFIX));
        let p = &c.points[0];
        let scheduled = p.phase.ops as f64;
        assert!(
            p.total_completed() as f64 >= 0.8 * scheduled,
            "x{factor}: {} of {scheduled} served",
            p.total_completed()
        );
    }
    // 2. From 10 to 1000 users every operation completes and the service time (p50) holds. (Throughput is
    // not compared: at 1000 workers the harness's per-worker setup dominates the phase's wall time.)
    let users = curve(&runs, load::USERS);
    for p in &users.points {
        assert_eq!(
            p.total_completed(),
            p.phase.ops * u64::from(users.repetitions)
        );
    }
    let at10 = users.points[0].median_p50_ns();
    let at1000 = users.points[2].median_p50_ns();
    assert!(
        at1000 <= 4.0 * at10,
        "p50 at 1000 users {at1000:.0} ns vs {at10:.0} ns at 10"
    );
    // 3. Service time after the spike is back near its level before it.
    let burst = curve(&runs, load::BURST);
    let before = burst.points[0].median_p50_ns();
    let recovery = burst.points[2].median_p50_ns();
    assert!(
        recovery <= 3.0 * before,
        "p50 after the spike {recovery:.0} ns vs {before:.0} ns before"
    );
    // 7. Oversubscribing the cores does not collapse throughput.
    let max = curve(&runs, load::MAX_THROUGHPUT);
    let one = max.points[0].median_throughput();
    let sixteen = max.points[max.points.len() - 1].median_throughput();
    assert!(
        sixteen >= 0.5 * one,
        "16 workers {sixteen:.0}/s vs 1 worker {one:.0}/s"
    );
    // 8. 1024 users are all served.
    let users = curve(&runs, load::MAX_USERS);
    let last = users.points.last().expect("levels");
    assert_eq!(last.phase.workers, 1_024);
    assert_eq!(last.total_completed(), last.phase.ops);
    snapshot_all(&runs, &[]);
}
