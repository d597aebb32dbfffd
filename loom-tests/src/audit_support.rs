//! Shared set-up of the audit models: each model runs through [`bounded`] with its own preemption bound, set
//! in code (not from `LOOM_MAX_PREEMPTIONS`), so the literal `RUSTFLAGS="--cfg loom" cargo test` runs every
//! model at the depth `README.md` justifies for it.

/// Runs `f` as a loom model exploring every interleaving with at most `preemptions` preemptions (`None`:
/// every interleaving, exhaustively), whatever `LOOM_MAX_PREEMPTIONS` says.
pub fn bounded<F>(preemptions: Option<usize>, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemptions;
    builder.check(f);
}

/// Installs (once per test binary) a panic hook that stays quiet about the panics the models inject on
/// purpose (messages starting with "injected"), and reports every other panic as usual.
pub fn quiet_injected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                .unwrap_or("");
            if !msg.starts_with("injected") {
                default(info);
            }
        }));
    });
}
