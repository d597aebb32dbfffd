//! Running a model under the preemption bound its test file chose (see the README for each bound's reason).

/// Checks `model` exploring every interleaving with at most `preemptions` preemptions per execution
/// (`None`: every interleaving, exhaustively). The bound is set here in code, so the literal
/// `RUSTFLAGS="--cfg loom" cargo test` runs each model as deep as its README entry says, whatever
/// `LOOM_MAX_PREEMPTIONS` holds.
pub fn check(preemptions: impl Into<Option<usize>>, model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemptions.into();
    builder.check(model);
}
