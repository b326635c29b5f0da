#!/usr/bin/env bash
# The reverse ELBO's decomposition (docs/results.md, "Why the paper preset reverses the claim"): seed 1 of the paper
# preset trained again with this version, whose metrics.jsonl logs the reverse ELBO's parts (reverse.log_p_x,
# reverse.log_q_y, reverse.log_q_z) and the decoder's saturation, for plain Untapped, its two x~ variants and M2.
# Runs into runs/decomposition (or $1), resumable and safe to kill like run_study.sh; copies each finished run's small
# files into docs/results/decomposition/ and rebuilds the report there. UNTAPPED overrides the command.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/decomposition}
U=${UNTAPPED:-"dotnet run -c Release --project src/Cli --"}
dst=docs/results/decomposition
common=(--seeds 1 --epochs 150 --backend cpu --threads 2 --checkpoint-every 2m --out "$out")
mkdir -p "$out" "$dst"
collect() {
  for d in "$out"/*/; do
    [ -f "$d/eval.json" ] || continue
    mkdir -p "$dst/$(basename "$d")"
    cp "$d"/{config.json,eval.json,metrics.jsonl,digits.png,curves.png} "$dst/$(basename "$d")/"
  done
  $U experiment report --out "$dst" > /dev/null
}
run() {
  local rc=0
  $U experiment "$@" "${common[@]}" || rc=$?
  collect
  if [ "$rc" -ne 0 ]; then echo "run_decomposition: experiment $* ended with exit $rc" >&2; exit "$rc"; fi
}
case "${PART:-all}" in
  plain) run --models untapped ;;
  *) run --models untapped
     run --models untapped --vary x-tilde-grad=none,relaxed --vary reverse-logp-grad=none
     run --models m2 ;;
esac
