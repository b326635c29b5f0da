#!/usr/bin/env bash
# The C# training step (Cpu accelerator) and two peers, same batch, same threads, interleaved: ours, eager PyTorch
# (bench/peers/torch_step.py, Debian's python3-torch), libtorch from .NET (bench/peers/libtorch: TorchSharp-cpu 0.107 =
# libtorch 2.10 with MKL), ours, ... for R rounds (at least 5) of 5 timed steps each, so that a noisy neighbour on a
# shared machine hits every side alike. Prints every round, then each side's minimum (its fastest step over every
# round) and median (of the rounds' medians), and the throughput ratios by minima, the headline: on a shared machine a
# side's minimum moves far less than its median (torch's medians swing most).
# Usage: bash bench/step_vs_torch.sh [--avx2 | --128] [--no-libtorch] [batch] [threads] [preset] [rounds]
#   --no-libtorch  leaves the libtorch peer out (its first build restores about 600 MB from NuGet; setup.sh there).
#   --avx2  runs ours with AVX-512 off in the JIT (DOTNET_EnableAVX512=0): the AVX2 paths, what most laptops, desktops
#           and cloud VMs run, on any x86 machine, against torch with OpenBLAS held on its AVX2 kernels
#           (OPENBLAS_CORETYPE=Haswell); --128 runs ours on 128-bit vectors with FMA (DOTNET_PreferredVectorBitWidth=128),
#           what Arm64 NEON runs. Otherwise (and for --128) torch's OpenBLAS picks its kernels for this CPU itself:
#           OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which these machines set to hold it on Haswell, are unset for the
#           peer's process only. libtorch's MKL and ATen kernels are held to AVX2 (MKL_ENABLE_INSTRUCTIONS,
#           ATEN_CPU_CAPABILITY) with --avx2, to SSE4.2 with --128. Each peer is first checked against the test
#           oracle (float64), then timed; the eager peer's line names the OpenBLAS kernel family it ran.
#           The eager peer runs with OPENBLAS_THREAD_TIMEOUT=4 (unless set): OpenBLAS's idle threads then sleep at once
#           instead of polling for ~0.1 s after every GEMM while torch's OpenMP threads want the cores (on a 2-core
#           Zen 3, 2026-12-07: its step's minimum 1,467-1,863 ms with OpenBLAS's default, 1,291-1,306 ms with 4).
set -euo pipefail
cd "$(dirname "$0")/.."
jit=(); blas=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE); mkl=(); libtorch=1
while [[ ${1:-} == -* ]]; do
  case "$1" in
    --avx2) jit=(DOTNET_EnableAVX512=0); blas=(OPENBLAS_CORETYPE=Haswell); mkl=(MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2) ;;
    --128) jit=(DOTNET_PreferredVectorBitWidth=128); mkl=(MKL_ENABLE_INSTRUCTIONS=SSE4_2 ATEN_CPU_CAPABILITY=default) ;;
    --no-libtorch) libtorch=0 ;;
    *) echo "unknown option '$1' (options: --avx2, --128, --no-libtorch)" >&2; exit 2 ;;
  esac
  shift
done
batch=${1:-10000}; threads=${2:-2}; preset=${3:-original}; rounds=${4:-5}
(( rounds >= 5 )) || { echo "step_vs_torch: at least 5 rounds, got $rounds (a ratio of two noisy minima needs them)" >&2; exit 2; }
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null \
  || { echo "PyTorch not found for /usr/bin/python3: apt-get install python3-torch" >&2; exit 1; }
log=$(mktemp); dotnet build -c Release bench/Untapped.Bench -v q -nologo > "$log" 2>&1 || { cat "$log" >&2; echo "step_vs_torch: the bench does not build" >&2; exit 1; }
peer() { env "${blas[@]}" OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}" OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/peers/torch_step.py --batch "$batch" --threads "$threads" --preset "$preset" "$@"; }
chk=$(peer --check --steps 1) || { echo "$chk"; echo "step_vs_torch: the torch peer disagrees with the oracle" >&2; exit 1; }
echo "${chk%%$'\n'*}"
if (( libtorch )); then
  lt_dll=$(bash bench/peers/libtorch/setup.sh) || { echo "step_vs_torch: the libtorch peer could not be prepared (above); --no-libtorch leaves it out" >&2; exit 1; }
  case_dir=$(mktemp -d); trap 'rm -rf "$case_dir"' EXIT
  /usr/bin/python3 bench/peers/torch_step.py --preset "$preset" --dump-check "$case_dir/case"
  lt() { env "${mkl[@]}" OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads dotnet "$lt_dll" --batch "$batch" --threads "$threads" --preset "$preset" "$@"; }
  chk=$(lt --check "$case_dir/case" --steps 1) || { echo "$chk"; echo "step_vs_torch: the libtorch peer disagrees with the oracle" >&2; exit 1; }
  echo "${chk%%$'\n'*}"
fi
ours_all=(); peer_all=(); ours_min=(); peer_min=(); lt_all=(); lt_min=()
for r in $(seq 1 "$rounds"); do
  ours=$(env "${jit[@]}" dotnet bench/Untapped.Bench/bin/Release/net10.0/Untapped.Bench.dll step --backend cpu --threads "$threads" --batch "$batch" --preset "$preset" --steps 5 | head -1)
  peer=$(peer --steps 5)
  echo "round $r: $ours"
  echo "round $r: $peer"
  if (( libtorch )); then
    ltl=$(lt --steps 5)
    echo "round $r: $ltl"
    lt_all+=("$(echo "$ltl" | grep -o 'median [0-9.]*' | awk '{print $2}')")
    lt_min+=("$(echo "$ltl" | grep -o '(min [0-9.]*' | awk '{print $2}')")
  fi
  o_r=$(echo "$ours" | grep -o 'median [0-9.]*' | awk '{print $2}')
  p_r=$(echo "$peer" | grep -o 'median [0-9.]*' | awk '{print $2}')
  ours_all+=("$o_r"); peer_all+=("$p_r")
  ours_min+=("$(echo "$ours" | grep -o '(min [0-9.]*' | awk '{print $2}')")
  peer_min+=("$(echo "$peer" | grep -o '(min [0-9.]*' | awk '{print $2}')")
  awk -v o="$o_r" -v p="$p_r" -v r="$r" 'BEGIN { printf "round %d ratio of medians (ours / torch): %.2fx\n", r, p / o }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
least() { printf '%s\n' "$@" | sort -g | head -1; }
o=$(median "${ours_all[@]}"); p=$(median "${peer_all[@]}"); om=$(least "${ours_min[@]}"); pm=$(least "${peer_min[@]}")
awk -v o="$o" -v p="$p" -v om="$om" -v pm="$pm" -v b="$batch" -v r="$rounds" 'BEGIN {
  printf "ours: min %.1f ms, median %.1f ms; torch: min %.1f ms, median %.1f ms (%d rounds; %.0f vs %.0f samples/s by minima)\n", om, o, pm, p, r, 3 * b / (om / 1000), 3 * b / (pm / 1000)
  printf "throughput ratio (ours / torch): %.2fx by minima, %.2fx by medians\n", pm / om, p / o }'
if (( libtorch )); then
  l=$(median "${lt_all[@]}"); lm=$(least "${lt_min[@]}")
  awk -v o="$o" -v l="$l" -v om="$om" -v lm="$lm" -v b="$batch" -v r="$rounds" 'BEGIN {
    printf "libtorch: min %.1f ms, median %.1f ms (%d rounds; %.0f samples/s by minima)\n", lm, l, r, 3 * b / (lm / 1000)
    printf "throughput ratio (ours / libtorch): %.2fx by minima, %.2fx by medians\n", lm / om, l / o }'
fi
