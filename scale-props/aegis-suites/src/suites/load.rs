//! The Day-9 load tests on the screening path every request takes (firewall + ethics check): offered load
//! 1x .. 1000x (open model), 10 / 100 / 1000 concurrent users (closed model), a 10x burst with recovery,
//! CPU utilisation per worker count, maximum throughput (knee) and maximum concurrent users (USL).

use scale_props::shape::{Burst, Open, Steps, WorkerSweep};
use scale_props::{Errors, Experiment, OpError};

use crate::claims::{AllCompleted, CpuBusy, LatencyRatio, Served, ThroughputRatio};
use crate::fixtures::Screening;
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Prefix of the open-model load levels (`load.open.x1`, `load.open.x10`, ...).
pub const OPEN_PREFIX: &str = "load.open.x";
/// Id of the concurrent-users steps.
pub const USERS: &str = "load.users.closed";
/// Id of the burst.
pub const BURST: &str = "load.burst.x10";
/// Id of the CPU sweep.
pub const CPU: &str = "cpu.screening.workers";
/// Id of the throughput sweep.
pub const MAX_THROUGHPUT: &str = "max.screening.workers";
/// Id of the users sweep (USL).
pub const MAX_USERS: &str = "max.screening.users";

/// Generated firewall patterns on the screening path (the earlier pipeline test preloaded 1K).
const PATTERNS: u64 = 1_000;

/// An experiment running the screening path (firewall + ethics check, 1 000 generated patterns) as `id`;
/// give it a shape.
pub fn screening_experiment(id: String) -> Experiment<impl scale_props::Workload + Send + 'static> {
    Experiment::new(id).sizes([PATTERNS]).workload(fallible(
        Screening::new,
        |s: &Screening, ctx| {
            let found = s.screen(ctx.i).map_err(kind)?;
            ctx.count("findings", found);
            Ok::<(), OpError>(())
        },
    ))
}

/// The load cases at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let mut cases = Vec::new();
    // 1. Offered load at 1x, 10x, 100x, 1000x of a base rate, each level for a fixed time.
    let base = scale.pick(200, 2_000);
    let seconds = scale.pick(0.2, 1.0);
    for factor in [1u64, 10, 100, 1_000] {
        let rate = base * factor;
        let ops = ((rate as f64 * seconds) as u64).max(1);
        let e = screening_experiment(format!("{OPEN_PREFIX}{factor}"))
            .shape(Open::new(rate, 4, ops)?)
            .repetitions(1);
        let case = Case::new("screening", Topic::LoadScaling, e).claim(Errors::none());
        // The two lowest levels are far below saturation on any machine: they are served.
        cases.push(if factor <= 10 {
            case.claim(Served { min: 0.8 })
        } else {
            case
        });
    }
    // 2. 10, 100, 1000 concurrent users, back to back (10 and 100 at the test scale: a thousand threads
    // cost the test seconds of thread setup and teardown, not screening).
    let users = screening_experiment(USERS.to_owned())
        .shape(Steps::new(
            10,
            scale.pick(vec![1, 10], vec![1, 10, 100]),
            scale.pick(30_000, 300_000),
        )?)
        .repetitions(scale.pick(1, 3));
    cases.push(
        Case::new("screening", Topic::ConcurrentUsers, users)
            .claim(Errors::none())
            .claim(AllCompleted)
            .claim(LatencyRatio {
                from: 0,
                to: usize::MAX,
                at_most: 4.0,
            }),
    );
    // 3. A sudden 10x spike of users, then recovery.
    let burst = screening_experiment(BURST.to_owned())
        .shape(Burst::new(4, 10, scale.pick(1_000, 20_000))?)
        .repetitions(3);
    cases.push(
        Case::new("screening", Topic::Burst, burst)
            .claim(Errors::none())
            .claim(LatencyRatio {
                from: 0,
                to: 2,
                at_most: 3.0,
            }),
    );
    // 5. CPU utilisation per worker count.
    let cpu = screening_experiment(CPU.to_owned())
        .shape(WorkerSweep::new(vec![1, 2, 4], scale.pick(40_000, 200_000))?)
        .repetitions(scale.pick(1, 3));
    let cpu = Case::new("screening", Topic::Cpu, cpu).claim(Errors::none());
    // The CPU-bound claim is judged at the full scale only: the main job runs alone on its machine, while
    // `cargo test` runs test binaries side by side (and often beside other work), so a test-scale worker's
    // share of its core says more about the neighbours than about the screening path.
    cases.push(match scale {
        Scale::Test => cpu,
        Scale::Full => cpu.claim(CpuBusy {
            workers: 1,
            at_least: 0.8,
        }),
    });
    // 7. Maximum throughput: workers 1 .. 16, the knee where it stops growing.
    let max = screening_experiment(MAX_THROUGHPUT.to_owned())
        .shape(WorkerSweep::new(
            vec![1, 2, 4, 8, 16],
            scale.pick(40_000, 200_000),
        )?)
        .repetitions(scale.pick(1, 3));
    cases.push(
        Case::new("screening", Topic::MaxThroughput, max)
            .claim(Errors::none())
            // On a machine shared with other work (the test scale) levels run at different moments of the
            // other load: a wide margin there.
            .claim(ThroughputRatio {
                at_least: scale.pick(0.2, 0.5),
            }),
    );
    // 8. Maximum concurrent users: 1 .. 1024 users (.. 256 at the test scale), USL fit.
    let users_sweep = screening_experiment(MAX_USERS.to_owned())
        .shape(WorkerSweep::new(
            scale.pick(vec![1, 4, 16, 64, 256], vec![1, 4, 16, 64, 256, 1_024]),
            scale.pick(4_000, 40_000),
        )?)
        .repetitions(scale.pick(1, 3));
    cases.push(
        Case::new("screening", Topic::MaxUsers, users_sweep)
            .claim(Errors::none())
            .claim(AllCompleted),
    );
    Ok(cases)
}
