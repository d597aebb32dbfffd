//! Love engine: hallucination (consistency) check and ethics check against the size of the context.

use love_engine::{Action, LoveEngine};
use scale_props::fit::{Complexity, GrowthBin};
use scale_props::{Errors, Experiment, Growth, OpError};

use crate::claims::TimeClass;
use crate::fixtures::{CHECKED_TEXT, action_with_context, context_text};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the hallucination-check curve.
pub const HALLUCINATION: &str = "love.detect_hallucination.context";
/// Id of the ethics-check curve.
pub const ETHICS: &str = "love.check_ethics.context";

/// The love-engine cases at `scale`.
///
/// # Errors
/// None today; the signature matches the other suites.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let hallucination = Experiment::new(HALLUCINATION)
        .sizes(scale.pick(
            vec![1_000, 10_000, 100_000],
            vec![100, 1_000, 10_000, 100_000],
        ))
        .ops(scale.pick(60, 300))
        .repetitions(3)
        .workload(fallible(
            |n| Ok((LoveEngine::new(), context_text(n))),
            |(engine, context): &(LoveEngine, String), ctx| {
                let r = engine
                    .detect_hallucination(CHECKED_TEXT, context)
                    .map_err(kind)?;
                ctx.count("claims", r.claims as u64);
                ctx.count("bytes_scanned", (CHECKED_TEXT.len() + context.len()) as u64);
                Ok::<(), OpError>(())
            },
        ));
    let ethics = Experiment::new(ETHICS)
        .sizes(scale.pick(vec![100, 1_000, 10_000], vec![100, 1_000, 10_000, 60_000]))
        .ops(scale.pick(200, 1_000))
        .repetitions(3)
        .workload(fallible(
            |n| Ok((LoveEngine::new(), action_with_context(n))),
            |(engine, action): &(LoveEngine, Action), ctx| {
                let a = engine.check_ethics(action).map_err(kind)?;
                ctx.count("concerns", a.concerns.len() as u64);
                Ok::<(), OpError>(())
            },
        ));
    Ok(vec![
        Case::new("love", Topic::ComponentScaling, hallucination)
            .claim(Errors::none())
            .claim(TimeClass {
                bin: GrowthBin::Linear,
            })
            .claim(Growth::at_most(Complexity::Constant).of_work("claims")),
        Case::new("love", Topic::ComponentScaling, ethics)
            .claim(Errors::none())
            .claim(TimeClass {
                bin: GrowthBin::Linear,
            }),
    ])
}
