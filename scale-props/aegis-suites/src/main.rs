//! The main job: runs the Aegis scalability suites and writes the report (`REPORT.md`, CSV, JSON, SVG).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use aegis_scale::{Scale, SuiteError, SuiteName, summary};
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
    /// Run the small test scale (about a minute) instead of the full one.
    #[arg(long)]
    quick: bool,
    /// Run only these suites (repeat the flag for several): firewall, love, evolution, audit, hitl, load, pipeline.
    #[arg(long = "only", value_name = "SUITE")]
    only: Vec<String>,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aegis-scale: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), SuiteError> {
    let scale = if args.quick { Scale::Test } else { Scale::Full };
    let suites = if args.only.is_empty() {
        SuiteName::ALL.to_vec()
    } else {
        args.only
            .iter()
            .map(|s| SuiteName::parse(s))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut cases = Vec::new();
    for s in &suites {
        cases.extend(s.cases(scale)?);
    }
    let multi = MultiProgress::new();
    let overall = multi.add(ProgressBar::new(cases.len() as u64));
    overall.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} experiments {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
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
        let run = case.run(Some(progress))?;
        bar.finish_and_clear();
        multi.remove(&bar);
        overall.println(format!(
            "{:<40} {:>3} points, {} errors",
            run.curve.id,
            run.curve.points.len(),
            run.curve.total_errors()
        ));
        overall.inc(1);
        runs.push(run);
    }
    overall.finish_with_message("done");
    let elapsed = started.elapsed();
    let files = summary::write_report(&args.out, &runs, elapsed)?;
    println!(
        "{} experiments at the {} scale in {:.1} s; report: {}",
        runs.len(),
        scale.name(),
        elapsed.as_secs_f64(),
        args.out.join("REPORT.md").display()
    );
    println!("{} files written", files.len());
    Ok(())
}
