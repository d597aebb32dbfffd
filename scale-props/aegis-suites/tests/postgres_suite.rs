//! The PostgreSQL cases at the test scale against a real server (`AEGIS_POSTGRES_URL`, from
//! `scripts/postgres.sh`): every claim holds, writer processes included, and the report sets the server
//! beside SQLite. Under CI without a server the test fails; elsewhere it says how to start one.
#![cfg(all(feature = "postgres", not(loom)))]

scale_props::install_counting_allocator!();

#[allow(dead_code)] // the snapshot helpers are for the SQLite suites
mod common;

use std::io::Cursor;
use std::path::PathBuf;

use aegis_scale::postgres::{self, Server};
use aegis_scale::summary::side_by_side::{SideBySide, section};
use aegis_scale::{RunCase, Scale, SuiteName};
use common::{assert_claims, exclusive, run_suite};

const HOW: &str = "start one with `eval \"$(scripts/postgres.sh start)\"` from the workspace root, then \
                   rerun with AEGIS_POSTGRES_URL exported";

fn url() -> Option<String> {
    match std::env::var("AEGIS_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but AEGIS_POSTGRES_URL is not: the PostgreSQL tests must run in CI ({HOW})"
            );
            eprintln!("no PostgreSQL server (AEGIS_POSTGRES_URL unset): test not run; {HOW}");
            None
        }
    }
}

fn server(url: String) -> Server {
    Server {
        url,
        writer_exe: PathBuf::from(env!("CARGO_BIN_EXE_aegis-scale")),
    }
}

fn run_postgres(url: String) -> Vec<RunCase> {
    postgres::cases(Scale::Test, &server(url))
        .expect("cases build")
        .into_iter()
        .map(|c| c.run(None).expect("case runs"))
        .collect()
}

#[test]
fn the_postgres_cases_hold_and_sit_beside_sqlite() {
    let Some(url) = url() else { return };
    let _one = exclusive();
    let mut runs = run_postgres(url);
    assert_claims(&runs);
    let processes = runs
        .iter()
        .find(|r| r.curve.id == postgres::WRITER_PROCESSES)
        .expect("the writer-process sweep ran");
    let levels: Vec<usize> = processes
        .curve
        .points
        .iter()
        .map(|p| p.phase.workers)
        .collect();
    assert_eq!(levels, [1, 2, 4, 8]);
    assert!(
        processes
            .curve
            .points
            .iter()
            .all(|p| p.median_throughput() > 0.0),
        "every level appended"
    );
    // Beside the SQLite curves of the same run.
    runs.extend(run_suite(SuiteName::Audit));
    let side = SideBySide::of(&runs).expect("PostgreSQL was measured");
    let single = &side.rows[0];
    assert!(
        single.sqlite.is_some() && single.postgres.is_some(),
        "{single:?}"
    );
    let text = section(Some(&side));
    assert!(
        text.contains("| single appends, one writer thread |"),
        "{text}"
    );
    assert!(text.contains("writer processes"), "{text}");
    assert!(!text.contains("USL could not be fitted"), "{text}");
}

#[test]
fn a_writer_process_answers_each_line_and_refuses_what_is_not_an_index() {
    let Some(url) = url() else { return };
    let log = postgres::PgLog::with_entries(&url, "serve", 0).expect("a fresh log");
    let mut out = Vec::new();
    postgres::writer::serve(
        &url,
        &log.schema,
        &log.key_file,
        Cursor::new("1\nnot a number\n2\n"),
        &mut out,
    )
    .expect("the writer serves");
    let lines: Vec<String> = String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "ok 0");
    assert!(
        lines[1].starts_with("err not an operation index"),
        "{lines:?}"
    );
    assert_eq!(lines[2], "ok 1");
}
