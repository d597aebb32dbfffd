//! Crash test: a child process appends in a loop (two threads) and prints every acknowledged sequence number;
//! the parent SIGKILLs it at a random moment, reopens the log, verifies it, and checks that every
//! acknowledged entry is there. Three rounds, each continuing the log the previous crash left behind.
//!
//! `harness = false`: this binary is both the parent (no arguments) and the child (`AUDIT_CRASH_CHILD` set).

#[cfg(loom)]
fn main() {}

#[cfg(not(loom))]
fn main() {
    if let Ok(dir) = std::env::var("AUDIT_CRASH_CHILD") {
        child(std::path::Path::new(&dir));
    } else {
        parent();
        println!("crash test: ok");
    }
}

#[cfg(not(loom))]
fn child(dir: &std::path::Path) {
    use std::io::Write;
    use std::sync::Arc;

    let key = audit_system::LogKey::load_file(dir.join("key")).unwrap_or_else(|e| panic!("{e}"));
    let log = Arc::new(
        audit_system::AuditLog::open(dir.join("log.db"), key).unwrap_or_else(|e| panic!("{e}")),
    );
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for i in 0u64.. {
                    let r = log
                        .append("child", "tick", &format!("[{t},{i}]"))
                        .unwrap_or_else(|e| panic!("{e}"));
                    let mut out = std::io::stdout().lock();
                    // Printed only after `append` returned: every line is an acknowledged entry.
                    let _ = writeln!(out, "ack {}", r.seq);
                    let _ = out.flush();
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

#[cfg(not(loom))]
fn parent() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let key =
        audit_system::LogKey::create_file(dir.path().join("key")).unwrap_or_else(|e| panic!("{e}"));
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut total_acked = 0usize;
    for round in 0..3 {
        let mut child = Command::new(&exe)
            .env("AUDIT_CRASH_CHILD", dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let reader = std::thread::spawn(move || {
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ack ").and_then(|s| s.parse::<u64>().ok()))
                .collect::<Vec<u64>>()
        });
        let wait_ms = rand::random_range(150..600u64);
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        child.kill().unwrap_or_else(|e| panic!("{e}")); // SIGKILL on unix
        let _ = child.wait();
        let acked = reader.join().unwrap_or_else(|_| panic!("reader panicked"));

        let log = audit_system::AuditLog::open(dir.path().join("log.db"), key.clone())
            .unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
        let report = log
            .verify()
            .unwrap_or_else(|e| panic!("round {round}: verify failed: {e}"));
        assert_eq!(report.size, log.len());
        for seq in &acked {
            assert!(
                *seq < log.len(),
                "round {round}: acknowledged entry {seq} lost (log has {})",
                log.len()
            );
        }
        total_acked += acked.len();
        println!(
            "crash round {round}: killed after {wait_ms} ms, {} acked, {} durable",
            acked.len(),
            log.len()
        );
    }
    assert!(total_acked > 0, "the child never acknowledged anything");
}
