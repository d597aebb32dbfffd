//! Runs the crate's documentation examples (and the pipeline's) the same way in both builds: as they
//! are, or, when the library is built with `cfg(loom)`, inside a loom model, since loom's sync types
//! may only be used inside one (rustdoc never sees `--cfg loom`, so the example cannot choose itself).

/// Runs `example`; under `cfg(loom)` runs it once inside a loom model and panics if it fails.
///
/// # Errors
/// Whatever `example` returns (without loom).
#[doc(hidden)]
pub fn run_example<E: std::fmt::Debug>(
    example: impl Fn() -> Result<(), E> + Send + Sync + 'static,
) -> Result<(), E> {
    #[cfg(loom)]
    {
        let mut builder = loom::model::Builder::new();
        // A single-threaded example has one execution; it only needs room for its many sync operations.
        builder.max_branches = 1 << 20;
        builder.check(move || example().expect("the example succeeds"));
        Ok(())
    }
    #[cfg(not(loom))]
    {
        example()
    }
}
