//! Raw probes (internal; [`crate::measure`] re-exports the types a reader of results needs) the runner reads around operations and phases: allocations, RSS, CPU time, disk I/O.

mod alloc;
mod resources;

pub use alloc::{CountingAllocator, allocator_installed, thread_allocations};
pub use resources::{
    CpuTimes, DiskIo, RssMonitor, cpu_times, disk_io, rss_bytes, thread_run_delay,
};
