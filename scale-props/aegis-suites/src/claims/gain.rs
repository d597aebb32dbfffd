//! A same-run throughput gain between two worker levels of a sweep: "two workers do at least 1.5x the work of
//! one" or, with a ratio below 1, "sixteen workers keep at least 0.8x of what two did" (no collapse).

use scale_props::digest::Analysis;
use scale_props::expect::{Expectation, Judgement};
use scale_props::measure::Point;
use scale_props::{Curve, Outcome};

use super::{TIME_WAIT_SHARE, starved_among};

/// How the reason of a gain that could not be judged because the run had fewer cores than the gain needs
/// begins (the main job counts such a verdict as not holding).
pub const TOO_FEW_CORES: &str = "too few cores: ";

/// The median throughput at `to` workers over the median at `from` is at least `at_least` (same run).
///
/// A gain that is there holds whatever the machine did. A shortfall fails only when even the best pairing
/// of a repetition at `to` with one at `from` falls short, and the run could have shown the gain: a gain
/// above what the cores allow (`min(to, cores) / from`) could not be judged ([`TOO_FEW_CORES`]), nor could
/// a shortfall measured while other processes held the CPUs (run-queue wait, [`super::MACHINE_BUSY`]), nor
/// one where the best pairing reaches the bound and the median does not (the spread straddles the bound).
#[derive(Debug, Clone, Copy)]
pub struct ThroughputGain {
    /// The level the gain is measured against (workers).
    pub from: usize,
    /// The level measured (workers).
    pub to: usize,
    /// Smallest ratio `throughput(to) / throughput(from)`.
    pub at_least: f64,
}

impl ThroughputGain {
    /// `to` workers do at least `at_least` times the work of one.
    pub fn over_one(to: usize, at_least: f64) -> Self {
        Self {
            from: 1,
            to,
            at_least,
        }
    }

    fn level<'c>(&self, c: &'c Curve, workers: usize) -> Option<&'c Point> {
        c.points.iter().find(|p| p.phase.workers == workers)
    }
}

impl Expectation for ThroughputGain {
    fn describe(&self) -> String {
        if self.at_least >= 1.0 {
            format!(
                "throughput at {} workers at least {}x that at {} (same run)",
                self.to, self.at_least, self.from
            )
        } else {
            format!(
                "no collapse: throughput at {} workers at least {}x that at {} (same run)",
                self.to, self.at_least, self.from
            )
        }
    }

    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("x({}) / x({}) >= {}", self.to, self.from, self.at_least);
        let (Some(a), Some(b)) = (self.level(c, self.from), self.level(c, self.to)) else {
            return Judgement::unjudged(
                bound,
                format!(
                    "the sweep has no level with {} or {} workers",
                    self.from, self.to
                ),
            );
        };
        let throughputs =
            |p: &Point| -> Vec<f64> { p.repetitions.iter().map(|m| m.throughput).collect() };
        let (xs, ys) = (throughputs(a), throughputs(b));
        let (Some(x), Some(y)) = (median(&xs), median(&ys)) else {
            return Judgement::unjudged(bound, "a level has no repetitions".to_owned());
        };
        if x <= 0.0 {
            return Judgement::unjudged(bound, format!("no throughput at {} workers", self.from));
        }
        let gain = y / x;
        // The spread the repetitions allow: the best and worst pairing of a repetition of each level.
        let lowest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        let best = highest(&ys) / lowest(&xs).max(f64::MIN_POSITIVE);
        let worst = lowest(&ys) / highest(&xs).max(f64::MIN_POSITIVE);
        let measured = format!(
            "{gain:.2}x ({y:.0}/s at {} workers vs {x:.0}/s at {}; repetitions allow {worst:.2}x..{best:.2}x)",
            self.to, self.from
        );
        if gain >= self.at_least {
            return Judgement::holding(measured, bound);
        }
        let possible = self.to.min(c.cores.max(1)) as f64 / self.from as f64;
        if self.at_least > possible {
            let why = format!(
                "{TOO_FEW_CORES}the run had {} core(s), so {} workers can do at most {possible:.2}x the work of {}",
                c.cores, self.to, self.from
            );
            return unjudged(measured, bound, why);
        }
        // Only the two levels compared: a level above the cores keeps threads waiting by itself.
        if let Some(why) = starved_among([a, b].into_iter(), TIME_WAIT_SHARE) {
            return unjudged(
                measured,
                bound,
                format!("{why}; a gain cannot be timed then"),
            );
        }
        if best >= self.at_least {
            let why = format!(
                "the repetitions straddle the bound ({worst:.2}x..{best:.2}x): the median falls short, the best \
                 pairing does not"
            );
            return unjudged(measured, bound, why);
        }
        Judgement::fails(measured, bound)
    }
}

/// The median of `xs` (the mean of the middle two for an even count); `None` when empty.
fn median(xs: &[f64]) -> Option<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

fn unjudged(measured: String, bound: String, why: String) -> Judgement {
    Judgement {
        outcome: Outcome::Unjudged { why },
        measured,
        bound,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use scale_props::Experiment;

    use super::*;

    /// A real sweep over 1, 2 and 16 workers whose measured throughputs and run-queue waits are then set to
    /// `throughput` and `wait` (a share of the wall time) per level.
    fn sweep(cores: usize, levels: [(f64, f64); 3]) -> Curve {
        let mut c = Experiment::new("gain.test")
            .workers([1, 2, 16])
            .repetitions(3)
            .ops(64)
            .op(|_: &(), _| ())
            .run()
            .expect("a trivial sweep runs");
        c.cores = cores;
        for (p, (throughput, wait)) in c.points.iter_mut().zip(levels) {
            for m in &mut p.repetitions {
                m.throughput = throughput;
                m.wall = Duration::from_secs(1);
                m.cpu_wait = Some(Duration::from_secs_f64(wait));
                if let Some(cpu) = &mut m.cpu {
                    cpu.utilisation_per_core = 0.4;
                }
            }
        }
        c
    }

    /// 16 workers keep at least 0.8x of what 2 did.
    fn no_collapse() -> ThroughputGain {
        ThroughputGain {
            from: 2,
            to: 16,
            at_least: 0.8,
        }
    }

    fn outcome(claim: ThroughputGain, c: &Curve) -> Outcome {
        claim.judge(c, c.analysis()).outcome
    }

    /// Why `claim` could not be judged on `c`; panics when it was judged.
    fn unjudged_why(claim: ThroughputGain, c: &Curve) -> String {
        match outcome(claim, c) {
            Outcome::Unjudged { why } => why,
            other => panic!("expected a claim that could not be judged, got {other:?}"),
        }
    }

    #[test]
    fn a_gain_that_is_there_holds() {
        let c = sweep(2, [(100.0, 0.0), (190.0, 0.0), (185.0, 0.0)]);
        assert_eq!(
            outcome(ThroughputGain::over_one(2, 1.5), &c),
            Outcome::Holds
        );
        assert_eq!(outcome(no_collapse(), &c), Outcome::Holds);
    }

    #[test]
    fn a_shortfall_on_an_idle_machine_fails() {
        let c = sweep(2, [(100.0, 0.0), (104.0, 0.0), (40.0, 0.0)]);
        assert_eq!(
            outcome(ThroughputGain::over_one(2, 1.5), &c),
            Outcome::Fails
        );
        assert_eq!(outcome(no_collapse(), &c), Outcome::Fails);
    }

    #[test]
    fn a_shortfall_while_other_work_held_the_cpus_is_not_judged() {
        let c = sweep(2, [(100.0, 0.0), (104.0, 0.6), (100.0, 0.0)]);
        let why = unjudged_why(ThroughputGain::over_one(2, 1.5), &c);
        assert!(why.starts_with(super::super::MACHINE_BUSY), "{why}");
    }

    #[test]
    fn a_wait_at_a_level_not_compared_does_not_excuse_a_shortfall() {
        // 16 workers on 2 cores keep threads waiting by themselves; the 1-vs-2 gain is judged regardless.
        let c = sweep(2, [(100.0, 0.0), (104.0, 0.0), (100.0, 0.6)]);
        assert_eq!(
            outcome(ThroughputGain::over_one(2, 1.5), &c),
            Outcome::Fails
        );
    }

    #[test]
    fn a_gain_the_cores_cannot_give_is_not_judged() {
        let c = sweep(1, [(100.0, 0.0), (100.0, 0.0), (100.0, 0.0)]);
        let why = unjudged_why(ThroughputGain::over_one(2, 1.5), &c);
        assert!(why.starts_with(TOO_FEW_CORES), "{why}");
        // No collapse needs no second core.
        assert_eq!(outcome(no_collapse(), &c), Outcome::Holds);
    }

    #[test]
    fn repetitions_that_straddle_the_bound_are_not_judged() {
        let mut c = sweep(2, [(100.0, 0.0), (110.0, 0.0), (100.0, 0.0)]);
        for (m, x) in c.points[1]
            .repetitions
            .iter_mut()
            .zip([105.0, 110.0, 200.0])
        {
            m.throughput = x;
        }
        let why = unjudged_why(ThroughputGain::over_one(2, 1.5), &c);
        assert!(why.contains("straddle"), "{why}");
        // Every pairing short: fails.
        for (m, x) in c.points[1]
            .repetitions
            .iter_mut()
            .zip([105.0, 110.0, 120.0])
        {
            m.throughput = x;
        }
        assert_eq!(
            outcome(ThroughputGain::over_one(2, 1.5), &c),
            Outcome::Fails
        );
    }

    #[test]
    fn a_missing_level_is_not_judged() {
        let c = sweep(2, [(100.0, 0.0), (190.0, 0.0), (185.0, 0.0)]);
        assert!(matches!(
            outcome(ThroughputGain::over_one(4, 1.5), &c),
            Outcome::Unjudged { .. }
        ));
    }
}
