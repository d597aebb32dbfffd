//! The main job: runs the Aegis scalability suites and writes the report (`REPORT.md`, the results document,
//! the stress CSV, the engine's CSV, JSON and SVG).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use aegis_scale::run_info::RunInfo;
use aegis_scale::{RunCase, Scale, SuiteError, SuiteName, summary};
use clap::Parser;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use scale_props::Progress;

scale_props::install_counting_allocator!();

/// Runs the Aegis scalability suites and writes the report.
#[derive(Debug, Parser)]
#[command(name = "aegis-scale", version, about)]
struct Args {
    /// Folder the report is written into.
    #[arg(long, default_value = "target/scale-report")]
    out: PathBuf,
    /// Run the small test scale (the sizes `cargo test` uses) instead of the full one.
    #[arg(long)]
    quick: bool,
    /// Run only these suites (repeat the flag for several).
    #[arg(long = "only", value_name = "SUITE", value_enum)]
    only: Vec<SuiteName>,
    /// Also write the results document to this path (e.g. the repository's SCALABILITY_TEST_RESULTS.md).
    #[arg(long = "results-doc", value_name = "PATH")]
    results_doc: Option<PathBuf>,
    /// Also run the audit and pipeline cases against this PostgreSQL server (a `postgres://` URL or
    /// `host=... port=... user=... dbname=...`; needs a build with `--features postgres`). The report sets
    /// them beside the SQLite curves of the same run.
    #[arg(long = "audit", value_name = "URL")]
    audit: Option<String>,
    /// Internal: serve appends as one writer process of the PostgreSQL writer-process sweep.
    #[arg(long = "pg-writer", num_args = 3, value_names = ["URL", "SCHEMA", "KEY_FILE"], hide = true)]
    pg_writer: Option<Vec<String>>,
}

/// Exit code 0: every claim holds; 1: some claim fails or could not be judged (or the run itself failed).
fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("aegis-scale: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The cases of `suites` at `scale`, then, with `audit`, the PostgreSQL cases against that server.
fn cases(
    scale: Scale,
    suites: &[SuiteName],
    audit: Option<&str>,
) -> Result<Vec<aegis_scale::Case>, SuiteError> {
    let mut cases = Vec::new();
    for s in suites {
        cases.extend(s.cases(scale)?);
    }
    if let Some(url) = audit {
        cases.extend(postgres_cases(scale, url)?);
    }
    Ok(cases)
}

#[cfg(feature = "postgres")]
fn postgres_cases(scale: Scale, url: &str) -> Result<Vec<aegis_scale::Case>, SuiteError> {
    let writer_exe = std::env::current_exe().map_err(|source| SuiteError::Io {
        path: "the running executable".to_owned(),
        source,
    })?;
    let server = aegis_scale::postgres::Server {
        url: url.to_owned(),
        writer_exe,
    };
    aegis_scale::postgres::cases(scale, &server)
}

#[cfg(not(feature = "postgres"))]
fn postgres_cases(_: Scale, _: &str) -> Result<Vec<aegis_scale::Case>, SuiteError> {
    Err(SuiteError::Postgres(
        "this build has no PostgreSQL client: run `cargo run --release -p aegis-scale --features postgres \
         -- --audit <url>`"
            .to_owned(),
    ))
}

/// Serves appends as one writer process (`--pg-writer URL SCHEMA KEY_FILE`) until standard input ends.
#[cfg(feature = "postgres")]
fn serve_writer(args: &[String]) -> Result<bool, SuiteError> {
    let [url, schema, key] = args else {
        return Err(SuiteError::Postgres(
            "--pg-writer takes URL SCHEMA KEY_FILE".to_owned(),
        ));
    };
    let stdin = std::io::stdin().lock();
    aegis_scale::postgres::writer::serve(
        url,
        schema,
        key.as_ref(),
        stdin,
        std::io::stdout().lock(),
    )?;
    Ok(true)
}

#[cfg(not(feature = "postgres"))]
fn serve_writer(_: &[String]) -> Result<bool, SuiteError> {
    postgres_cases(Scale::Test, "").map(|_| false)
}

fn run_cases(cases: Vec<aegis_scale::Case>) -> Result<Vec<RunCase>, SuiteError> {
    let multi = MultiProgress::new();
    let overall = multi.add(ProgressBar::new(cases.len() as u64));
    overall.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} experiments {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut runs = Vec::with_capacity(cases.len());
    for case in cases {
        overall.set_message(case.id.clone());
        let bar = multi.add(ProgressBar::new(1));
        bar.set_style(
            ProgressStyle::with_template("  {prefix:40} [{bar:20}] {pos}/{len} runs {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(case.id.clone());
        let b = bar.clone();
        let progress: scale_props::run::ProgressFn = Arc::new(move |p: &Progress| match p {
            Progress::Started { total, .. } => b.set_length(*total),
            Progress::RunDone {
                done, size, phase, ..
            } => {
                b.set_position(*done);
                b.set_message(format!("size {size} {phase}"));
            }
            Progress::Finished { .. } => {}
        });
        let started = Instant::now();
        let run = case.run(Some(progress))?;
        bar.finish_and_clear();
        multi.remove(&bar);
        let holding = run.verdicts.iter().filter(|v| v.holds()).count();
        overall.println(format!(
            "{:<44} {:>3} points, {} errors, {holding}/{} claims hold, {:.1} s",
            run.curve.id,
            run.curve.points.len(),
            run.curve.total_errors(),
            run.verdicts.len(),
            started.elapsed().as_secs_f64()
        ));
        overall.inc(1);
        runs.push(run);
    }
    overall.finish_with_message("done");
    Ok(runs)
}

/// Runs the suites, writes the report, prints the verdicts; returns whether every claim holds.
fn run(args: Args) -> Result<bool, SuiteError> {
    if let Some(writer) = &args.pg_writer {
        return serve_writer(writer);
    }
    let scale = if args.quick { Scale::Test } else { Scale::Full };
    let suites = if args.only.is_empty() {
        SuiteName::ALL.to_vec()
    } else {
        args.only.clone()
    };
    let started = Instant::now();
    let runs = run_cases(cases(scale, &suites, args.audit.as_deref())?)?;
    let info = RunInfo::now(started.elapsed(), scale);
    let files = summary::write_report(&args.out, &runs, &info, "")?;
    if let Some(path) = &args.results_doc {
        let from = args.out.join(summary::RESULTS_FILE);
        std::fs::copy(&from, path).map_err(|source| SuiteError::Io {
            path: path.display().to_string(),
            source,
        })?;
    }
    println!(
        "{} experiments at the {} scale in {:.1} s; report: {}",
        runs.len(),
        scale.name(),
        info.duration.as_secs_f64(),
        args.out.join(summary::REPORT_FILE).display()
    );
    println!("{} files written", files.len());
    let verdicts: Vec<&aegis_scale::Verdict> = runs.iter().flat_map(|r| &r.verdicts).collect();
    let failing: Vec<&&aegis_scale::Verdict> = verdicts.iter().filter(|v| !v.holds()).collect();
    println!();
    println!("{}", summary::sections::verdicts(&runs));
    if failing.is_empty() {
        println!("all {} claims hold", verdicts.len());
    } else {
        println!(
            "{} of {} claims do not hold:",
            failing.len(),
            verdicts.len()
        );
        for v in &failing {
            println!(
                "  {}: {}: {}",
                v.case,
                v.claim,
                summary::sections::verdict_word(v)
            );
        }
    }
    Ok(failing.is_empty())
}
