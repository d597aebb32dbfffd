#!/usr/bin/env bash
# Renders the engine's SVG plots to PNG (one PNG beside each SVG) so they can be looked at.
#
#   scripts/render-plots.sh            # runs the plot gallery example into target/plots, then renders it
#                                      # (PLOT_PROFILE=dev to reuse a debug build)
#   scripts/render-plots.sh DIR...     # renders every *.svg under each DIR (e.g. a report folder)
#
# Needs rsvg-convert (Debian/Ubuntu: apt-get install -y librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rsvg-convert >/dev/null; then
    echo "rsvg-convert not found: apt-get install -y librsvg2-bin" >&2
    exit 1
fi

dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
    cargo run -q -p scale-props --profile "${PLOT_PROFILE:-release}" --example plot_gallery -- target/plots
    dirs=(target/plots)
fi

count=0
for dir in "${dirs[@]}"; do
    while IFS= read -r -d '' svg; do
        png="${svg%.svg}.png"
        rsvg-convert --background-color=white -o "$png" "$svg"
        echo "$png"
        count=$((count + 1))
    done < <(find "$dir" -name '*.svg' -print0 | sort -z)
done
if [ "$count" -eq 0 ]; then
    echo "no SVG found under ${dirs[*]}" >&2
    exit 1
fi
