//! Shared set-up of the audit models (each runs through [`crate::bound::check`] with its own preemption bound).

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
