//! Claims in the experiment, verdicts out of the run: judged in claim order, "could not be judged" never
//! counted as holding, every verdict in the failure and in the reports; resource and error budgets.
#![cfg(not(loom))]

use std::sync::Mutex;

use scale_props::expect::Outcome;
use scale_props::prelude::*;
use scale_props::report::write_all;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn verdicts_follow_the_claims_and_assert_all_shows_every_one() -> TestResult {
    let curve = Experiment::new("claims.mixed")
        .sizes([100, 1_000, 10_000])
        .claim(Growth::at_most(Complexity::Linear).of_work("visited"))
        .claim(Errors::none())
        .claim(Budget::fsyncs_per_op(1.0..=1.0))
        .op(|_: &(), ctx| {
            ctx.count("visited", ctx.size);
            ctx.i != 7
        })
        .ops(20)
        .run()?;
    let verdicts = curve.verdicts();
    let outcomes: Vec<&Outcome> = verdicts.iter().map(|v| &v.judgement.outcome).collect();
    assert_eq!(outcomes[0], &Outcome::Holds, "{}", verdicts.table());
    assert_eq!(outcomes[1], &Outcome::Fails, "{}", verdicts.table());
    assert!(
        matches!(outcomes[2], Outcome::Unjudged { why } if why.contains("fsyncs")),
        "{}",
        verdicts.table()
    );
    assert!(verdicts.iter().all(|v| v.case == "claims.mixed"));
    assert_eq!(verdicts[1].claim, "no errors");
    assert!(verdicts[1].judgement.measured.contains("1 errors"));

    let err = verdicts.assert_all().unwrap_err();
    let ExpectError::Claims {
        failed, unjudged, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((*failed, *unjudged), (1, 1));
    let text = err.to_string();
    for part in [
        "| case | claim | measured | bound | verdict |",
        "O(n)",
        "| claims.mixed | no errors |",
        "FAILS",
        "could not be judged",
        "| size |",
        "plot: ",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    Ok(())
}

#[test]
fn a_claim_that_could_not_be_judged_fails_assert_all() -> TestResult {
    // One size: a growth bound cannot be judged, and must not pass for holding.
    let curve = Experiment::new("claims.unjudged")
        .claim(Growth::at_most(Complexity::Log))
        .op(|_: &(), _| ())
        .ops(10)
        .run()?;
    let v = &curve.verdicts()[0];
    assert!(
        matches!(&v.judgement.outcome, Outcome::Unjudged { why } if why.contains("at least three")),
        "{v}"
    );
    let err = curve.verdicts().assert_all().unwrap_err();
    assert!(
        matches!(
            err,
            ExpectError::Claims {
                failed: 0,
                unjudged: 1,
                ..
            }
        ),
        "{err}"
    );
    // The same expectation checked directly is an error too.
    assert!(curve.check(Growth::at_most(Complexity::Log)).is_err());
    Ok(())
}

#[test]
fn an_experiment_without_claims_has_no_verdicts() -> TestResult {
    let curve = Experiment::new("claims.none")
        .op(|_: &(), _| ())
        .ops(5)
        .run()?;
    assert!(curve.verdicts().is_empty());
    curve.verdicts().assert_all()?;
    Ok(())
}

/// The audit drift the claims API exists for: a store claimed to fsync once per append that runs without.
#[test]
fn an_fsync_claim_catches_a_store_that_does_not_fsync() -> TestResult {
    let run = |fsyncs: u64| {
        Experiment::new("claims.fsync")
            .claim(Budget::fsyncs_per_op(1.0..=1.0))
            .claim(Budget::bytes_written_per_op(..=256.0))
            .op(move |_: &(), ctx| {
                ctx.count("fsyncs", fsyncs);
                ctx.count("bytes_written", 200);
            })
            .ops(50)
            .run()
    };
    run(1)?.verdicts().assert_all()?;
    let none = run(0)?;
    let v = &none.verdicts()[0];
    assert_eq!(v.judgement.outcome, Outcome::Fails, "{v}");
    assert_eq!(v.judgement.measured, "0.000 at point 0 (x = 1)");
    assert!(none.verdicts()[1].holds());
    Ok(())
}

#[test]
fn reports_carry_the_verdict_table() -> TestResult {
    let dir = tempfile::tempdir()?;
    let curve = Experiment::new("claims.report")
        .claim(Errors::none())
        .claim(Errors::at_most(0).allowing("false"))
        .op(|_: &(), ctx| ctx.i % 2 == 0)
        .ops(10)
        .run()?;
    write_all(dir.path(), "claims", &[curve])?;
    let md = std::fs::read_to_string(dir.path().join("report.md"))?;
    assert!(
        md.contains("2 claim(s): 1 hold, 1 fail, 0 could not be judged."),
        "{md}"
    );
    assert!(
        md.contains("| claims.report | no errors | 5 errors of 10 operations"),
        "{md}"
    );
    assert!(
        md.contains("| claims.report | at most 0 errors except false | 0 errors in 10 operations"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json"))?)?;
    let verdicts = json["verdicts"].as_array().ok_or("no verdicts array")?;
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0]["judgement"]["outcome"], "fails");
    assert_eq!(verdicts[1]["judgement"]["outcome"], "holds");
    Ok(())
}

#[test]
fn resource_budgets_judge_memory_growth_and_cpu() -> TestResult {
    let kept = Mutex::new(Vec::<Box<[u8]>>::new());
    let curve = Experiment::new("claims.memory")
        .repetitions(3)
        .ops(3_000)
        .claim(Budget::memory_growth_per_op(64.0))
        .claim(Budget::memory_growth_per_op(0.1))
        .claim(Budget::cpu_utilisation(2.0..))
        .op(|_: &(), _| {
            // 4 KiB kept per operation, touched so the pages are resident.
            kept.lock()
                .map(|mut v| v.push(vec![1u8; 4_096].into_boxed_slice()))
                .is_ok()
        })
        .run()?;
    let v = curve.verdicts();
    if curve.points[0].repetitions[0].memory.is_some() {
        assert_eq!(v[0].judgement.outcome, Outcome::Fails, "{}", v.table());
        // 9 000 operations cannot resolve 0.1 byte per operation in 4 KiB pages.
        assert!(
            matches!(&v[1].judgement.outcome, Outcome::Unjudged { why } if why.contains("pages")),
            "{}",
            v.table()
        );
    }
    if curve.points[0].median_cpu_utilisation().is_some() {
        // No process uses twice every core.
        assert_eq!(v[2].judgement.outcome, Outcome::Fails, "{}", v.table());
    }
    Ok(())
}

/// Failed before: `.shape(..)` silently replaced `.workers(..)` and `.ops(..)`.
#[test]
fn a_shape_with_workers_or_ops_is_a_conflict() -> TestResult {
    let with_workers = Experiment::new("claims.conflict")
        .shape(Closed::new(2, 100)?)
        .workers([1, 2])
        .op(|_: &(), _| ())
        .run();
    assert!(matches!(
        with_workers,
        Err(RunError::ConflictingLoad { .. })
    ));
    let with_ops = Experiment::new("claims.conflict")
        .ops(5)
        .shape(Closed::new(2, 100)?)
        .op(|_: &(), _| ())
        .run();
    let err = with_ops.unwrap_err();
    assert!(err.to_string().contains(".ops(5)"), "{err}");
    Ok(())
}
