//! Criterion benchmarks of the love engine's four operations, plus the consistency check's cost
//! against text size (100 B to 100 KB: linear cost shows as time/size staying flat).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use love_engine::{Action, LoveEngine, SystemState};
use serde_json::json;

fn typical_action() -> Action {
    Action::new("send_email")
        .with_json(json!({
            "to": "alice@example.com",
            "subject": "Your weekly usage report",
            "body": "Here is the summary you asked for."
        }))
        .with_expected_outcome("the user receives the report they requested")
        .with_context("user requested a weekly summary; notification preferences allow email")
}

/// A fact sheet and a generated text that mostly agrees with it, each about `chars` bytes.
fn texts(chars: usize) -> (String, String) {
    const FACTS: [&str; 4] = [
        "Acme Corp runs 12 servers in Berlin since March 3, 2021. ",
        "Uptime was 99.9% and revenue reached 4,500,000 EUR. ",
        "The Globex Industries contract covers 250 licences until 2026-06-30. ",
        "Support tickets fell to 37 per week after the upgrade. ",
    ];
    const CLAIMS: [&str; 4] = [
        "Acme Corp probably runs 12 servers in Berlin. ",
        "Revenue reached 4,500,000 EUR with 99.9% uptime. ",
        "Globex Industries holds 250 licences until 2026-06-30. ",
        "Tickets fell to 41 per week, according to Initech Labs. ",
    ];
    let build = |parts: &[&str; 4]| {
        let mut s = String::with_capacity(chars + 80);
        let mut i = 0;
        while s.len() < chars {
            s.push_str(parts[i % parts.len()]);
            i += 1;
        }
        s.truncate(s.floor_char_boundary(chars));
        s
    };
    (build(&CLAIMS), build(&FACTS))
}

fn bench_check_ethics(c: &mut Criterion) {
    let engine = LoveEngine::new();
    let action = typical_action();
    c.bench_function("check_ethics", |b| {
        b.iter(|| engine.check_ethics(black_box(&action)))
    });
    let spam = Action::new("send_bulk_email")
        .with_parameter("recipients", "all customers")
        .with_context("unsolicited promotion, sent without consent to 1M addresses");
    c.bench_function("check_ethics_spam", |b| {
        b.iter(|| engine.check_ethics(black_box(&spam)))
    });
}

fn bench_detect_hallucination(c: &mut Criterion) {
    let engine = LoveEngine::new();
    let (text, context) = texts(400);
    c.bench_function("detect_hallucination", |b| {
        b.iter(|| engine.detect_hallucination(black_box(&text), black_box(&context)))
    });
    let mut group = c.benchmark_group("detect_hallucination_by_context_size");
    for size in [100usize, 1_000, 10_000, 100_000] {
        let (text, context) = texts(size);
        group.throughput(Throughput::Bytes((text.len() + context.len()) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| engine.detect_hallucination(black_box(&text), black_box(&context)))
        });
    }
    group.finish();
}

fn bench_love_metric(c: &mut Criterion) {
    let engine = LoveEngine::new();
    let before_weights = [0.1; 10];
    let after_weights = [0.5, 0.2, 0.1, 0.05, 0.05, 0.04, 0.03, 0.01, 0.01, 0.01];
    // From raw weights: validation, normalisation and entropy of both states, then the metric.
    c.bench_function("compute_love_metric", |b| {
        b.iter(|| {
            let before = SystemState::new(black_box(&before_weights), 0.4)?;
            let after = SystemState::new(black_box(&after_weights), 0.7)?;
            Ok::<_, love_engine::LoveError>(engine.compute_love_metric(&before, &after))
        })
    });
    let (Ok(before), Ok(after)) = (
        SystemState::new(&before_weights, 0.4),
        SystemState::new(&after_weights, 0.7),
    ) else {
        panic!("benchmark states are valid");
    };
    c.bench_function("compute_love_metric_prebuilt", |b| {
        b.iter(|| engine.compute_love_metric(black_box(&before), black_box(&after)))
    });
}

fn bench_alignment(c: &mut Criterion) {
    let engine = LoveEngine::new();
    let actions = [
        typical_action(),
        Action::new("delete_user_data").with_context("remove inactive accounts"),
        Action::new("read_report").with_parameter("path", "reports/q3.csv"),
        Action::new("send_bulk_email").with_context("unsolicited promotion"),
    ];
    for i in 0..1_000 {
        let _ = engine.check_ethics(&actions[i % actions.len()]);
    }
    c.bench_function("evaluate_alignment", |b| {
        b.iter(|| engine.evaluate_alignment())
    });
}

criterion_group!(
    benches,
    bench_check_ethics,
    bench_detect_hallucination,
    bench_love_metric,
    bench_alignment
);
criterion_main!(benches);
