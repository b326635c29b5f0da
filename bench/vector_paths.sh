#!/usr/bin/env bash
# The training step on each managed CPU vector path in one run, interleaved round by round so a noisy neighbour hits
# all alike: this CPU's widest path, AVX2 (DOTNET_EnableAVX512=0), 128-bit with FMA (DOTNET_PreferredVectorBitWidth=128,
# what Arm64 NEON runs) and, with ALL=1, 128-bit without FMA (DOTNET_EnableAVX2=0: exact FMA emulated in doubles).
# OTHER=path/to/Untapped.Bench.dll adds another build's step (a before/after pair) on the default path.
# Usage: bash bench/vector_paths.sh [batch] [preset] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
batch=${1:-10000}; preset=${2:-paper}; rounds=${3:-3}
log=$(mktemp); dotnet build -c Release bench/Untapped.Bench -v q -nologo > "$log" 2>&1 || { cat "$log" >&2; echo "vector_paths: the bench does not build" >&2; exit 1; }
B=bench/Untapped.Bench/bin/Release/net10.0/Untapped.Bench.dll
paths=("default:" "avx2:DOTNET_EnableAVX512=0" "128-bit:DOTNET_PreferredVectorBitWidth=128")
[ "${ALL:-0}" = 1 ] && paths+=("128-bit-no-fma:DOTNET_EnableAVX2=0")
[ -n "${OTHER:-}" ] && paths+=("other-build:")
declare -A all
for r in $(seq 1 "$rounds"); do
  for p in "${paths[@]}"; do
    name=${p%%:*}; env=${p#*:}; dll=$B; [ "$name" = other-build ] && dll=$OTHER
    line=$(env $env dotnet "$dll" step --backend cpu --threads 2 --batch "$batch" --preset "$preset" --steps 3 | head -1)
    ms=$(echo "$line" | grep -o 'median [0-9.]*' | awk '{print $2}')
    all[$name]="${all[$name]:-} $ms"
    echo "round $r $name: $line"
  done
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
base=$(median "${all[default]}")
echo "| path | median ms/step | relative to default |"; echo "|---|---:|---:|"
for p in "${paths[@]}"; do n=${p%%:*}; m=$(median "${all[$n]}"); awk -v n="$n" -v m="$m" -v b="$base" 'BEGIN { printf "| %s | %.1f | %.2fx |\n", n, m, m / b }'; done
