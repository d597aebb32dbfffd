//! A case: one experiment of a suite, type-erased so suites can mix workloads, with the claims it is judged by.

use scale_props::expect::{Expectation, Judgement, Verdict};
use scale_props::run::ProgressFn;
use scale_props::{Analysis, Curve, Experiment, RunError, Workload};

/// A claim a case carries: an engine expectation, judged on the case's curve when it runs.
pub type Claim = Box<dyn Expectation + Send + Sync>;

/// A boxed claim handed to [`Experiment::claim`].
struct Boxed(Claim);

impl Expectation for Boxed {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn judge(&self, curve: &Curve, analysis: &Analysis) -> Judgement {
        self.0.judge(curve, analysis)
    }
}

/// Something that runs into a [`Curve`] and judges claims on it: any [`Experiment`] with a workload (the
/// engine judges the claims as part of its run), or a [`crate::stepped::Stepped`] search (judged on the
/// joined curve).
pub trait Runnable: Send {
    /// Runs once with `claims`, reporting progress to `progress` if given; returns the curve and one verdict
    /// per claim, in order.
    ///
    /// # Errors
    /// The engine's [`RunError`].
    fn run_with(
        self: Box<Self>,
        claims: Vec<Claim>,
        progress: Option<ProgressFn>,
    ) -> Result<(Curve, Vec<Verdict>), RunError>;
}

impl<W: Workload + Send + 'static> Runnable for Experiment<W> {
    fn run_with(
        self: Box<Self>,
        claims: Vec<Claim>,
        progress: Option<ProgressFn>,
    ) -> Result<(Curve, Vec<Verdict>), RunError> {
        let mut experiment = match progress {
            Some(f) => (*self).on_progress(move |p| f(p)),
            None => *self,
        };
        for c in claims {
            experiment = experiment.claim(Boxed(c));
        }
        let curve = experiment.run()?;
        let verdicts = curve.verdicts().to_vec();
        Ok((curve, verdicts))
    }
}

/// Which of the questions of the report a case answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Topic {
    /// Cost per operation against a component's state size.
    ComponentScaling,
    /// Day-9 test 1: offered load 1x .. 1000x.
    LoadScaling,
    /// Day-9 test 2: concurrent users (closed model).
    ConcurrentUsers,
    /// Day-9 test 3: a 10x burst and recovery.
    Burst,
    /// Day-9 test 4: memory growth under sustained load.
    Memory,
    /// Day-9 test 5: CPU utilisation.
    Cpu,
    /// Day-9 test 6: disk I/O.
    DiskIo,
    /// Day-9 test 7: maximum throughput and the knee.
    MaxThroughput,
    /// Day-9 test 8: maximum concurrent users (worker sweep + USL).
    MaxUsers,
    /// Day-9 test 9: resource exhaustion and recovery.
    Exhaustion,
    /// The end-to-end pipeline: workflows per second with preloaded state.
    Workflow,
    /// Stress test: offered rate stepped up until a budget breaks (one per component).
    StressThroughput,
    /// Stress test: 1 .. 16 workers, correctness checked (one per component).
    StressConcurrency,
    /// Stress test: bytes per item at growing state sizes.
    StressMemory,
    /// The audit log and the pipeline on PostgreSQL (`--audit <url>`).
    Postgres,
}

impl Topic {
    /// A short title for report headings.
    pub fn title(self) -> &'static str {
        match self {
            Topic::ComponentScaling => "Component scaling",
            Topic::LoadScaling => "1. Load scaling (1x .. 1000x)",
            Topic::ConcurrentUsers => "2. Concurrent users",
            Topic::Burst => "3. Burst and recovery",
            Topic::Memory => "4. Memory growth",
            Topic::Cpu => "5. CPU utilisation",
            Topic::DiskIo => "6. Disk I/O",
            Topic::MaxThroughput => "7. Maximum throughput",
            Topic::MaxUsers => "8. Maximum concurrent users",
            Topic::Exhaustion => "9. Exhaustion and recovery",
            Topic::Workflow => "Pipeline throughput",
            Topic::StressThroughput => "Stress: stepped throughput",
            Topic::StressConcurrency => "Stress: concurrency",
            Topic::StressMemory => "Stress: memory",
            Topic::Postgres => "PostgreSQL",
        }
    }
}

/// One experiment of a suite, ready to run, with the claims its run is judged by.
pub struct Case {
    /// The experiment id (names its snapshot, plot and report section).
    pub id: String,
    /// The component measured (`firewall`, `love`, `evolution`, `audit`, `hitl`, `pipeline`, `screening`).
    pub component: &'static str,
    /// The question it answers.
    pub topic: Topic,
    claims: Vec<Claim>,
    runnable: Box<dyn Runnable>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("component", &self.component)
            .field("topic", &self.topic)
            .field("claims", &self.claims())
            .finish_non_exhaustive()
    }
}

impl Case {
    /// A case running `experiment`.
    pub fn new<W: Workload + Send + 'static>(
        component: &'static str,
        topic: Topic,
        experiment: Experiment<W>,
    ) -> Self {
        let id = experiment.id().to_owned();
        Self::from_runnable(id, component, topic, Box::new(experiment))
    }

    /// A case running any [`Runnable`] (e.g. a [`crate::stepped::Stepped`] search) as `id`.
    pub fn from_runnable(
        id: String,
        component: &'static str,
        topic: Topic,
        runnable: Box<dyn Runnable>,
    ) -> Self {
        Self {
            id,
            component,
            topic,
            claims: Vec::new(),
            runnable,
        }
    }

    /// Adds a claim the run is judged by.
    #[must_use]
    pub fn claim(mut self, claim: impl Expectation + Send + Sync + 'static) -> Self {
        self.claims.push(Box::new(claim));
        self
    }

    /// The claims, as their expectations describe themselves.
    pub fn claims(&self) -> Vec<String> {
        self.claims.iter().map(|c| c.describe()).collect()
    }

    /// Runs the experiment; every claim is judged on its curve (by the engine, as part of the run).
    ///
    /// # Errors
    /// [`crate::SuiteError::Run`] naming the experiment.
    pub fn run(self, progress: Option<ProgressFn>) -> Result<RunCase, crate::SuiteError> {
        let Case {
            id,
            component,
            topic,
            claims,
            runnable,
        } = self;
        let (curve, verdicts) =
            runnable
                .run_with(claims, progress)
                .map_err(|source| crate::SuiteError::Run {
                    id: id.clone(),
                    source,
                })?;
        Ok(RunCase {
            component,
            topic,
            curve,
            verdicts,
        })
    }
}

/// A case that ran: its curve, what it was for, and the verdict on each of its claims.
#[derive(Debug, Clone)]
pub struct RunCase {
    /// The component measured.
    pub component: &'static str,
    /// The question it answers.
    pub topic: Topic,
    /// The measured curve.
    pub curve: Curve,
    /// One verdict per claim, in claim order.
    pub verdicts: Vec<Verdict>,
}
