//! Several pipeline *processes* on one `SharedLog` in PostgreSQL (AEGIS_POSTGRES_URL; without it the test
//! fails under `CI` and otherwise says how to start a server). Each child builds its own pipeline (agent
//! `child-<i>`, its own in-memory review queue: safe requests need no review) on the one shared log and runs
//! safe requests from two threads, one through `process`, one through `process_batch` of 4, until its stdin
//! closes. A child prints `ack <run> <seq>...` only after the call returned the run's audit sequence numbers.
//!
//! N = 2 and 4 children, each once undisturbed and once with one child SIGKILLed mid-run (and N = 1
//! undisturbed, the baseline of the runs per second the undisturbed runs print, information only). Afterwards:
//! `verify()` passes over the whole log; no sequence number was acknowledged twice; every acknowledged run's
//! entries are in the log at the acknowledged numbers, in trail order, with that run id, the firewall entry
//! naming that child's agent; every entry a cleanly exited child wrote was acknowledged (with no kill the log
//! holds exactly the acknowledged entries); and the survivors kept going after the kill.
//!
//! `harness = false`: this binary is both the parent (no `AEGIS_PG_CHILD`) and the children (it re-executes
//! itself).

mod pg_support;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aegis_pipeline::{
    ActionRequest, Disposition, ExecutionError, Executor, Pipeline, Processed, RUNS_PER_INSTANCE,
    steps,
};
use audit_system::{LogKey, SharedLog, Store};
use serde_json::Value;

/// The trail of a safe request, in order.
const SAFE_TRAIL: [&str; 5] = [
    steps::FIREWALL_CHECKED,
    steps::ETHICS_CHECKED,
    steps::ACTION_EXECUTING,
    steps::ACTION_EXECUTED,
    steps::OUTCOME_LEARNED,
];

/// Requests per `process_batch` call in a child.
const BATCH: usize = 4;

fn main() {
    if std::env::var_os("AEGIS_PG_CHILD").is_some() {
        child();
        return;
    }
    let Some(url) = pg_support::url() else { return };
    // One process first: the baseline for the information-only rates the undisturbed runs print.
    for n in [1, 2, 4] {
        run(&url, n, false);
    }
    for n in [2, 4] {
        run(&url, n, true);
    }
    println!("postgres_processes: ok");
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

/// The child's side effect: nothing but a count.
struct Count(AtomicUsize);

impl Executor for Count {
    fn execute(&self, _request: &ActionRequest) -> Result<Value, ExecutionError> {
        Ok(serde_json::json!({ "done": self.0.fetch_add(1, Ordering::SeqCst) + 1 }))
    }
}

fn safe(child: &str, i: u64) -> ActionRequest {
    ActionRequest::new(
        child,
        "report.read",
        format!("read report {i} in /srv/reports"),
    )
    .with_expected_outcome("display the report to the user who asked for it")
}

/// Prints one acknowledged run (after the pipeline returned it).
fn ack(done: &Processed) {
    if !matches!(done.disposition, Disposition::Executed { .. }) {
        eprintln!("run {} was not executed: {:?}", done.run, done.disposition);
        std::process::exit(4);
    }
    let seqs: Vec<String> = done.audit_seqs.iter().map(u64::to_string).collect();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ack {} {}", done.run.0, seqs.join(" "));
    let _ = out.flush();
}

fn child() {
    let agent = format!("child-{}", env("AEGIS_PG_CHILD"));
    let key = LogKey::load_file(env("AEGIS_PG_KEY")).unwrap_or_else(|e| panic!("{e}"));
    let log = SharedLog::connect(&env("AEGIS_POSTGRES_URL"), &env("AEGIS_PG_SCHEMA"), key)
        .unwrap_or_else(|e| panic!("{agent}: {e}"));
    let pipeline = Arc::new(
        Pipeline::builder()
            .agent(agent.clone())
            .without_rate_limit()
            .shared_audit_log(Arc::new(log))
            .executor(Count(AtomicUsize::new(0)))
            .build()
            .unwrap_or_else(|e| panic!("{agent}: {e}")),
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
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let (pipeline, stop, agent) = (Arc::clone(&pipeline), Arc::clone(&stop), agent.clone());
            std::thread::spawn(move || {
                let mut i = t << 32;
                while !stop.load(Ordering::SeqCst) {
                    if t == 0 {
                        match pipeline.process(&safe(&agent, i)) {
                            Ok(done) => ack(&done),
                            Err(e) => panic!("{agent}: {e}"),
                        }
                        i += 1;
                    } else {
                        let batch: Vec<ActionRequest> =
                            (i..i + BATCH as u64).map(|j| safe(&agent, j)).collect();
                        for result in pipeline.process_batch(&batch) {
                            match result {
                                Ok(done) => ack(&done),
                                Err(e) => panic!("{agent}: {e}"),
                            }
                        }
                        i += BATCH as u64;
                    }
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

/// One acknowledged run: its run id and audit sequence numbers.
type Ack = (u64, Vec<u64>);

struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    acks: Arc<Mutex<Vec<Ack>>>,
    count: Arc<AtomicUsize>,
    reader: std::thread::JoinHandle<()>,
}

fn spawn(url: &str, schema: &str, key: &std::path::Path, i: usize) -> Proc {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(exe)
        .env("AEGIS_PG_CHILD", i.to_string())
        .env("AEGIS_POSTGRES_URL", url)
        .env("AEGIS_PG_SCHEMA", schema)
        .env("AEGIS_PG_KEY", key)
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
                let mut words = line.split(' ');
                if words.next() != Some("ack") {
                    continue;
                }
                let numbers: Result<Vec<u64>, _> = words.map(str::parse).collect();
                // A line cut short by SIGKILL has too few numbers; the checks below treat it as
                // unacknowledged only if it does not parse into a run and five numbers.
                if let Ok(numbers) = numbers
                    && let Some((run, seqs)) = numbers.split_first()
                    && seqs.len() == SAFE_TRAIL.len()
                {
                    acks.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((*run, seqs.to_vec()));
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    Proc {
        stdin: child.stdin.take(),
        child,
        acks,
        count,
        reader,
    }
}

fn kill_all(procs: &mut [Proc]) {
    for p in procs {
        let _ = p.child.kill();
        let _ = p.child.wait();
    }
}

/// Waits (bounded, for liveness only) until every process but `skip` has acknowledged `more` runs beyond
/// `from`.
fn await_progress(
    procs: &mut [Proc],
    skip: Option<usize>,
    from: &[usize],
    more: usize,
    what: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while procs
        .iter()
        .enumerate()
        .any(|(i, p)| Some(i) != skip && p.count.load(Ordering::SeqCst) < from[i] + more)
    {
        if Instant::now() > deadline {
            kill_all(procs);
            panic!("{what}: not every process acknowledged {more} more runs within 60 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `n` pipeline processes on one shared log; with `kill`, SIGKILLs one of them mid-run. Checks the log.
fn run(url: &str, n: usize, kill: bool) {
    let what = format!("{n} processes{}", if kill { ", one killed" } else { "" });
    let schema = format!("aegis_pipeline_{}", pg_support::fresh(&format!("procs{n}")));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let key_path = dir.path().join("log.key");
    let key = LogKey::create_file(&key_path).unwrap_or_else(|e| panic!("{e}"));
    // The parent creates the log; the children open it with the same key.
    let log = SharedLog::connect(url, &schema, key).unwrap_or_else(|e| panic!("{e}"));
    let mut procs: Vec<Proc> = (0..n).map(|i| spawn(url, &schema, &key_path, i)).collect();
    let zero = vec![0; n];
    await_progress(&mut procs, None, &zero, 5, &what);

    let mut victim = None;
    let mut rate = None;
    if kill {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let (v, wait_ms) = (nanos as usize % n, 50 + u64::from(nanos / 7 % 250));
        std::thread::sleep(Duration::from_millis(wait_ms));
        procs[v].child.kill().unwrap_or_else(|e| panic!("{e}")); // SIGKILL on unix
        let _ = procs[v].child.wait();
        procs[v].stdin = None;
        // The survivors go on: a process killed inside its transaction must not block the log.
        let at_kill: Vec<usize> = procs
            .iter()
            .map(|p| p.count.load(Ordering::SeqCst))
            .collect();
        await_progress(&mut procs, Some(v), &at_kill, 20, &what);
        victim = Some((v, wait_ms));
    } else {
        let now: Vec<usize> = procs
            .iter()
            .map(|p| p.count.load(Ordering::SeqCst))
            .collect();
        let t0 = Instant::now();
        await_progress(&mut procs, None, &now, 40, &what);
        let runs: usize = procs
            .iter()
            .map(|p| p.count.load(Ordering::SeqCst))
            .sum::<usize>()
            - now.iter().sum::<usize>();
        rate = Some(runs as f64 / t0.elapsed().as_secs_f64());
    }

    // Stop the survivors by closing their stdin; they finish their runs and must exit cleanly.
    for p in &mut procs {
        p.stdin = None;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    for (i, p) in procs.iter_mut().enumerate() {
        loop {
            match p.child.try_wait() {
                Ok(Some(status)) => {
                    assert!(
                        victim.is_some_and(|(v, _)| v == i) || status.success(),
                        "{what}: child {i} failed: {status}"
                    );
                    break;
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                _ => {
                    let _ = p.child.kill();
                    panic!("{what}: child {i} did not stop within 60 s");
                }
            }
        }
    }
    let mut acks: Vec<(usize, Ack)> = Vec::new();
    for (i, p) in procs.into_iter().enumerate() {
        let _ = p.reader.join();
        let mine = p
            .acks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        acks.extend(mine.into_iter().map(|a| (i, a)));
    }

    let report = log
        .verify()
        .unwrap_or_else(|e| panic!("{what}: verify failed: {e}"));
    let entries = log
        .store()
        .entries(0..report.size)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries.len() as u64, report.size, "{what}");
    let payloads: Vec<Value> = entries
        .iter()
        .map(|e| serde_json::from_str(&e.payload).unwrap_or_else(|e| panic!("{e}")))
        .collect();

    // Each child announced itself once; its runs are numbered from that entry's sequence number, so no run
    // id repeats across the processes.
    let started: Vec<(u64, &Value)> = entries
        .iter()
        .zip(&payloads)
        .filter(|(e, _)| e.action == "pipeline.started")
        .map(|(e, p)| (e.seq, p))
        .collect();
    assert_eq!(
        started.len(),
        n,
        "{what}: one pipeline.started per child: {started:?}"
    );
    let mut run_ids = HashSet::new();
    for (i, (run, _)) in &acks {
        assert!(run_ids.insert(*run), "{what}: run id {run} used twice");
        let base = run / RUNS_PER_INSTANCE;
        let announced = started
            .iter()
            .find(|(seq, _)| *seq == base)
            .unwrap_or_else(|| {
                panic!("{what}: run {run} of child {i} belongs to no pipeline.started")
            });
        assert_eq!(
            announced.1["agent"],
            format!("child-{i}"),
            "{what}: run {run}"
        );
    }

    // Every acknowledged run is in the log where it was acknowledged, in order, and no number twice.
    let mut acked = HashSet::new();
    for (seq, _) in &started {
        acked.insert(*seq);
    }
    for (i, (run, seqs)) in &acks {
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{what}: child {i} run {run}: seqs out of order {seqs:?}"
        );
        for (seq, step) in seqs.iter().zip(SAFE_TRAIL) {
            assert!(acked.insert(*seq), "{what}: seq {seq} acknowledged twice");
            let Some(entry) = entries.get(*seq as usize) else {
                panic!(
                    "{what}: child {i} run {run}: acknowledged entry {seq} lost (log has {})",
                    report.size
                );
            };
            assert_eq!(
                entry.action, step,
                "{what}: child {i} run {run}, entry {seq}"
            );
            assert_eq!(payloads[*seq as usize]["run"], *run, "{what}: entry {seq}");
        }
        assert_eq!(
            payloads[seqs[0] as usize]["agent"],
            format!("child-{i}"),
            "{what}: entry {} is not child {i}'s",
            seqs[0]
        );
    }
    // Every entry not acknowledged was written by the killed child (whose last runs' lines the kill may
    // have cut off): a cleanly exited child acknowledged everything it wrote.
    let unacked: Vec<usize> = (0..entries.len())
        .filter(|s| !acked.contains(&(*s as u64)))
        .collect();
    match victim {
        None => assert!(
            unacked.is_empty(),
            "{what}: {} entries nobody acknowledged, first {:?}",
            unacked.len(),
            unacked.first()
        ),
        Some((v, _)) => {
            // At most the runs in flight in the victim: one `process` and one batch, five entries each.
            assert!(
                unacked.len() <= (1 + BATCH) * SAFE_TRAIL.len(),
                "{what}: {} entries nobody acknowledged",
                unacked.len()
            );
            for s in unacked {
                if entries[s].action == steps::FIREWALL_CHECKED {
                    assert_eq!(
                        payloads[s]["agent"],
                        format!("child-{v}"),
                        "{what}: unacknowledged entry {s} is not the killed child's"
                    );
                }
            }
        }
    }
    let mut per_child: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, _) in &acks {
        *per_child.entry(*i).or_default() += 1;
    }
    match victim {
        Some((v, ms)) => println!(
            "{what}: child {v} SIGKILLed after {ms} ms; runs acknowledged per child {per_child:?}; log {} \
             entries, every acknowledged one present, verify ok",
            report.size
        ),
        None => println!(
            "{what}: runs acknowledged per child {per_child:?}; log {} entries, all acknowledged, verify ok; \
             {:.0} safe runs/s over all processes while every process did 40 more (information only)",
            report.size,
            rate.unwrap_or(0.0)
        ),
    }
    pg_support::drop_schema(url, &schema);
}
