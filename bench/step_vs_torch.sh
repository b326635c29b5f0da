#!/usr/bin/env bash
# Runs the C# training step (Cpu accelerator) and the eager PyTorch peer side by side, same batch, same threads,
# and prints both and the throughput ratio. Usage: bash bench/step_vs_torch.sh [batch] [threads] [preset]
set -euo pipefail
cd "$(dirname "$0")/.."
batch=${1:-10000}; threads=${2:-2}; preset=${3:-original}
dotnet build -c Release bench/Untapped.Bench -v q -nologo >/dev/null
ours=$(dotnet bench/Untapped.Bench/bin/Release/net10.0/Untapped.Bench.dll step --backend cpu --threads "$threads" --batch "$batch" --preset "$preset" --steps 5 | head -1)
peer=$(OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/peers/torch_step.py --batch "$batch" --threads "$threads" --preset "$preset" --steps 5)
echo "$ours"
echo "$peer"
o=$(echo "$ours" | grep -o 'median [0-9.]*' | awk '{print $2}')
p=$(echo "$peer" | grep -o 'median [0-9.]*' | awk '{print $2}')
awk -v o="$o" -v p="$p" 'BEGIN { printf "throughput ratio (ours / torch): %.2fx\n", p / o }'
