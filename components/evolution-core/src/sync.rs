//! The one switch between real and loom-modelled synchronisation.
//!
//! Every other file of this crate takes its locks, its clock and its per-thread writer slot from here.
//! Without `cfg(loom)` they are `parking_lot` locks (no poisoning), the system clock and a number handed to
//! each thread once; under `cfg(loom)` they are loom's locks (a poisoned lock is taken over, as
//! `parking_lot` would), a fixed clock (stamped timestamps then come from the monotonic clamp, so models
//! stay deterministic) and a slot derived from loom's thread id, so the models in `loom-tests/` check the
//! real engine code.

/// Pads (and aligns) a value to two cache lines, so two locks written by different cores never share a line
/// (adjacent-line prefetching pulls pairs of 64-byte lines on x86).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(not(loom))]
mod imp {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    /// A mutual-exclusion lock (`parking_lot`: no poisoning).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

    /// The guard of a locked [`Mutex`].
    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(parking_lot::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock()
        }
    }

    /// A reader-writer lock (`parking_lot`: no poisoning).
    #[derive(Debug, Default)]
    pub(crate) struct RwLock<T>(parking_lot::RwLock<T>);

    /// Shared guard of an [`RwLock`].
    pub(crate) type ReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
    /// Exclusive guard of an [`RwLock`].
    pub(crate) type WriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(parking_lot::RwLock::new(value))
        }

        pub(crate) fn read(&self) -> ReadGuard<'_, T> {
            self.0.read()
        }

        pub(crate) fn write(&self) -> WriteGuard<'_, T> {
            self.0.write()
        }

        pub(crate) fn try_write(&self) -> Option<WriteGuard<'_, T>> {
            self.0.try_write()
        }
    }

    /// Microseconds since the Unix epoch by the system clock (0 before the epoch).
    pub(crate) fn now_us() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }

    /// Writer shards of a new engine: four per core the process may use, at least 4 and at most 64, so two
    /// threads running at the same moment rarely share one.
    pub(crate) fn default_shards() -> usize {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .saturating_mul(4)
            .clamp(4, 64)
    }

    static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

    thread_local! {
        static SLOT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    /// A number fixed for the calling thread, handed out round-robin the first time a thread asks, so
    /// threads spread evenly over the writer shards. Only a placement hint: any value is correct.
    pub(crate) fn thread_slot() -> usize {
        SLOT.with(|slot| {
            slot.get().unwrap_or_else(|| {
                let mine = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
                slot.set(Some(mine));
                mine
            })
        })
    }
}

#[cfg(loom)]
mod imp {
    use std::sync::{PoisonError, TryLockError};

    /// A loom mutex with the non-poisoning API of the plain build.
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    /// The guard of a locked [`Mutex`].
    pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            match self.0.try_lock() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            }
        }
    }

    /// A loom reader-writer lock with the non-poisoning API of the plain build.
    #[derive(Debug, Default)]
    pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

    /// Shared guard of an [`RwLock`].
    pub(crate) type ReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
    /// Exclusive guard of an [`RwLock`].
    pub(crate) type WriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::RwLock::new(value))
        }

        pub(crate) fn read(&self) -> ReadGuard<'_, T> {
            self.0.read().unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn write(&self) -> WriteGuard<'_, T> {
            self.0.write().unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn try_write(&self) -> Option<WriteGuard<'_, T>> {
            match self.0.try_write() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            }
        }
    }

    /// A fixed clock: stamped timestamps come from the monotonic clamp, so models stay deterministic.
    pub(crate) fn now_us() -> u64 {
        1_000
    }

    /// Two shards under loom: enough for two writers to use different ones, small enough to explore.
    pub(crate) fn default_shards() -> usize {
        2
    }

    /// The number in loom's thread id (0 for a model's main thread, then 1, 2, ... in spawn order), the same
    /// in every execution of a model, so the main thread and the first spawned one use different shards.
    pub(crate) fn thread_slot() -> usize {
        format!("{:?}", loom::thread::current().id())
            .chars()
            .filter_map(|c| c.to_digit(10))
            .fold(0usize, |n, d| n.wrapping_mul(10).wrapping_add(d as usize))
    }
}

pub(crate) use imp::*;
