//! The suite-specific claims: engine expectations for facts the generic ones do not state (exact error
//! counts by kind, work totals tied to the size, served fractions, same-run latency and throughput ratios,
//! commits per entry, CPU busy fraction, stepped-search breaking points, throughput gains between worker
//! levels). Each judges a curve into holds, fails or could not be judged, with the measured value and the
//! bound.

use scale_props::Curve;
use scale_props::digest::Analysis;
use scale_props::expect::{Expectation, Judgement};
use scale_props::fit::GrowthBin;
use scale_props::measure::Point;

use crate::stepped::{StepBudget, StepOutcome, served_fraction};

mod gain;

pub use gain::{TOO_FEW_CORES, ThroughputGain};

fn at(p: &Point) -> String {
    format!("size {} {}", p.size, p.phase.name)
}

fn no_points(bound: String) -> Judgement {
    Judgement::unjudged(bound, "the curve has no points".to_owned())
}

/// At every point exactly `per_size x size` errors of `kind`, and no error of another kind.
#[derive(Debug, Clone)]
pub struct ErrorsOfKind {
    /// The error kind.
    pub kind: &'static str,
    /// Errors per unit of size.
    pub per_size: u64,
}

impl Expectation for ErrorsOfKind {
    fn describe(&self) -> String {
        format!(
            "exactly {} x size errors of kind {}, none of another kind",
            self.per_size, self.kind
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("{} = {} x size, others 0", self.kind, self.per_size);
        if c.points.is_empty() {
            return no_points(bound);
        }
        for p in &c.points {
            let by = p.errors_by_kind();
            let got = by.get(self.kind).copied().unwrap_or(0);
            let other = p.total_errors() - got;
            let want = self.per_size * p.size;
            if got != want || other != 0 {
                return Judgement::fails(
                    format!("{} {got}, others {other} at {}", self.kind, at(p)),
                    bound,
                );
            }
        }
        let p = &c.points[0];
        Judgement::holding(
            format!(
                "{} {} at size {}",
                self.kind,
                self.per_size * p.size,
                p.size
            ),
            bound,
        )
    }
}

/// Every scheduled operation completed (none dropped or unfinished), at every point.
#[derive(Debug, Clone, Copy)]
pub struct AllCompleted;

impl Expectation for AllCompleted {
    fn describe(&self) -> String {
        "every scheduled operation completes (none dropped or unfinished)".to_owned()
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = "completed = scheduled at every point".to_owned();
        let mut total = 0;
        for p in &c.points {
            let scheduled = p.phase.ops * p.repetitions.len() as u64;
            total += scheduled;
            if p.total_completed() != scheduled {
                return Judgement::fails(
                    format!("{} of {scheduled} at {}", p.total_completed(), at(p)),
                    bound,
                );
            }
        }
        if c.points.is_empty() {
            return no_points(bound);
        }
        Judgement::holding(format!("{total} of {total}"), bound)
    }
}

/// How a work total relates to the size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Relation {
    /// Equal to the value.
    Exactly,
    /// Greater than the value.
    Above,
}

/// At every point the total of work counter `name` relates to `per_size x size`.
#[derive(Debug, Clone)]
pub struct WorkTotal {
    /// The counter.
    pub name: &'static str,
    /// Multiple of the size.
    pub per_size: u64,
    /// Equal or above.
    pub relation: Relation,
}

impl Expectation for WorkTotal {
    fn describe(&self) -> String {
        let rel = match self.relation {
            Relation::Exactly => "exactly",
            Relation::Above => "more than",
        };
        format!(
            "`{}` totals {rel} {} x size at every point",
            self.name, self.per_size
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!(
            "{} {} x size",
            if self.relation == Relation::Exactly {
                "="
            } else {
                ">"
            },
            self.per_size
        );
        let mut last = None;
        for p in &c.points {
            let got = p.work_total(self.name);
            let want = self.per_size * p.size;
            let ok = match self.relation {
                Relation::Exactly => got == want,
                Relation::Above => got > want,
            };
            if !ok {
                return Judgement::fails(
                    format!("{got} at {} (size x {} = {want})", at(p), self.per_size),
                    bound,
                );
            }
            last = Some((got, p));
        }
        match last {
            Some((got, p)) => Judgement::holding(format!("{got} at {}", at(p)), bound),
            None => no_points(bound),
        }
    }
}

/// A bound on a value per operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Per {
    /// At most this.
    AtMost(f64),
    /// At least this.
    AtLeast(f64),
    /// Exactly this.
    Exactly(f64),
}

impl Per {
    fn holds(self, x: f64) -> bool {
        match self {
            Per::AtMost(b) => x <= b,
            Per::AtLeast(b) => x >= b,
            Per::Exactly(b) => (x - b).abs() < 1e-9,
        }
    }
}

impl std::fmt::Display for Per {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Per::AtMost(b) => write!(f, "<= {b}"),
            Per::AtLeast(b) => write!(f, ">= {b}"),
            Per::Exactly(b) => write!(f, "= {b}"),
        }
    }
}

/// Work counter `name` per operation is larger at the last point than at the first.
#[derive(Debug, Clone)]
pub struct WorkGrows {
    /// The counter.
    pub name: &'static str,
}

impl Expectation for WorkGrows {
    fn describe(&self) -> String {
        format!(
            "`{}` per operation grows from the first point to the last",
            self.name
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = "last > first".to_owned();
        match (c.points.first(), c.points.last()) {
            (Some(a), Some(b)) if c.points.len() >= 2 => {
                let (x, y) = (a.work_per_op(self.name), b.work_per_op(self.name));
                Judgement::when(y > x, format!("{x:.2} -> {y:.2}"), bound)
            }
            _ => Judgement::unjudged(bound, "fewer than 2 points".to_owned()),
        }
    }
}

/// At every point, the total of `numerator` over the total of `denominator` is within `per`.
#[derive(Debug, Clone)]
pub struct WorkRatio {
    /// Numerator counter.
    pub numerator: &'static str,
    /// Denominator counter, or `completed` for completed operations.
    pub denominator: &'static str,
    /// The bound.
    pub per: Per,
}

impl Expectation for WorkRatio {
    fn describe(&self) -> String {
        format!(
            "`{}` per `{}` {} at every point",
            self.numerator, self.denominator, self.per
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("{} / {} {}", self.numerator, self.denominator, self.per);
        let mut last = None;
        for p in &c.points {
            let den = if self.denominator == "completed" {
                p.total_completed()
            } else {
                p.work_total(self.denominator)
            };
            if den == 0 {
                return Judgement::unjudged(
                    bound,
                    format!("no `{}` at {}", self.denominator, at(p)),
                );
            }
            let x = p.work_total(self.numerator) as f64 / den as f64;
            if !self.per.holds(x) {
                return Judgement::fails(format!("{x:.4} at {}", at(p)), bound);
            }
            last = Some((x, p));
        }
        match last {
            Some((x, p)) => Judgement::holding(format!("{x:.4} at {}", at(p)), bound),
            None => no_points(bound),
        }
    }
}

/// The median p50 at point `to` over the one at point `from` (indices; negative counts from the end) is at
/// most `at_most`: a ratio measured in the same run.
#[derive(Debug, Clone)]
pub struct LatencyRatio {
    /// Index of the reference point.
    pub from: usize,
    /// Index of the compared point (`usize::MAX` for the last).
    pub to: usize,
    /// Largest ratio.
    pub at_most: f64,
}

fn point(c: &Curve, i: usize) -> Option<&Point> {
    if i == usize::MAX {
        c.points.last()
    } else {
        c.points.get(i)
    }
}

impl Expectation for LatencyRatio {
    fn describe(&self) -> String {
        format!(
            "p50 at the {} point at most {}x the p50 at point #{} (same run)",
            if self.to == usize::MAX {
                "last".to_owned()
            } else {
                format!("#{}", self.to + 1)
            },
            self.at_most,
            self.from + 1
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("ratio <= {}", self.at_most);
        let (Some(a), Some(b)) = (point(c, self.from), point(c, self.to)) else {
            return Judgement::unjudged(bound, "the curve lacks one of the points".to_owned());
        };
        let (x, y) = (a.median_p50_ns(), b.median_p50_ns());
        if x <= 0.0 {
            return Judgement::unjudged(bound, "the reference p50 is 0".to_owned());
        }
        Judgement::when(
            y / x <= self.at_most,
            format!(
                "{:.2}x ({:.0} ns at {} vs {:.0} ns at {})",
                y / x,
                y,
                at(b),
                x,
                at(a)
            ),
            bound,
        )
    }
}

/// The wide time-growth bin of the curve's first phase is `bin`.
#[derive(Debug, Clone, Copy)]
pub struct TimeClass {
    /// The expected bin.
    pub bin: GrowthBin,
}

impl Expectation for TimeClass {
    fn describe(&self) -> String {
        format!("time per operation grows {} with the size", self.bin.name())
    }
    fn judge(&self, c: &Curve, a: &Analysis) -> Judgement {
        let bound = format!("time bin {}", self.bin.name());
        let Some(time) = a.fits.phases.first().and_then(|f| f.time.as_ref()) else {
            return Judgement::unjudged(bound, "time growth was not fitted".to_owned());
        };
        let measured = format!("{} (exponent {:.2})", time.verdict, time.exponent);
        let (low, high) = (time.verdict.lowest(), time.verdict.highest());
        if low == self.bin && high == self.bin {
            return Judgement::holding(measured, bound);
        }
        if (low..=high).contains(&self.bin) {
            return Judgement::unjudged(bound, measured);
        }
        // A verdict other than the claimed bin from timings taken while the run waited for a CPU says more
        // about the machine than about the code: it cannot be judged (the wait is measured, not guessed).
        match starved_point(c, TIME_WAIT_SHARE) {
            Some(why) => Judgement {
                outcome: scale_props::Outcome::Unjudged {
                    why: format!("{why}; timings taken then cannot judge a time class"),
                },
                measured,
                bound,
            },
            None => Judgement::fails(measured, bound),
        }
    }
}

/// The average number of a run's threads waiting for a CPU (runnable, not running) over its wall time from
/// which its timings count as taken on a machine too busy to time them ([`TimeClass`]).
pub const TIME_WAIT_SHARE: f64 = 0.1;

/// The same, from which an open-model run's shortfall in served operations counts as the machine's
/// ([`Served`]), when the process itself used less than [`OWN_CPU_SHARE`] of the cores.
pub const SERVED_WAIT_SHARE: f64 = 0.5;

/// The share of the machine's cores the process must have used for a wait for the CPU to count as its own
/// doing (its own threads outnumbering the cores) rather than other processes'.
pub const OWN_CPU_SHARE: f64 = 0.8;

/// How the reason of a verdict that could not be judged because the machine was too busy (measured: the
/// run's threads waited for a CPU that other processes held) begins. Tests may tolerate such verdicts, and
/// say so; the main job counts them as not holding.
pub const MACHINE_BUSY: &str = "machine busy: ";

/// The first point one of whose repetitions waited for a CPU at least `share` on average while the process
/// used less than [`OWN_CPU_SHARE`] of the cores, in words; `None` when every repetition had the CPU it asked
/// for (or the wait was not measured).
fn starved_point(c: &Curve, share: f64) -> Option<String> {
    starved_among(c.points.iter(), share)
}

/// [`starved_point`] among `points` only.
fn starved_among<'p>(mut points: impl Iterator<Item = &'p Point>, share: f64) -> Option<String> {
    points.find_map(|p| {
        p.repetitions.iter().find_map(|m| {
            let wait = m.cpu_wait_share()?;
            let own = m.cpu.map_or(0.0, |u| u.utilisation_per_core);
            (wait >= share && own < OWN_CPU_SHARE).then(|| {
                format!(
                    "{MACHINE_BUSY}the run waited for a CPU at {} (on average {wait:.2} of its threads runnable but not \
                     running, bound {share}) while the process used {:.0}% of the cores: other work held \
                     the machine",
                    at(p),
                    own * 100.0
                )
            })
        })
    })
}

/// At every point at least `min` of the scheduled operations were served (completed without error).
#[derive(Debug, Clone, Copy)]
pub struct Served {
    /// Smallest fraction.
    pub min: f64,
}

impl Expectation for Served {
    fn describe(&self) -> String {
        format!(
            "at least {:.0}% of the offered operations served",
            self.min * 100.0
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!(">= {:.0}% served", self.min * 100.0);
        let worst = c
            .points
            .iter()
            .map(|p| (served_fraction(p), p))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match worst {
            Some((s, p)) if s >= self.min => {
                Judgement::holding(format!("{:.1}% at {}", s * 100.0, at(p)), bound)
            }
            Some((s, p)) => {
                let measured = format!("{:.1}% at {}", s * 100.0, at(p));
                // Served too few while other processes kept the workers off the CPUs: the machine's
                // shortfall, measured (run-queue wait), not the code's.
                match starved_point(c, SERVED_WAIT_SHARE) {
                    Some(why) => Judgement {
                        outcome: scale_props::Outcome::Unjudged { why },
                        measured,
                        bound,
                    },
                    None => Judgement::fails(measured, bound),
                }
            }
            None => no_points(bound),
        }
    }
}

/// Median throughput at the last point over the first is at least `at_least` (same run).
#[derive(Debug, Clone, Copy)]
pub struct ThroughputRatio {
    /// Smallest ratio.
    pub at_least: f64,
}

impl Expectation for ThroughputRatio {
    fn describe(&self) -> String {
        format!(
            "throughput at the last point at least {}x the first (no collapse; same run)",
            self.at_least
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("ratio >= {}", self.at_least);
        match (c.points.first(), c.points.last()) {
            (Some(a), Some(b)) if c.points.len() >= 2 => {
                let (x, y) = (a.median_throughput(), b.median_throughput());
                if x <= 0.0 {
                    return Judgement::unjudged(
                        bound,
                        "no throughput at the first point".to_owned(),
                    );
                }
                Judgement::when(
                    y / x >= self.at_least,
                    format!(
                        "{:.2}x ({y:.0}/s at {} vs {x:.0}/s at {})",
                        y / x,
                        at(b),
                        at(a)
                    ),
                    bound,
                )
            }
            _ => Judgement::unjudged(bound, "fewer than 2 points".to_owned()),
        }
    }
}

/// At the level of `workers` workers, CPU time over (wall time x the cores the level can use) is at least
/// `at_least`: the work is CPU-bound.
#[derive(Debug, Clone, Copy)]
pub struct CpuBusy {
    /// The level read.
    pub workers: usize,
    /// Smallest busy fraction.
    pub at_least: f64,
}

impl Expectation for CpuBusy {
    fn describe(&self) -> String {
        format!(
            "CPU-bound: at {} worker(s) at least {:.0}% of the usable cores busy",
            self.workers,
            self.at_least * 100.0
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("busy >= {:.0}%", self.at_least * 100.0);
        let Some(p) = c.points.iter().find(|p| p.phase.workers == self.workers) else {
            return Judgement::unjudged(bound, format!("no level with {} workers", self.workers));
        };
        let cores = c.cores.max(1);
        let usable = p.phase.workers.min(cores) as f64 / cores as f64;
        match p.median_cpu_utilisation() {
            Some(u) => {
                let busy = (u / usable).min(1.0);
                Judgement::when(
                    busy >= self.at_least,
                    format!("{:.0}% at {}", busy * 100.0, at(p)),
                    bound,
                )
            }
            None => Judgement::unjudged(
                bound,
                "CPU time was not measured on this platform".to_owned(),
            ),
        }
    }
}

/// A stepped search holds its budget at every offered rate below `target`: it broke at or above the target,
/// or not within the run's bound.
#[derive(Debug, Clone, Copy)]
pub struct StepSearch {
    /// The budget of every step.
    pub budget: StepBudget,
    /// The specification's target rate, ops/s.
    pub target: u64,
}

impl Expectation for StepSearch {
    fn describe(&self) -> String {
        format!(
            "{} at every offered rate below the target {}/s (a step that breaks counts when its re-run breaks too)",
            self.budget, self.target
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("no break below {}/s", self.target);
        match StepOutcome::of(c, &self.budget) {
            Some(o @ StepOutcome::Broke { rate, .. }) => {
                Judgement::when(rate >= self.target, o.to_string(), bound)
            }
            Some(o @ StepOutcome::NotReached { .. }) => Judgement::holding(o.to_string(), bound),
            None => Judgement::unjudged(bound, "the curve has no open-model steps".to_owned()),
        }
    }
}

/// At every point, work counter `name` per operation is at least the size (e.g. every entry verified).
#[derive(Debug, Clone)]
pub struct CoversSize {
    /// The counter.
    pub name: &'static str,
}

impl Expectation for CoversSize {
    fn describe(&self) -> String {
        format!(
            "`{}` per operation at least the size at every point",
            self.name
        )
    }
    fn judge(&self, c: &Curve, _: &Analysis) -> Judgement {
        let bound = format!("{} >= size", self.name);
        for p in &c.points {
            let x = p.work_per_op(self.name);
            if x < p.size as f64 {
                return Judgement::fails(format!("{x:.0} at {}", at(p)), bound);
            }
        }
        match c.points.last() {
            Some(p) => Judgement::holding(
                format!("{:.0} at {}", p.work_per_op(self.name), at(p)),
                bound,
            ),
            None => no_points(bound),
        }
    }
}

/// Commits per appended entry at most one at every level: concurrent writers share commits (group commit),
/// never add to them. (fsyncs are claimed apart, counted: [`FsyncsPerEntry`].)
#[derive(Debug, Clone, Copy)]
pub struct CommitsPerEntry {
    /// The durability the store ran at (it decides whether a commit is an fsync).
    pub durability: audit_system::Durability,
}

/// WAL fsyncs per appended entry, counted by the store wrapper ([`crate::audit_store::StoreWork::fsyncs`]:
/// each commit at `synchronous=FULL`, each `Store::sync`; SQLite's checkpoint fsyncs are not seen): at most
/// one per entry (and no more than commits) at `power_loss`, none at `process_crash`, whose appends never
/// fsync.
#[derive(Debug, Clone, Copy)]
pub struct FsyncsPerEntry {
    /// The durability the store ran at.
    pub durability: audit_system::Durability,
}

impl Expectation for FsyncsPerEntry {
    fn describe(&self) -> String {
        let (what, per) = self.bound();
        format!(
            "at {} (synchronous={}) {what}: counted WAL fsyncs (commits at FULL and Store::sync calls; \
             checkpoint fsyncs not seen) per appended entry {per} at every writer count",
            crate::audit_store::durability_name(self.durability),
            crate::audit_store::synchronous(self.durability)
        )
    }
    fn judge(&self, c: &Curve, a: &Analysis) -> Judgement {
        WorkRatio {
            numerator: "fsyncs",
            denominator: "entries_written",
            per: self.bound().1,
        }
        .judge(c, a)
    }
}

impl FsyncsPerEntry {
    fn bound(&self) -> (&'static str, Per) {
        match self.durability {
            audit_system::Durability::PowerLoss => ("each commit one fsync", Per::AtMost(1.0)),
            audit_system::Durability::ProcessCrash => ("appends do not fsync", Per::Exactly(0.0)),
        }
    }
}

impl Expectation for CommitsPerEntry {
    fn describe(&self) -> String {
        format!(
            "at {} (synchronous={}) at most one commit per appended entry at every writer count",
            crate::audit_store::durability_name(self.durability),
            crate::audit_store::synchronous(self.durability)
        )
    }
    fn judge(&self, c: &Curve, a: &Analysis) -> Judgement {
        WorkRatio {
            numerator: "commits",
            denominator: "entries_written",
            per: Per::AtMost(1.0),
        }
        .judge(c, a)
    }
}
