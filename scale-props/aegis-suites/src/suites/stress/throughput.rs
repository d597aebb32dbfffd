//! Stepped throughput, one search per component alone (open model, 4 servers): the offered rate climbs from
//! the specification's start by its step until the budget breaks or the run's bound is reached.

use std::time::Duration;

use evolution_core::EvolutionEngine;
use hitl_collab::{HitlQueue, Verdict};
use intent_firewall::Firewall;
use love_engine::LoveEngine;
use scale_props::{Experiment, OpError};

use crate::audit_store::AuditFixture;
use crate::fixtures::{action, evolution_with, experience, firewall_with, request, review_request};
use crate::claims::StepSearch;
use crate::stepped::{StepBudget, StepPlan, Stepped};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the firewall search.
pub const FIREWALL: &str = "stress.throughput.firewall";
/// Id of the love-engine search.
pub const LOVE: &str = "stress.throughput.love";
/// Id of the evolution search.
pub const EVOLUTION: &str = "stress.throughput.evolution";
/// Id of the audit search.
pub const AUDIT: &str = "stress.throughput.audit";
/// Id of the HITL search.
pub const HITL: &str = "stress.throughput.hitl";

/// Worker threads serving the arrivals of every search.
const SERVERS: u64 = 4;

/// The plan of a search starting at `from` and climbing by `step` (the specification's rates): up to 30
/// one-second steps at the full scale; at the test scale three 0.2 s steps at a tenth of those rates (a
/// `cargo test` run shares its machine, so it checks the search and its claim, not the machine's capacity).
fn plan(scale: Scale, from: u64, step: u64) -> StepPlan {
    StepPlan {
        from: scale.pick((from / 10).max(1), from),
        step: scale.pick((step / 10).max(1), step),
        steps: scale.pick(3, 30),
        seconds: scale.pick(0.2, 1.0),
        servers: SERVERS,
    }
}

/// The budget of every step at the full scale: p99 within `p99_ms` of the scheduled start, at least 80% of
/// the offered operations served (the earlier specification's pass mark). At the test scale (`cargo test`,
/// `--quick`, on a machine shared with other work) the budget is wide: p99 within 250 ms, half served.
fn budget(scale: Scale, p99_ms: u64) -> StepBudget {
    scale.pick(
        StepBudget {
            p99: Duration::from_millis(250),
            min_served: 0.5,
        },
        StepBudget {
            p99: Duration::from_millis(p99_ms),
            min_served: 0.8,
        },
    )
}

/// The budget each search's steps must meet at `scale`: at the full scale p99 within 10 ms of the scheduled
/// start (20 ms for the audit log on SQLite, the earlier specification's slowest per-op target), and 80% of
/// the offered operations served.
pub fn budget_of(id: &str, scale: Scale) -> Option<StepBudget> {
    match id {
        FIREWALL | LOVE | EVOLUTION | HITL => Some(budget(scale, 10)),
        AUDIT => Some(budget(scale, 20)),
        _ => None,
    }
}

/// The earlier specification's throughput target of each component, ops/s.
pub fn target(id: &str) -> Option<u64> {
    match id {
        FIREWALL => Some(10_000),
        LOVE => Some(5_000),
        EVOLUTION => Some(20_000),
        AUDIT => Some(2_000),
        HITL => Some(10_000),
        _ => None,
    }
}

fn case(
    id: &'static str,
    component: &'static str,
    plan: StepPlan,
    budget: StepBudget,
    runnable: Stepped,
) -> Case {
    let _ = plan;
    Case::from_runnable(
        id.to_owned(),
        component,
        Topic::StressThroughput,
        Box::new(runnable),
    )
    .claim(StepSearch {
        budget,
        target: target(id).unwrap_or(0),
    })
}

/// The five throughput searches at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a step is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let mut cases = Vec::new();

    let (p, b) = (plan(scale, 1_000, 1_000), budget_of(FIREWALL, scale).unwrap_or(budget(scale, 10)));
    let s = Stepped::new(p, b, |shape| {
        Experiment::new(FIREWALL)
            .sizes([0])
            .shape(shape)
            .workload(fallible(firewall_with, |fw: &Firewall, ctx| {
                fw.validate(&request(ctx.i)).map(|_| ()).map_err(kind)
            }))
    })?;
    cases.push(case(FIREWALL, "firewall", p, b, s));

    let (p, b) = (plan(scale, 500, 500), budget_of(LOVE, scale).unwrap_or(budget(scale, 10)));
    let s = Stepped::new(p, b, |shape| {
        Experiment::new(LOVE)
            .sizes([0])
            .shape(shape)
            .workload(fallible(
                |_| Ok(LoveEngine::new()),
                |e: &LoveEngine, ctx| e.check_ethics(&action(ctx.i)).map(|_| ()).map_err(kind),
            ))
    })?;
    cases.push(case(LOVE, "love", p, b, s));

    let (p, b) = (plan(scale, 1_000, 1_000), budget_of(EVOLUTION, scale).unwrap_or(budget(scale, 10)));
    let s = Stepped::new(p, b, |shape| {
        Experiment::new(EVOLUTION)
            .sizes([10_000])
            .shape(shape)
            .workload(fallible(evolution_with, |e: &EvolutionEngine, ctx| {
                e.log_experience(experience(ctx.i)).map(|_| ()).map_err(kind)
            }))
    })?;
    cases.push(case(EVOLUTION, "evolution", p, b, s));

    let (p, b) = (plan(scale, 500, 500), budget_of(AUDIT, scale).unwrap_or(budget(scale, 10)));
    let s = Stepped::new(p, b, |shape| {
        Experiment::new(AUDIT)
            .sizes([1_000])
            .shape(shape)
            .workload(fallible(AuditFixture::with_entries, |f: &AuditFixture, ctx| {
                f.append(ctx.i + 1_000_000_000).map(|_| ()).map_err(kind)
            }))
    })?;
    cases.push(case(AUDIT, "audit", p, b, s));

    let (p, b) = (plan(scale, 100, 100), budget_of(HITL, scale).unwrap_or(budget(scale, 10)));
    let s = Stepped::new(p, b, |shape| {
        Experiment::new(HITL)
            .sizes([1_000])
            .shape(shape)
            .workload(fallible(review_queue, |q: &HitlQueue, ctx| {
                q.request(review_request(ctx.i)).map_err(kind)?;
                q.decide_next("admin", Verdict::Approve, "ok")
                    .map_err(kind)?;
                Ok::<(), OpError>(())
            }))
    })?;
    cases.push(case(HITL, "hitl", p, b, s));
    Ok(cases)
}

/// A review queue of capacity `n` on a manual clock with an admin reviewer, retaining 1 000 decisions.
fn review_queue(n: u64) -> Result<HitlQueue, String> {
    let q = HitlQueue::builder()
        .capacity(usize::try_from(n).map_err(|e| e.to_string())?)
        .retention(1_000)
        .clock(hitl_collab::ManualClock::new())
        .build()
        .map_err(|e| e.to_string())?;
    q.register_reviewer("admin", hitl_collab::Role::Admin);
    Ok(q)
}
