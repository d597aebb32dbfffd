//! Measures the CPU time (not wall time) of one `validate` call, so the figure holds on a loaded machine.
//!
//! Linux only (reads the thread's on-CPU nanoseconds from `/proc/thread-self/schedstat`).
//! Run: `cargo run --release -p intent-firewall --example validate_cpu`.

use std::hint::black_box;

use intent_firewall::{Firewall, FirewallConfig, Pattern, PatternCategory, Request, Severity};

const SAFE_200: &str = "Please list the quarterly sales reports in /srv/reports/2024, summarise the totals per \
region and send the summary to finance-team@example.com before the Monday meeting so we can review it together.";

/// Nanoseconds this thread has spent on a CPU, or `None` where the kernel does not say.
fn thread_cpu_nanos() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn synthetic(n: usize) -> Vec<Pattern> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    (0..n)
        .filter_map(|i| {
            let len = 8 + usize::try_from(next() % 8).ok()?;
            let word: String = (0..len)
                .map(|_| char::from(b'a' + u8::try_from(next() % 26).unwrap_or(0)))
                .collect();
            Pattern::new(
                format!("s{i}"),
                format!("{word} {i}"),
                Severity::saturating(0.5),
                PatternCategory::Custom,
            )
            .ok()
        })
        .collect()
}

/// One measured piece of the validation path.
type Part = Box<dyn FnMut()>;

/// Returns the CPU nanoseconds per call of `f` over `iterations` calls.
fn cpu_per_call(iterations: u32, mut f: impl FnMut()) -> Option<f64> {
    let start = thread_cpu_nanos()?;
    for _ in 0..iterations {
        f();
    }
    Some((thread_cpu_nanos()? - start) as f64 / f64::from(iterations))
}

fn main() {
    let request = Request::new("cpu", SAFE_200);
    let parts: [(&str, Part); 3] = [
        (
            "normalize (matching form)",
            Box::new(|| drop(black_box(intent_firewall::normalize(black_box(SAFE_200))))),
        ),
        (
            "canonicalize",
            Box::new(|| {
                drop(black_box(intent_firewall::canonicalize(black_box(
                    SAFE_200,
                ))))
            }),
        ),
        (
            "Intent::extract",
            Box::new(|| {
                drop(black_box(intent_firewall::Intent::extract(black_box(
                    SAFE_200,
                ))))
            }),
        ),
    ];
    for (name, mut f) in parts {
        if let Some(ns) = cpu_per_call(200_000, &mut f) {
            println!("{name:>26}: {ns:>7.1} ns CPU per call");
        }
    }
    for n in [10, 100, 1_000, 10_000] {
        let patterns = synthetic(n);
        let built = std::time::Instant::now();
        let Ok(fw) = Firewall::builder()
            .config(FirewallConfig::default().without_rate_limit())
            .patterns(patterns)
            .build()
        else {
            eprintln!("cannot build a firewall with {n} patterns");
            return;
        };
        let build_ms = built.elapsed().as_secs_f64() * 1e3;
        let iterations = 200_000u32;
        for _ in 0..10_000 {
            let _ = black_box(fw.validate(black_box(&request)));
        }
        let (Some(start), wall) = (thread_cpu_nanos(), std::time::Instant::now()) else {
            eprintln!("no per-thread CPU time on this platform");
            return;
        };
        for _ in 0..iterations {
            let _ = black_box(fw.validate(black_box(&request)));
        }
        let cpu = thread_cpu_nanos().unwrap_or(start) - start;
        let wall = wall.elapsed().as_nanos();
        println!(
            "{n:>6} patterns: {:>7.1} ns CPU per validate ({:>7.1} ns wall); compiled in {build_ms:.1} ms, {} KiB",
            cpu as f64 / f64::from(iterations),
            wall as f64 / f64::from(iterations),
            fw.matcher_memory_bytes() / 1024
        );
    }
}
