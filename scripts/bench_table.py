#!/usr/bin/env python3
"""Turn criterion's output (target/criterion) into BENCHMARKS.md.

Usage (after `cargo bench --workspace --bench '*'`):

    python3 scripts/bench_table.py [--criterion-dir target/criterion] [--out BENCHMARKS.md]

The first table has the 19 benchmarks of the earlier specification (shared/reference/seed-specs.md) with the
earlier target and acceptable figures (they were P95 targets; criterion reports a median, which is what we
compare, and the ratio is our median divided by the earlier target). The second table lists every other
benchmark criterion recorded: this project's own claims (pattern-count sweeps, history sweeps, thread scaling,
harness overhead). Before it, a table of benchmarks at the machine's limit (issue #14): each pairs a benchmark
with its limit measured in the same bench run and shows the ratio; the pairs and goals are data, read from
scripts/bench_limits.json (--limits), not written here.
"""

import argparse
import datetime
import json
import os
import platform
import re
import sys

# (component, benchmark, id regex matched against criterion's full_id, target ns, acceptable ns)
US = 1_000.0
MS = 1_000_000.0
SPEC = [
    ("firewall", "validate, safe request", r"(^|/)validate_safe_request$", 100 * US, 500 * US),
    ("firewall", "validate, unsafe request (blocked)", r"(^|/)validate_unsafe_request$", 200 * US, 1 * MS),
    ("firewall", "pattern matching, 100 patterns", r"(^|/)pattern_matching_100_patterns$", 500 * US, 2 * MS),
    ("love engine", "check_ethics", r"(^|/)check_ethics$", 200 * US, 1 * MS),
    ("love engine", "detect_hallucination", r"(^|/)detect_hallucination$", 100 * US, 500 * US),
    ("love engine", "compute_love_metric", r"(^|/)compute_love_metric$", 150 * US, 750 * US),
    ("love engine", "evaluate_alignment", r"(^|/)evaluate_alignment$", 300 * US, 1.5 * MS),
    ("evolution", "log_experience", r"(^|/)log_experience$", 50 * US, 200 * US),
    ("evolution", "recognize_patterns (1K experiences)", r"(^|/)recognize_patterns", 10 * MS, 50 * MS),
    ("evolution", "suggest_improvements (500 experiences)", r"(^|/)suggest_improvements", 5 * MS, 20 * MS),
    ("evolution", "get_capability_metrics", r"(^|/)get_capability_metrics$", 1 * MS, 5 * MS),
    ("audit", "log_action (signed, persisted)", r"(^|/)log_action$", 500 * US, 2 * MS),
    ("audit", "verify_chain (1K entries)", r"(^|/)verify_chain", 50 * MS, 200 * MS),
    ("audit", "query_history (10K entries)", r"(^|/)query_history", 10 * MS, 50 * MS),
    ("audit", "merkle root", r"(^|/)merkle_root", 20 * MS, 100 * MS),
    ("HITL", "request_decision", r"(^|/)request_decision$", 100 * US, 500 * US),
    ("HITL", "get_pending_decisions", r"(^|/)get_pending_decisions", 200 * US, 1 * MS),
    ("HITL", "approve_decision", r"(^|/)approve_decision$", 150 * US, 750 * US),
    ("HITL", "concurrent decisions", r"(^|/)concurrent_decisions", 10 * MS, 50 * MS),
]


def load_results(criterion_dir):
    """Returns {full_id: median_ns} for every benchmark with a `new` estimate."""
    results = {}
    for root, _dirs, files in os.walk(criterion_dir):
        if os.path.basename(root) != "new" or "benchmark.json" not in files:
            continue
        with open(os.path.join(root, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(root, "estimates.json")) as f:
            estimates = json.load(f)
        results[bench["full_id"]] = estimates["median"]["point_estimate"]
    return results


def load_limits(path):
    """Returns the rows of the limits file (see scripts/bench_limits.json's "about")."""
    with open(path) as f:
        data = json.load(f)
    rows = data.get("rows", [])
    for i, row in enumerate(rows):
        for field in ("what", "ours", "limit"):
            if field not in row:
                raise ValueError(f"{path}: row {i + 1} lacks {field!r}")
        for side in ("ours", "limit"):
            if "id" not in row[side] or float(row[side].get("per", 1)) <= 0:
                raise ValueError(f"{path}: row {i + 1}: {side} needs an id and a positive per")
    return rows


def limit_ratio(row, results):
    """(ours ns per unit, limit ns per unit, ratio limit/ours) of one limits row; None where missing."""
    ours = results.get(row["ours"]["id"])
    limit = results.get(row["limit"]["id"])
    ours = ours / float(row["ours"].get("per", 1)) if ours is not None else None
    limit = limit / float(row["limit"].get("per", 1)) if limit is not None else None
    ratio = limit / ours if ours and limit is not None else None
    return ours, limit, ratio


def goal_status(goal, ours, ratio):
    """(goal text, status) of one limits row."""
    if not goal:
        return "-", "-"
    if "ratio_at_least" in goal:
        want = float(goal["ratio_at_least"])
        text = f">= {want:.2f}x"
        if ratio is None:
            return text, "MISSING"
        return text, "meets goal" if ratio >= want else "below goal"
    if "ns_per_unit_at_most" in goal:
        want = float(goal["ns_per_unit_at_most"])
        text = f"<= {fmt_ns(want)} per unit"
        if ours is None:
            return text, "MISSING"
        return text, "meets goal" if ours <= want else "below goal"
    raise ValueError(f"unknown goal {goal}")


def render_limits(limits, results):
    """The table of benchmarks against their limits, and {our id: ratio} for the main list."""
    lines = [
        "## At the machine's limit",
        "",
        "Each benchmark beside its limit, measured in the same bench run (pairs and goals: "
        "`scripts/bench_limits.json`). Ratio = our throughput / the limit's (limit time per unit / ours); "
        "1.00x is at the limit.",
        "",
        "| what | criterion id | ours per unit | limit | limit id | limit per unit | ratio | goal | status |",
        "|---|---|---:|---|---|---:|---:|---|---|",
    ]
    ratios = {}
    for row in limits:
        ours, limit, ratio = limit_ratio(row, results)
        text, status = goal_status(row.get("goal"), ours, ratio)
        if ratio is not None:
            ratios.setdefault(row["ours"]["id"], ratio)
        lines.append(
            f"| {row['what']} | `{row['ours']['id']}` | {fmt_ns(ours) if ours is not None else '(missing)'} "
            f"| {row['limit'].get('name', '')} | `{row['limit']['id']}` "
            f"| {fmt_ns(limit) if limit is not None else '(missing)'} "
            f"| {f'{ratio:.2f}x' if ratio is not None else '-'} | {text} | {status} |"
        )
    lines.append("")
    return lines, ratios


def fmt_ns(ns):
    if ns >= MS:
        return f"{ns / MS:.2f} ms"
    if ns >= US:
        return f"{ns / US:.2f} us"
    return f"{ns:.0f} ns"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(results, limits=()):
    used = set()
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python3 scripts/bench_table.py` from `cargo bench --workspace --bench '*' -- --quick` on "
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores, {cpu_model()}.",
        "",
        "## The 19 benchmarks of the earlier specification",
        "",
        "Earlier targets were P95 figures; ours is criterion's median. Ratio = our median / earlier target "
        "(below 1 beats the target).",
        "",
        "| component | benchmark | criterion id | our median | earlier target | acceptable | ratio | status |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for component, name, pattern, target, acceptable in SPEC:
        regex = re.compile(pattern)
        matches = sorted(k for k in results if regex.search(k))
        if not matches:
            lines.append(f"| {component} | {name} | (missing) | - | {fmt_ns(target)} | {fmt_ns(acceptable)} | - | MISSING |")
            continue
        key = matches[0]
        used.add(key)
        ours = results[key]
        status = "meets target" if ours <= target else ("acceptable" if ours <= acceptable else "FAILS")
        lines.append(
            f"| {component} | {name} | `{key}` | {fmt_ns(ours)} | {fmt_ns(target)} | {fmt_ns(acceptable)} "
            f"| {ours / target:.4f} | {status} |"
        )
    limit_lines, ratios = render_limits(limits, results)
    lines += [""] + limit_lines
    lines += [
        "## This project's own benchmarks",
        "",
        "Ratio: against the limit paired with it in the table above, where it has one.",
        "",
        "| criterion id | median | ratio to limit |",
        "|---|---:|---:|",
    ]
    for key in sorted(k for k in results if k not in used):
        ratio = f"{ratios[key]:.2f}x" if key in ratios else ""
        lines.append(f"| `{key}` | {fmt_ns(results[key])} | {ratio} |")
    lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criterion-dir", default="target/criterion")
    parser.add_argument("--out", default="-", help="output file, '-' for stdout")
    parser.add_argument(
        "--limits",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_limits.json"),
        help="benchmark/limit pairs and goals (JSON, default: bench_limits.json beside this script)",
    )
    args = parser.parse_args()
    limits = load_limits(args.limits)
    results = load_results(args.criterion_dir)
    if not results:
        print(f"no criterion results under {args.criterion_dir}: run `cargo bench --workspace --bench '*'` first",
              file=sys.stderr)
        return 1
    text = render(results, limits)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
