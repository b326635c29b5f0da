#!/usr/bin/env bash
# The managed CPU's training step of this tree against another commit's, interleaved round by round in one run (the
# machine is shared and noisy: each side's minimum and median over the rounds, not one figure each).
#   usage: bash bench/compare_builds.sh REV [ROUNDS=5] [PRESET=original] [BATCH=10000] [THREADS=2]
# REV is built in a temporary git worktree (removed at the end). Prints each round's line of `bench step` for both, then
# per side the minimum and median of the rounds' median step times, and the ratios (this tree / REV).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/compare_builds.sh REV [ROUNDS] [PRESET] [BATCH] [THREADS]}
rounds=${2:-5} preset=${3:-original} batch=${4:-10000} threads=${5:-2}
wt=$(mktemp -d)
trap 'git worktree remove --force "$wt" > /dev/null 2>&1 || rm -rf "$wt"' EXIT
git worktree add --detach "$wt" "$rev" > /dev/null
dotnet build -c Release bench/Untapped.Bench > /dev/null
(cd "$wt" && dotnet build -c Release bench/Untapped.Bench > /dev/null)
run() { (cd "$1" && dotnet bench/Untapped.Bench/bin/Release/net10.0/Untapped.Bench.dll step --backend cpu \
  --threads "$threads" --preset "$preset" --batch "$batch" --steps 5 | grep '^step ' | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'); }
here=() there=()
echo "step, $preset preset, batch $batch, $threads threads, managed CPU: this tree ($(git rev-parse --short HEAD)) vs $rev; $(date -u +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(grep -c avx512f /proc/cpuinfo | sed 's/^0$/no AVX-512/;s/^[1-9].*/AVX-512/')"
for r in $(seq 1 "$rounds"); do
  a=$(run "$wt"); b=$(run .)
  there+=("$a"); here+=("$b")
  echo "round $r: $rev ${a} ms, this tree ${b} ms"
done
python3 - "${there[*]}" "${here[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
print(f"REV: min {min(a):.1f} ms, median {statistics.median(a):.1f} ms; this tree: min {min(b):.1f} ms, median {statistics.median(b):.1f} ms")
print(f"this tree / REV: {min(b)/min(a):.3f} by minima, {statistics.median(b)/statistics.median(a):.3f} by medians")
PY
