#!/usr/bin/env bash
# Copies the small files of every finished trial of a sweep (default runs/study) into docs/results/study/<trial>/
# (config, eval, metrics, digit grid, curves; checkpoints stay out of git), then rebuilds the report there.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=${1:-runs/study}
dst=docs/results/study
for d in "$src"/*/; do
  name=$(basename "$d")
  [ -f "$d/eval.json" ] || continue
  mkdir -p "$dst/$name"
  cp "$d"/{config.json,eval.json,metrics.jsonl,digits.png,curves.png} "$dst/$name/"
done
dotnet run -c Release --project src/Cli -- experiment report --out "$dst" > /dev/null
echo "collected $(ls -d "$dst"/*/ | wc -l) trials into $dst"
