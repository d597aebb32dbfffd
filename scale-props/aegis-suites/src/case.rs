//! A case: one experiment of a suite, type-erased so suites can mix workloads, with the claim it backs.

use scale_props::run::ProgressFn;
use scale_props::{Curve, Experiment, RunError, Workload};

/// Something that runs into a [`Curve`]: any [`Experiment`] with a workload.
pub trait Runnable: Send {
    /// Runs once, reporting progress to `progress` if given.
    ///
    /// # Errors
    /// The engine's [`RunError`].
    fn run_with(self: Box<Self>, progress: Option<ProgressFn>) -> Result<Curve, RunError>;
}

impl<W: Workload + Send + 'static> Runnable for Experiment<W> {
    fn run_with(self: Box<Self>, progress: Option<ProgressFn>) -> Result<Curve, RunError> {
        let experiment = match progress {
            Some(f) => (*self).on_progress(move |p| f(p)),
            None => *self,
        };
        experiment.run()
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
        }
    }
}

/// One experiment of a suite, ready to run.
pub struct Case {
    /// The experiment id (names its snapshot, plot and report section).
    pub id: String,
    /// The component measured (`firewall`, `love`, `evolution`, `audit`, `hitl`, `pipeline`, `screening`).
    pub component: &'static str,
    /// The question it answers.
    pub topic: Topic,
    /// What we claim about it, in words (the tests assert it).
    pub claim: String,
    runnable: Box<dyn Runnable>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("component", &self.component)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl Case {
    /// A case running `experiment`.
    pub fn new<W: Workload + Send + 'static>(
        component: &'static str,
        topic: Topic,
        claim: impl Into<String>,
        experiment: Experiment<W>,
    ) -> Self {
        let id = experiment.id().to_owned();
        Self::from_runnable(id, component, topic, claim, Box::new(experiment))
    }

    /// A case running any [`Runnable`] (e.g. a [`crate::stepped::Stepped`] search) as `id`.
    pub fn from_runnable(
        id: String,
        component: &'static str,
        topic: Topic,
        claim: impl Into<String>,
        runnable: Box<dyn Runnable>,
    ) -> Self {
        Self {
            id,
            component,
            topic,
            claim: claim.into(),
            runnable,
        }
    }

    /// Runs the experiment.
    ///
    /// # Errors
    /// [`crate::SuiteError::Run`] naming the experiment.
    pub fn run(self, progress: Option<ProgressFn>) -> Result<RunCase, crate::SuiteError> {
        let Case {
            id,
            component,
            topic,
            claim,
            runnable,
        } = self;
        let curve = runnable
            .run_with(progress)
            .map_err(|source| crate::SuiteError::Run {
                id: id.clone(),
                source,
            })?;
        Ok(RunCase {
            component,
            topic,
            claim,
            curve,
        })
    }
}

/// A case that ran: its curve and what it was for.
#[derive(Debug, Clone)]
pub struct RunCase {
    /// The component measured.
    pub component: &'static str,
    /// The question it answers.
    pub topic: Topic,
    /// The claim, in words.
    pub claim: String,
    /// The measured curve.
    pub curve: Curve,
}
