//! A counting global allocator: per-thread allocation count and bytes, read around each operation.
//!
//! Install it in a test binary with one line, [`crate::install_counting_allocator!`]. Without it, allocation
//! measures are reported as unavailable rather than as zero.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Wraps the system allocator and counts, per thread, the allocations (and reallocations) made and the bytes
/// asked for. Deallocations are not counted.
///
/// ```
/// // In a test or bench binary (not in a library):
/// #[global_allocator]
/// static ALLOC: scale_props::CountingAllocator = scale_props::CountingAllocator;
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

#[inline]
fn note(bytes: usize) {
    // `try_with`: during thread teardown the slots may be gone; the allocation is then simply not counted.
    let _ = COUNT.try_with(|c| c.set(c.get().wrapping_add(1)));
    let _ = BYTES.try_with(|b| b.set(b.get().wrapping_add(bytes as u64)));
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s guarantees
// carry over; the counting only touches const-initialised thread-locals of `Cell<u64>` (no allocation, no
// destructor) and an atomic flag.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as ours, forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` via this allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations and bytes counted on this thread so far (wrapping counters; take differences).
///
#[inline]
pub fn thread_allocations() -> (u64, u64) {
    (
        COUNT.try_with(Cell::get).unwrap_or(0),
        BYTES.try_with(Cell::get).unwrap_or(0),
    )
}

/// Returns true if and only if the counting allocator is installed and has served an allocation.
pub fn allocator_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Installs [`CountingAllocator`] as the global allocator of the binary it is written in (one line at the top
/// level of a test file, bench or example).
///
/// ```
/// scale_props::install_counting_allocator!();
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! install_counting_allocator {
    () => {
        #[global_allocator]
        static SCALE_PROPS_COUNTING_ALLOCATOR: $crate::CountingAllocator =
            $crate::CountingAllocator;
    };
}
