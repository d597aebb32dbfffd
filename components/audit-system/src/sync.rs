//! The one switch between real and loom-modelled synchronisation types.
//!
//! Under plain builds this re-exports `parking_lot` locks (wrapped so their API matches loom's) and the std
//! `Arc`/atomics; under `cfg(loom)` it re-exports loom's. The ordering core (`sequencer`, `frontier`) and the
//! in-memory store take every lock from here, so the loom models in `loom-tests` check the real code.

#[cfg(not(loom))]
mod imp {
    pub use std::sync::Arc;

    /// A mutex whose `lock` cannot fail (no poisoning), backed by `parking_lot`.
    #[derive(Debug, Default)]
    pub struct Mutex<T>(parking_lot::Mutex<T>);

    /// The guard returned by [`Mutex::lock`].
    pub type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        /// Wraps `value` in a new mutex.
        pub fn new(value: T) -> Self {
            Self(parking_lot::Mutex::new(value))
        }

        /// Locks the mutex, blocking until it is free.
        pub fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }
    }

    /// A condition variable paired with [`Mutex`].
    #[derive(Debug, Default)]
    pub struct Condvar(parking_lot::Condvar);

    impl Condvar {
        /// A new condition variable.
        pub fn new() -> Self {
            Self(parking_lot::Condvar::new())
        }

        /// Releases `guard`, waits for a notification, and re-acquires the lock.
        pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }

        /// Wakes every waiter.
        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    /// Nanoseconds since the Unix epoch from the wall clock (0 if the clock is before 1970).
    pub fn now_ns() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

/// Runs a documentation example: directly in plain builds; under `cfg(loom)` (where the log's locks are
/// loom's and work only inside a model) as one `loom::model`, so `RUSTFLAGS="--cfg loom" cargo test` runs the
/// doctests too instead of panicking outside a model.
///
/// # Errors
/// The example's error (plain builds); under loom an error panics inside the model.
#[doc(hidden)]
pub fn run_example<E: std::fmt::Display>(
    example: impl Fn() -> Result<(), E> + Send + Sync + 'static,
) -> Result<(), E> {
    #[cfg(not(loom))]
    return example();
    #[cfg(loom)]
    {
        loom::model(move || {
            if let Err(e) = example() {
                panic!("example failed: {e}");
            }
        });
        Ok(())
    }
}

#[cfg(loom)]
mod imp {
    pub use loom::sync::Arc;
    use std::sync::PoisonError;

    /// A loom mutex with the non-poisoning API of the plain build.
    #[derive(Debug, Default)]
    pub struct Mutex<T>(loom::sync::Mutex<T>);

    /// The guard returned by [`Mutex::lock`].
    pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        /// Wraps `value` in a new mutex.
        pub fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        /// Locks the mutex, blocking until it is free.
        pub fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    /// A loom condition variable with the API of the plain build.
    #[derive(Debug, Default)]
    pub struct Condvar(loom::sync::Condvar);

    impl Condvar {
        /// A new condition variable.
        pub fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }

        /// Releases `guard`, waits for a notification, and re-acquires the lock.
        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).unwrap_or_else(PoisonError::into_inner)
        }

        /// Wakes every waiter.
        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    /// A fixed clock under loom: timestamps come from the monotonic clamp, so models stay deterministic.
    pub fn now_ns() -> u64 {
        1_000
    }
}

pub use imp::*;
