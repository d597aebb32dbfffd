//! The PostgreSQL cases and what they run against.

use std::path::PathBuf;
use std::sync::Arc;

use aegis_pipeline::Pipeline;
use aegis_pipeline::preload::Preload;
use audit_system::{AuditLog, Limits, LogKey, PostgresStore};
use scale_props::shape::WorkerSweep;
use scale_props::{Errors, Experiment, OpError};

use crate::claims::{AllCompleted, CoversSize};
use crate::suites::pipeline::{Echo, count_outcome, every_workflow_ends, preload, workflow};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

use super::fixture::{PgLog, SchemaGuard, fresh_schema};
use super::writer::{GivenSeqs, WriterProcesses};
use super::{APPEND, PIPELINE, PROCESSES, VERIFY, WRITER_PROCESSES, WRITER_THREADS};

/// The server the suite runs against, and the program that serves as a writer process (the main job
/// itself, or its binary under `cargo test`).
#[derive(Debug, Clone)]
pub struct Server {
    /// The server's URL (`host=127.0.0.1 port=... user=... dbname=...` or `postgres://...`).
    pub url: String,
    /// The executable started as a writer process ([`super::writer::WRITER_FLAG`]).
    pub writer_exe: PathBuf,
}

/// A shared log and the sequence numbers its appends were given.
struct Appends {
    log: PgLog,
    seen: GivenSeqs,
}

impl Appends {
    fn new(log: PgLog) -> Self {
        Self {
            log,
            seen: GivenSeqs::default(),
        }
    }

    /// Appends entry `i`; an error if the server gave its number before.
    fn append(&self, i: u64) -> Result<u64, OpError> {
        let payload = format!("{{\"op\":{i}}}");
        let r = self
            .log
            .log
            .append("scale", "append", &payload)
            .map_err(kind)?;
        self.seen.first_time(r.seq)
    }
}

/// Writer processes and the log they append to (the processes end before the log's schema is dropped).
struct Processes {
    writers: WriterProcesses,
    _log: PgLog,
}

/// The pipeline with its audit log in a schema of the server.
struct PgPipeline {
    pipeline: Pipeline,
    _schema: SchemaGuard,
}

fn pg_pipeline(url: &str, preload: &Preload) -> Result<PgPipeline, String> {
    let schema = fresh_schema("pipeline");
    let guard = SchemaGuard {
        url: url.to_owned(),
        schema: schema.clone(),
    };
    let store = PostgresStore::connect(url, &schema).map_err(|e| e.to_string())?;
    let log = AuditLog::with_store(store, LogKey::generate(), Limits::default())
        .map_err(|e| e.to_string())?;
    let pipeline = Pipeline::builder()
        .executor(Echo)
        .without_rate_limit()
        .audit_log(Arc::new(log))
        .build()
        .map_err(|e| e.to_string())?;
    pipeline.preload(preload).map_err(|e| e.to_string())?;
    Ok(PgPipeline {
        pipeline,
        _schema: guard,
    })
}

/// The PostgreSQL cases at `scale` against `server`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale, server: &Server) -> Result<Vec<Case>, SuiteError> {
    let sizes = scale.pick(vec![128, 1_024], vec![1_000, 10_000, 100_000]);
    let url = server.url.clone();
    let append = Experiment::new(APPEND)
        .sizes(sizes.clone())
        .ops(scale.pick(50, 300))
        .repetitions(3)
        .workload(fallible(
            move |n| PgLog::with_entries(&url, "append", n).map(Appends::new),
            |a: &Appends, ctx| a.append(ctx.i),
        ));
    let url = server.url.clone();
    let verify = Experiment::new(VERIFY)
        .sizes(sizes)
        .ops(1)
        .repetitions(scale.pick(2, 3))
        .workload(fallible(
            move |n| PgLog::with_entries(&url, "verify", n),
            |f: &PgLog, ctx| {
                let r = f.log.verify().map_err(kind)?;
                ctx.count("entries_verified", r.size);
                Ok::<(), OpError>(())
            },
        ));
    let url = server.url.clone();
    let threads = Experiment::new(WRITER_THREADS)
        .sizes([scale.pick(128, 1_000)])
        .shape(WorkerSweep::new(vec![1, 2, 4, 8, 16], scale.pick(80, 800))?)
        .repetitions(scale.pick(1, 3))
        .workload(fallible(
            move |n| PgLog::with_entries(&url, "threads", n).map(Appends::new),
            |a: &Appends, ctx| a.append(ctx.i),
        ));
    let (url, exe) = (server.url.clone(), server.writer_exe.clone());
    let processes = Experiment::new(WRITER_PROCESSES)
        .sizes([scale.pick(128, 1_000)])
        .shape(WorkerSweep::new(PROCESSES.to_vec(), scale.pick(80, 800))?)
        .repetitions(scale.pick(1, 3))
        .workload(fallible(
            move |n| {
                let log = PgLog::with_entries(&url, "processes", n)?;
                let most = PROCESSES.iter().copied().max().unwrap_or(1) as usize;
                let writers =
                    WriterProcesses::start(&exe, most, &log.url, &log.schema, &log.key_file)?;
                Ok(Processes { writers, _log: log })
            },
            |p: &Processes, ctx| p.writers.append(ctx.worker, ctx.i),
        ));
    let preload = preload(scale);
    let url = server.url.clone();
    let pipeline = Experiment::new(PIPELINE)
        .sizes([preload.audit_entries])
        .shape(WorkerSweep::new(
            vec![1, 2, 4, 8, 16],
            scale.pick(200, 2_000),
        )?)
        .repetitions(scale.pick(1, 2))
        .workload(fallible(
            move |_| pg_pipeline(&url, &preload),
            |p: &PgPipeline, ctx| {
                let done = p.pipeline.process(&workflow(ctx.i)).map_err(kind)?;
                count_outcome(ctx, &done);
                Ok::<(), OpError>(())
            },
        ));
    Ok(vec![
        Case::new("audit", Topic::Postgres, append).claim(Errors::none()),
        Case::new("audit", Topic::Postgres, verify)
            .claim(Errors::none())
            .claim(CoversSize {
                name: "entries_verified",
            }),
        Case::new("audit", Topic::Postgres, threads)
            .claim(Errors::none())
            .claim(AllCompleted),
        Case::new("audit", Topic::Postgres, processes)
            .claim(Errors::none())
            .claim(AllCompleted),
        every_workflow_ends(Case::new("pipeline", Topic::Postgres, pipeline)),
    ])
}
