//! Several writer *processes* append to one shared log in PostgreSQL (AEGIS_POSTGRES_URL); one of them is
//! SIGKILLed mid-run. Afterwards every entry any child acknowledged is in the log with the hash it was
//! acknowledged with, no number was handed out twice, the survivors kept appending after the kill, and
//! `verify()` passes (dense, linked, signed, tree nodes and root). N = 2, 4, 8 writers, each with two threads.
//! Then, for information only (no assertion), appends per second with 1 and 4 writer processes and no kill.
//!
//! `harness = false`: this binary is both the parent (no `AEGIS_PG_CHILD`) and the children (it re-executes
//! itself). A child prints `ack <seq> <hash>` only after `append` returned, and stops when its stdin closes.

mod pg_support;

use std::io::{BufRead, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use audit_system::{LogKey, SharedLog, Store};

fn main() {
    if std::env::var_os("AEGIS_PG_CHILD").is_some() {
        child();
        return;
    }
    let Some(url) = pg_support::url() else { return };
    for n in [2, 4, 8] {
        run(&url, n, true);
    }
    for n in [1, 4] {
        run(&url, n, false);
    }
    println!("postgres_writers: ok");
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn child() {
    let writer = env("AEGIS_PG_WRITER");
    let key = LogKey::load_file(env("AEGIS_PG_KEY")).unwrap_or_else(|e| panic!("{e}"));
    let log = Arc::new(
        SharedLog::connect(&env("AEGIS_POSTGRES_URL"), &env("AEGIS_PG_SCHEMA"), key)
            .unwrap_or_else(|e| panic!("child {writer}: {e}")),
    );
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            // Runs until the parent closes our stdin.
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            stop.store(true, Ordering::SeqCst);
        });
    }
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (log, stop, writer) = (Arc::clone(&log), Arc::clone(&stop), writer.clone());
            std::thread::spawn(move || {
                let actor = format!("writer-{writer}");
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let r = log
                        .append(&actor, "tick", &format!("[{t},{i}]"))
                        .unwrap_or_else(|e| panic!("{actor}: {e}"));
                    let mut out = std::io::stdout().lock();
                    // Printed only after `append` returned: every line is an acknowledged entry.
                    let _ = writeln!(out, "ack {} {}", r.seq, r.hash.to_hex());
                    let _ = out.flush();
                    i += 1;
                }
            })
        })
        .collect();
    for t in threads {
        if t.join().is_err() {
            std::process::exit(3);
        }
    }
}

struct Writer {
    child: Child,
    stdin: Option<ChildStdin>,
    acks: Arc<Mutex<Vec<(u64, String)>>>,
    count: Arc<AtomicUsize>,
    reader: std::thread::JoinHandle<()>,
}

fn spawn(url: &str, schema: &str, key: &std::path::Path, w: usize) -> Writer {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(exe)
        .env("AEGIS_PG_CHILD", "1")
        .env("AEGIS_POSTGRES_URL", url)
        .env("AEGIS_PG_SCHEMA", schema)
        .env("AEGIS_PG_KEY", key)
        .env("AEGIS_PG_WRITER", w.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let acks = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (acks, count) = (Arc::clone(&acks), Arc::clone(&count));
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let mut parts = line.split(' ');
                if let (Some("ack"), Some(seq), Some(hash)) =
                    (parts.next(), parts.next(), parts.next())
                    && let Ok(seq) = seq.parse::<u64>()
                {
                    acks.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((seq, hash.to_owned()));
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    Writer {
        stdin: child.stdin.take(),
        child,
        acks,
        count,
        reader,
    }
}

fn total(writers: &[Writer]) -> usize {
    writers.iter().map(|w| w.count.load(Ordering::SeqCst)).sum()
}

fn kill_all(writers: &mut [Writer]) {
    for w in writers {
        let _ = w.child.kill();
        let _ = w.child.wait();
    }
}

/// Runs `n` writer processes; with `kill`, SIGKILLs one of them at a random moment. Checks the log.
fn run(url: &str, n: usize, kill: bool) {
    let schema = pg_support::fresh_schema(&format!("writers{n}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let key_path = dir.path().join("log.key");
    let key = LogKey::create_file(&key_path).unwrap_or_else(|e| panic!("{e}"));
    // The parent creates the log; the children open it with the same key.
    let log = SharedLog::connect(url, &schema, key).unwrap_or_else(|e| panic!("{e}"));
    let mut writers: Vec<Writer> = (0..n).map(|w| spawn(url, &schema, &key_path, w)).collect();

    // Every child is appending before the clock starts.
    let deadline = Instant::now() + Duration::from_secs(60);
    while writers.iter().any(|w| w.count.load(Ordering::SeqCst) < 5) {
        if Instant::now() > deadline {
            kill_all(&mut writers);
            panic!("{n} writers: not every child acknowledged 5 appends within 60 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let (t0, acked0) = (Instant::now(), total(&writers));
    let mut victim = None;
    if kill {
        let wait_ms = rand::random_range(100..400u64);
        std::thread::sleep(Duration::from_millis(wait_ms));
        let v = rand::random_range(0..n);
        writers[v].child.kill().unwrap_or_else(|e| panic!("{e}")); // SIGKILL on unix
        let _ = writers[v].child.wait();
        writers[v].stdin = None;
        let at_kill: Vec<usize> = writers
            .iter()
            .map(|w| w.count.load(Ordering::SeqCst))
            .collect();
        // The survivors go on: a writer killed inside its transaction must not block the log.
        let deadline = Instant::now() + Duration::from_secs(30);
        while writers
            .iter()
            .enumerate()
            .any(|(i, w)| i != v && w.count.load(Ordering::SeqCst) < at_kill[i] + 20)
        {
            if Instant::now() > deadline {
                kill_all(&mut writers);
                panic!("{n} writers: the survivors made no progress within 30 s of the kill");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        victim = Some((v, wait_ms));
    } else {
        std::thread::sleep(Duration::from_secs(2));
    }
    let (elapsed, acked) = (t0.elapsed(), total(&writers) - acked0);

    // Stop the survivors by closing their stdin; they must exit cleanly.
    for w in &mut writers {
        w.stdin = None;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    for (i, w) in writers.iter_mut().enumerate() {
        loop {
            match w.child.try_wait() {
                Ok(Some(status)) => {
                    assert!(
                        victim.is_some_and(|(v, _)| v == i) || status.success(),
                        "{n} writers: writer {i} failed: {status}"
                    );
                    break;
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = w.child.kill();
                    panic!("{n} writers: writer {i} did not stop within 30 s");
                }
            }
        }
    }
    let mut acks: Vec<(u64, String, usize)> = Vec::new();
    for (i, w) in writers.into_iter().enumerate() {
        let _ = w.reader.join();
        let mine = w
            .acks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        acks.extend(mine.into_iter().map(|(s, h)| (s, h, i)));
    }

    // No number acknowledged twice (a fork or a duplicate would show here first).
    acks.sort_by_key(|a| a.0);
    for pair in acks.windows(2) {
        assert_ne!(
            pair[0].0, pair[1].0,
            "{n} writers: seq {} acknowledged twice",
            pair[0].0
        );
    }
    let report = log
        .verify()
        .unwrap_or_else(|e| panic!("{n} writers: verify failed: {e}"));
    let entries = log
        .store()
        .entries(0..report.size)
        .map(|e| {
            e.into_iter()
                .map(|e| (e.hash.to_hex(), e.actor))
                .collect::<Vec<_>>()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries.len() as u64, report.size);
    for (seq, hash, w) in &acks {
        let Some((stored, actor)) = entries.get(*seq as usize) else {
            panic!(
                "{n} writers: acknowledged entry {seq} lost (log has {})",
                report.size
            );
        };
        assert_eq!(
            stored, hash,
            "{n} writers: entry {seq} is not the one acknowledged"
        );
        assert_eq!(actor, &format!("writer-{w}"));
    }
    let rate = acked as f64 / elapsed.as_secs_f64();
    match victim {
        Some((v, ms)) => println!(
            "{n} writers, writer {v} SIGKILLed after {ms} ms: {} acknowledged, log {} entries, all present, \
             verify ok ({rate:.0} appends/s while running)",
            acks.len(),
            report.size
        ),
        None => println!(
            "{n} writers, no kill: {acked} appends in {:.2} s = {rate:.0} appends/s (2 threads per process, \
             information only); log {} entries, verify ok",
            elapsed.as_secs_f64(),
            report.size
        ),
    }
    pg_support::drop_schema(url, &schema);
}
