//! The main job's command line: a request it cannot serve is a clear error and exit code 1, before any case
//! runs.
#![cfg(not(loom))]

use std::process::Command;

fn main_job(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aegis-scale"))
        .args(args)
        .output()
        .expect("the main job starts")
}

#[cfg(not(feature = "postgres"))]
#[test]
fn audit_on_postgres_without_the_feature_names_the_command_that_has_it() {
    let out = main_job(&[
        "--quick",
        "--only",
        "firewall",
        "--audit",
        "host=127.0.0.1 port=1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features postgres"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("experiments"),
        "nothing ran"
    );
}

#[test]
fn an_unknown_suite_is_refused_with_the_known_ones() {
    let out = main_job(&["--only", "nope"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("firewall") && err.contains("pipeline"),
        "{err}"
    );
}
