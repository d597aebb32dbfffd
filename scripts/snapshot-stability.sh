#!/usr/bin/env bash
# Runs the Aegis snapshot tests N times and reports every digest that differs from the committed snapshot
# (a digest that flips between runs on the same commit does not belong in the digest).
#
# Usage: scripts/snapshot-stability.sh N [--load]
#   N       number of runs (e.g. 5)
#   --load  the last run happens while a release build of the workspace (in a separate, temporary target
#           dir) loads the machine in the background
#
# The test binaries are built once; every run executes the same binaries against its own copy of the
# committed snapshots/ (SCALE_PROPS_SNAPSHOT_DIR), with INSTA_UPDATE=new and INSTA_FORCE_PASS=1, so a differing
# digest is written as `.snap.new` in that copy instead of failing the run. The script prints the diff of
# each, keeps them under its output folder, and exits 1 if any run produced one (0 otherwise). Nothing in
# the repository is modified, and editing sources while it runs does not change what it measures.
set -euo pipefail

usage() { echo "usage: $0 N [--load]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
runs=$1
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
load=0
[[ ${2:-} == "--load" ]] && load=1
[[ $# -le 2 ]] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$(mktemp -d "${TMPDIR:-/tmp}/snapshot-stability.XXXXXX")
tests=(--test components --test load --test pipeline --test stress)
loader=""
load_dir=""

stop_load() {
  if [[ -n $loader ]]; then
    kill -- "-$loader" 2>/dev/null || kill "$loader" 2>/dev/null || true
    wait "$loader" 2>/dev/null || true
    loader=""
  fi
  if [[ -n $load_dir ]]; then rm -rf "$load_dir"; load_dir=""; fi
}
trap stop_load EXIT

# Build the test binaries once, so every run measures the same binaries.
mapfile -t bins < <(nice -n 10 cargo test -q -p aegis-scale "${tests[@]}" --no-run --message-format=json \
  | jq -r 'select(.reason == "compiler-artifact" and .profile.test == true) | .executable // empty')
[[ ${#bins[@]} -gt 0 ]] || { echo "no test binaries built" >&2; exit 1; }

differing=0
for ((i = 1; i <= runs; i++)); do
  label="run $i/$runs"
  if [[ $load -eq 1 && $i -eq $runs ]]; then
    load_dir=$(mktemp -d "${TMPDIR:-/tmp}/snapshot-stability-load.XXXXXX")
    set -m
    (cargo build -q --release --workspace --all-targets --target-dir "$load_dir" >/dev/null 2>&1 || true) &
    loader=$!
    set +m
    label="$label (under load: release build of the workspace, pid $loader)"
    sleep 5
  fi
  echo "== $label"
  snaps="$out/run-$i/snapshots"
  mkdir -p "$snaps"
  cp snapshots/*.snap "$snaps/"
  for bin in "${bins[@]}"; do
    (cd scale-props/aegis-suites && SCALE_PROPS_SNAPSHOT_DIR="$snaps" INSTA_WORKSPACE_ROOT="$root" \
      INSTA_UPDATE=new INSTA_FORCE_PASS=1 nice -n 10 "$bin" -q >>"$out/run-$i/tests.log" 2>&1) \
      || { echo "   tests failed in $(basename "$bin"); see $out/run-$i/tests.log"; differing=1; }
  done
  shopt -s nullglob
  news=("$snaps"/*.snap.new)
  shopt -u nullglob
  if [[ ${#news[@]} -eq 0 ]]; then
    echo "   every digest equals its snapshot"
  else
    differing=1
    for new in "${news[@]}"; do
      base=${new%.new}
      echo "   DIFFERS: snapshots/$(basename "$base")"
      diff -u <(sed '1,/^---$/d' "$base") <(sed '1,/^---$/d' "$new") \
        | sed -n '3,$p' | sed 's/^/     /' | head -40 || true
    done
  fi
  stop_load
done

echo "== logs and differing digests: $out"
if [[ $differing -eq 0 ]]; then
  echo "== 0 differences in $runs runs"
else
  echo "== differences found (see above)"
fi
exit "$differing"
