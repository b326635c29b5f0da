#!/usr/bin/env bash
# Runs the reproduction study of docs/results.md on this machine as `untapped experiment` sweeps into runs/study
# (or $1), one seed at a time in the order that completes comparisons soonest: the paper preset (M2 and Untapped),
# the two ablations of Untapped on it (interleaved by seed), then the original preset, then the ablations' seeds 6-10
# (beyond the issue's 5: five pairs cannot reach p < 0.05, ten can), then Untapped with --reverse-logp-grad none
# (the test of the mechanism in docs/results.md, "Why the paper preset reverses the claim"). Resumable and safe to kill:
# a complete trial is skipped, an interrupted one resumes from its checkpoint (`--checkpoint-every 2m`). Trials
# already collected under docs/results/study count as complete. After each seed it collects finished trials there
# (collect_study.sh), ready to commit. UNTAPPED overrides the command (e.g. "dotnet /tmp/bin/untapped.dll").
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/study}
U=${UNTAPPED:-"dotnet run -c Release --project src/Cli --"}
common=(--epochs 150 --backend cpu --threads 2 --checkpoint-every 2m --out "$out")
mkdir -p "$out"
for d in docs/results/study/*/; do            # a collected trial holds config.json + eval.json: complete
  n=$(basename "$d"); [ -e "$out/$n" ] || cp -r "$d" "$out/$n"
done
# A failed trial (exit 1: a diverged run) is reported and the study goes on, the exit status saying so at the end; a
# stop (exit 3: SIGTERM or Ctrl-C, the checkpoint committed) or a signal ends the study, to resume when run again.
failed=0
step() {
  local rc=0
  $U experiment "$@" "${common[@]}" || rc=$?
  UNTAPPED="$U" bash docs/results/collect_study.sh "$out"
  if [ "$rc" -eq 3 ] || [ "$rc" -ge 128 ]; then echo "run_study: stopped (exit $rc); run it again to resume" >&2; exit "$rc"; fi
  if [ "$rc" -ne 0 ]; then echo "run_study: experiment $* failed (exit $rc)" >&2; failed=1; fi
}
for s in $(seq 1 10); do step --seeds "$s"; done
for s in $(seq 1 5); do
  step --models untapped --vary x-tilde-grad=none --seeds "$s"
  step --models untapped --vary reverse-qz=false --seeds "$s"
done
for s in $(seq 1 10); do step --presets original --seeds "$s"; done
for s in $(seq 6 10); do
  step --models untapped --vary x-tilde-grad=none --seeds "$s"
  step --models untapped --vary reverse-qz=false --seeds "$s"
done
for s in $(seq 1 10); do step --models untapped --vary reverse-logp-grad=none --seeds "$s"; done
exit $failed
