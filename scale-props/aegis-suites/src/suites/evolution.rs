//! Evolution core: logging, pattern recognition and queries against the size of the experience history, and
//! memory under sustained logging.

use evolution_core::{EvolutionEngine, Query};
use scale_props::shape::Closed;
use scale_props::fit::Complexity;
use scale_props::{Budget, Errors, Experiment, Growth, OpError};

use crate::claims::{AllCompleted};
use crate::fixtures::{evolution_with, experience};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the log_experience curve.
pub const LOG: &str = "evolution.log_experience.history";
/// Id of the recognize_patterns curve.
pub const PATTERNS: &str = "evolution.recognize_patterns.history";
/// Id of the query curve.
pub const QUERY: &str = "evolution.query.history";
/// Id of the sustained-logging memory run.
pub const MEMORY: &str = "memory.evolution.sustained";

fn sizes(scale: Scale) -> Vec<u64> {
    scale.pick(
        vec![1_000, 10_000, 100_000],
        vec![1_000, 10_000, 100_000, 1_000_000],
    )
}

/// The evolution cases at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let log = Experiment::new(LOG)
        .sizes(sizes(scale))
        .ops(scale.pick(2_000, 20_000))
        .repetitions(3)
        .workload(fallible(evolution_with, |e: &EvolutionEngine, ctx| {
            e.log_experience(experience(ctx.size + ctx.i)).map_err(kind)
        }));
    let patterns = Experiment::new(PATTERNS)
        .sizes(sizes(scale))
        .ops(scale.pick(200, 1_000))
        .repetitions(3)
        .workload(fallible(evolution_with, |e: &EvolutionEngine, ctx| {
            ctx.count("patterns", e.recognize_patterns().len() as u64);
            Ok::<(), OpError>(())
        }));
    let query = Experiment::new(QUERY)
        .sizes(sizes(scale))
        .ops(scale.pick(500, 2_000))
        .repetitions(3)
        .workload(fallible(evolution_with, |e: &EvolutionEngine, ctx| {
            let q = Query::new()
                .action_type(format!("action.{}", ctx.i % 20))
                .limit(50)
                .newest_first();
            let rows = e.query(&q).map_err(kind)?;
            ctx.count("rows", rows.len() as u64);
            Ok::<(), OpError>(())
        }));
    let memory = Experiment::new(MEMORY)
        .sizes([0])
        .shape(Closed::new(1, scale.pick(20_000, 500_000))?)
        .repetitions(1)
        .workload(fallible(evolution_with, |e: &EvolutionEngine, ctx| {
            e.log_experience(experience(ctx.i)).map_err(kind)
        }));
    let flat_in_time = || Growth::at_most(Complexity::Log).of_time();
    Ok(vec![
        Case::new("evolution", Topic::ComponentScaling, log)
            .claim(Errors::none())
            .claim(flat_in_time()),
        Case::new("evolution", Topic::ComponentScaling, patterns)
            .claim(Errors::none())
            .claim(flat_in_time())
            .claim(Growth::at_most(Complexity::Constant).of_work("patterns")),
        Case::new("evolution", Topic::ComponentScaling, query)
            .claim(Errors::none())
            .claim(flat_in_time()),
        Case::new("evolution", Topic::Memory, memory)
            .claim(Errors::none())
            .claim(AllCompleted)
            .claim(Budget::memory_growth_per_op(1_024.0)),
    ])
}
