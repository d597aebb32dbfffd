//! Process resource probes: RSS (memory-stats, and the kernel's counters for sampling), CPU time (getrusage),
//! disk I/O (/proc/self/io).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Resident set size of the process in bytes, or `None` where the platform does not report it.
///
/// Exact: on Linux it adds up every mapping's resident pages (`/proc/self/smaps`), which costs time in
/// proportion to the resident memory (about 14 ms per GiB on the 2-core machine of this repository) and
/// holds the process's memory-map lock meanwhile. Read it at the edges of a measured window, never while
/// operations run; [`rss_counted_bytes`] is for sampling.
pub fn rss_bytes() -> Option<u64> {
    memory_stats::memory_stats().map(|m| m.physical_mem as u64)
}

/// Resident set size of the process in bytes from the kernel's per-process counters (`/proc/self/statm`
/// on Linux): O(1) whatever the process's size (about 14 us to read here), at the price of the counters'
/// batching (a few hundred KiB at most). Elsewhere, the same as [`rss_bytes`].
pub fn rss_counted_bytes() -> Option<u64> {
    if cfg!(target_os = "linux") {
        let text = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
        pages.checked_mul(page_size()?)
    } else {
        rss_bytes()
    }
}

/// The size of a memory page in bytes (sysconf), or `None` if the call fails.
#[allow(unsafe_code)]
fn page_size() -> Option<u64> {
    // SAFETY: sysconf takes a constant name and reads no memory of ours.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0)
}

/// User and system CPU time of the whole process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuTimes {
    /// User time.
    pub user: Duration,
    /// System time.
    pub system: Duration,
}

impl CpuTimes {
    /// `self - earlier`, saturating at zero.
    pub fn since(&self, earlier: &CpuTimes) -> CpuTimes {
        CpuTimes {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
    /// User plus system.
    pub fn total(&self) -> Duration {
        self.user + self.system
    }
}

/// CPU time of the process so far (getrusage), or `None` if the call fails.
///
/// ```
/// assert!(scale_props::measure::cpu_times().is_some());
/// ```
#[allow(unsafe_code)]
pub fn cpu_times() -> Option<CpuTimes> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` points to writable memory of the right type; getrusage only writes into it.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: zero-initialised and, on success, filled by the kernel; every bit pattern is a valid rusage.
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Some(CpuTimes {
        user: tv(usage.ru_utime),
        system: tv(usage.ru_stime),
    })
}

/// Time the calling thread has spent runnable but waiting for a CPU (the Linux run-queue delay, second
/// field of `/proc/thread-self/schedstat`), or `None` where the kernel does not report it.
///
/// Differences of this between two moments say how long the thread was kept off a CPU by other work: the
/// signal that a machine was oversubscribed while it was measured.
pub fn thread_run_delay() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Disk I/O of the process: storage bytes read and written (`/proc/self/io`), or a typed "unavailable".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiskIo {
    /// Counters were read.
    Bytes {
        /// Bytes read from storage.
        read: u64,
        /// Bytes written to storage.
        written: u64,
    },
    /// This platform has no `/proc/self/io` (or it could not be read).
    Unavailable,
}

impl DiskIo {
    /// `self - earlier` when both are available.
    pub fn since(&self, earlier: &DiskIo) -> DiskIo {
        match (self, earlier) {
            (
                DiskIo::Bytes { read, written },
                DiskIo::Bytes {
                    read: r0,
                    written: w0,
                },
            ) => DiskIo::Bytes {
                read: read.saturating_sub(*r0),
                written: written.saturating_sub(*w0),
            },
            _ => DiskIo::Unavailable,
        }
    }
}

/// Disk I/O of the process so far.
///
pub fn disk_io() -> DiskIo {
    let Ok(text) = std::fs::read_to_string("/proc/self/io") else {
        return DiskIo::Unavailable;
    };
    let field = |name: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
    };
    match (field("read_bytes:"), field("write_bytes:")) {
        (Some(read), Some(written)) => DiskIo::Bytes { read, written },
        _ => DiskIo::Unavailable,
    }
}

/// A monitor thread sampling RSS at a fixed interval and keeping the peak.
///
/// It reads [`rss_counted_bytes`], whose cost does not grow with the process: with the exact page walk a
/// sample of a process holding a few hundred MiB took longer than a 5 ms interval, so the monitor held a
/// core of its own and a 2-core machine timed two workers on one and a half.
#[derive(Debug)]
pub struct RssMonitor {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl RssMonitor {
    /// Starts sampling every `interval`. If the thread cannot be spawned, only the start and stop samples count.
    pub fn start(interval: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(Self::sample().unwrap_or(0)));
        let (s, p) = (Arc::clone(&stop), Arc::clone(&peak));
        let handle = std::thread::Builder::new()
            .name("scale-props-rss".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    if let Some(rss) = Self::sample() {
                        p.fetch_max(rss, Ordering::Relaxed);
                    }
                    std::thread::park_timeout(interval);
                }
            })
            .ok();
        Self { stop, peak, handle }
    }

    /// One sample: the RSS from the kernel's counters.
    fn sample() -> Option<u64> {
        rss_counted_bytes()
    }

    /// Stops the thread and returns the peak RSS seen (including a final sample), if RSS is available.
    pub fn stop(mut self) -> Option<u64> {
        self.halt();
        let last = Self::sample()?;
        Some(self.peak.load(Ordering::Relaxed).max(last))
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

impl Drop for RssMonitor {
    fn drop(&mut self) {
        self.halt();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn probes_read_the_process_where_the_platform_reports_it() {
        if cfg!(target_os = "linux") {
            assert!(matches!(disk_io(), DiskIo::Bytes { .. }));
            assert!(rss_bytes().is_some_and(|b| b > 0));
        }
        let m = RssMonitor::start(Duration::from_millis(1));
        let peak = m.stop();
        assert_eq!(peak.is_some(), rss_bytes().is_some());
    }

    /// The median time of `n` samples of the monitor.
    fn median_sample_time(n: usize) -> Duration {
        let mut times: Vec<Duration> = (0..n)
            .map(|_| {
                let t = std::time::Instant::now();
                std::hint::black_box(RssMonitor::sample());
                t.elapsed()
            })
            .collect();
        times.sort_unstable();
        times[n / 2]
    }

    /// A sample costs the same whatever the process holds (a ratio of two timings of this run, wide margin):
    /// with the exact page walk, half a GiB more resident made each sample 10x to 30x slower here, and a 5 ms
    /// monitor held a core of its own. The counted RSS still sees the half GiB and agrees with the exact one.
    #[test]
    fn sampling_rss_costs_the_same_whatever_the_process_holds() {
        if !cfg!(target_os = "linux") {
            return;
        }
        const EXTRA: usize = 512 << 20;
        let small = median_sample_time(51);
        let before = rss_counted_bytes().expect("statm on Linux");
        let held = std::hint::black_box(vec![1u8; EXTRA]);
        let large = median_sample_time(51);
        let (counted, exact) = (
            rss_counted_bytes().expect("statm"),
            rss_bytes().expect("smaps"),
        );
        drop(held);
        assert!(
            large < small * 4,
            "a sample took {large:?} with {EXTRA} more bytes resident, {small:?} without"
        );
        assert!(
            counted.saturating_sub(before) > EXTRA as u64 * 9 / 10,
            "{before} -> {counted}"
        );
        assert!(
            counted.abs_diff(exact) < exact / 20,
            "counted {counted}, exact {exact}"
        );
    }
}
