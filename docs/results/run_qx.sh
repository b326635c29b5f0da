#!/usr/bin/env bash
# The authors' "future work" (issue 44, docs/results.md "A better q(x)"): Untapped with the paper preset, 150 epochs,
# `--reverse-qx marginal`, seeds 1-10, as `untapped experiment` trials into runs/qx (or $1), each collected into
# docs/results/qx as it finishes (ready to commit), beside copies of the committed study's plain Untapped and M2 trials
# of the paper preset (docs/results/study: trained by an earlier build with the same bits for the default objective,
# the invariant 6e47bd740b513175), so that the report pairs them by seed. Resumable and safe to stop (SIGTERM commits a
# checkpoint); it trains with a published copy of the CLI (runs/qx-bin, or UNTAPPED) so rebuilding the tree never
# touches a running trial; `nice` keeps the machine responsive.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/qx}
dst=docs/results/qx
bin=${UNTAPPED_BIN:-runs/qx-bin}
if [ -z "${UNTAPPED:-}" ]; then
  [ -f "$bin/untapped.dll" ] || dotnet publish src/Cli -c Release -o "$bin" > /dev/null
  UNTAPPED="dotnet $bin/untapped.dll"
fi
U=$UNTAPPED
mkdir -p "$out" "$dst"
for s in $(seq 1 10); do                    # the pairs: the study's plain Untapped and M2, paper preset
  for m in m2 untapped; do
    n=$m-paper-seed$s
    [ -e "$dst/$n" ] || cp -r "docs/results/study/$n" "$dst/$n"
  done
done
for d in "$dst"/*/; do n=$(basename "$d"); [ -e "$out/$n" ] || cp -r "$d" "$out/$n"; done
for s in $(seq 1 10); do
  rc=0
  nice -n 10 $U experiment --models untapped --presets paper --vary reverse-qx=marginal --seeds "$s" \
    --epochs 150 --backend cpu --threads 2 --checkpoint-every 2m --out "$out" || rc=$?
  UNTAPPED="$U" bash docs/results/collect_study.sh "$out" "$dst"
  if [ "$rc" -eq 3 ] || [ "$rc" -ge 128 ]; then echo "run_qx: stopped (exit $rc); run it again to resume" >&2; exit "$rc"; fi
  if [ "$rc" -ne 0 ]; then echo "run_qx: seed $s failed (exit $rc)" >&2; fi
done
