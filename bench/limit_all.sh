#!/usr/bin/env bash
# Every figure of bench/results/limit.md in one run: `bench limit` on both presets and every vector path, the step's
# per-op profile on both presets (where the time outside the GEMMs goes), then the two peers (bench/step_vs_torch.sh:
# eager PyTorch and libtorch) on both presets and both wide paths. Pause other work first (two cores are
# easily saturated): the schedule trials take SIGTERM and resume.
# Usage: bash bench/limit_all.sh [reps]   (about 20 minutes on a 2-core EPYC)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
B="dotnet bench/Untapped.Bench/bin/Release/net10.0/Untapped.Bench.dll"
dotnet build -c Release bench/Untapped.Bench -v q -nologo > /dev/null
echo "== $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2); avx512f $(grep -c avx512f /proc/cpuinfo)"
# Without AVX-512 the runs labelled avx512 would take the AVX2 paths a second time: they are left out, saying so.
wide=1
grep -qw avx512f /proc/cpuinfo || { wide=0; echo "== no avx512f on this CPU: the AVX-512 runs are left out"; }
for p in original paper; do
  [ "$wide" = 0 ] || { echo "== limit $p avx512"; $B limit --preset "$p" --backend cpu --threads 2 --reps "$reps"; }
  echo "== limit $p avx2"; DOTNET_EnableAVX512=0 $B limit --preset "$p" --backend cpu --threads 2 --reps "$reps"
done
echo "== limit original 128"; DOTNET_PreferredVectorBitWidth=128 $B limit --preset original --backend cpu --threads 2 --reps 3
for p in original paper; do
  echo "== profile $p $([ "$wide" = 1 ] && echo avx512 || echo avx2)"; $B step --preset "$p" --backend cpu --threads 2 --batch 10000 --steps 3
done
for p in original paper; do
  [ "$wide" = 0 ] || { echo "== torch $p avx512"; bash bench/step_vs_torch.sh 10000 2 "$p" 5; }
  echo "== torch $p avx2"; bash bench/step_vs_torch.sh --avx2 10000 2 "$p" 5
done
echo "== done $(date -u +%FT%TZ)"
