#!/usr/bin/env bash
# Runs the authors' schedule of docs/results.md ("At the authors' length"): the original preset for 1000 epochs (the
# learning rate x 0.9995 per epoch after epoch 500), M2 and Untapped, seeds 1-5 then 6-10, the held-out metrics logged
# every 10 epochs, as `untapped experiment` trials into runs/schedule (or $1), one trial at a time, each collected into
# docs/results/schedule as it finishes (ready to commit). Resumable and safe to stop: SIGTERM commits a checkpoint
# (`--checkpoint-every 2m` bounds what a kill loses) and the next run resumes it; a complete trial is skipped.
# It trains with a published copy of the CLI (bin/, or UNTAPPED) so that rebuilding the tree never touches a running
# trial; `nice` keeps the machine responsive.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/schedule}
dst=docs/results/schedule
bin=${UNTAPPED_BIN:-runs/schedule-bin}
if [ -z "${UNTAPPED:-}" ]; then
  [ -f "$bin/untapped.dll" ] || dotnet publish src/Cli -c Release -o "$bin" > /dev/null
  UNTAPPED="dotnet $bin/untapped.dll"
fi
U=$UNTAPPED
common=(--presets original --epochs 1000 --eval-every 10 --backend cpu --threads 2 --checkpoint-every 2m --out "$out")
mkdir -p "$out" "$dst"
for d in "$dst"/*/; do                       # a collected trial holds config.json + eval.json: complete
  [ -d "$d" ] || continue
  n=$(basename "$d"); [ -e "$out/$n" ] || cp -r "$d" "$out/$n"
done
# A trial a session stopped part-way (SIGTERM) and committed whole, checkpoint included, so the next session's clone
# resumes it (docs/results/schedule-partial/<trial>/; removed once the trial is collected).
for d in docs/results/schedule-partial/*/; do
  [ -d "$d" ] || continue
  n=$(basename "$d"); [ -e "$out/$n/checkpoint.safetensors" ] || { mkdir -p "$out/$n"; cp "$d"/* "$out/$n/"; }
done
for s in $(seq 1 10); do
  for m in m2 untapped; do
    rc=0
    nice -n 10 $U experiment --models "$m" --seeds "$s" "${common[@]}" || rc=$?
    UNTAPPED="$U" bash docs/results/collect_study.sh "$out" "$dst"
    for d in "$dst"/*/; do n=$(basename "$d"); rm -rf "docs/results/schedule-partial/$n"; done
    if [ "$rc" -eq 3 ] || [ "$rc" -ge 128 ]; then echo "run_schedule: stopped (exit $rc); run it again to resume" >&2; exit "$rc"; fi
    if [ "$rc" -ne 0 ]; then echo "run_schedule: $m seed $s failed (exit $rc)" >&2; fi
  done
done
