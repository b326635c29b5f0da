#!/usr/bin/env bash
# The GPU check: proves and measures the CUDA path from the self-contained bundle that bench/gpu/pack.sh makes (no .NET
# or network needed here). Five stages, each with its own time limit, each writing its files into OUT as soon as it
# ends and rebuilding OUT/report.md + OUT/report.json, so that a run cut off at any point still leaves the rest:
#   1 devices   `untapped devices` and the driver/GPU (nvidia-smi)
#   2 parity    every catalogue kernel against its managed CPU twin, on the tests' shapes and the model's (batch 10,000)
#   3 training  five steps of each model against the managed CPU; then the paper preset trained and evaluated
#   4 speed     kernel GB/s against a device copy, GEMM GFLOP/s (against the GPU's fp32 peak), the training step
#   5 peer      the eager PyTorch step on the same device and shapes, beside ours: the step-time ratio
# Usage: check.sh OUT [--backend cuda|cpu|ilgpu-cpu] [--epochs N]   (options and OUT in any order)
#   cuda (default): the real check, about 5-8 minutes on an H100/H200. cpu: the same stages on the managed CPU at small
#   sizes (2 training epochs at batch 1,000), what CI runs; ilgpu-cpu: ILGPU's CPU accelerator at tiny sizes.
# Exit: 0 every stage that ran passed; 1 a stage failed (report.md says which and why); 2 bad usage.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: $0 OUT [--backend cuda|cpu|ilgpu-cpu] [--epochs N]  (in any order)" >&2; exit 2; }
out=""; backend=cuda; epochs=""; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backend|--epochs|--stage) [ $# -ge 2 ] || { echo "check.sh: $1 needs a value" >&2; usage; } ;;
  esac
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --stage) only=$2; shift 2 ;;   # internal: run one stage in this process (how `run` gives each its own time limit)
    -*) echo "check.sh: unknown option '$1'" >&2; usage ;;
    *) [ -z "$out" ] || { echo "check.sh: two output folders given ('$out', '$1')" >&2; usage; }; out=$1; shift ;;
  esac
done
[ -n "$out" ] || usage
case "$backend" in cuda|cpu|ilgpu-cpu) ;; *) echo "check.sh: unknown backend '$backend'" >&2; usage ;; esac
mkdir -p "$out" || { echo "check.sh: cannot create $out" >&2; exit 2; }
out=$(cd "$out" && pwd)
U="$here/bin/untapped"; B="$here/bin/Untapped.Bench"
export UNTAPPED_CACHE="$out/cache" DOTNET_CLI_TELEMETRY_OPTOUT=1
threads=$(nproc 2>/dev/null || echo 2)

# Sizes per backend: the GPU runs the model's real sizes; the CPU modes keep CI short.
case "$backend" in
  cuda)      shapes=both; step_batch=32; train=(--epochs "${epochs:-150}"); bench_batch=10000; lim=(60 300 420 300 240) ;;
  cpu)       shapes=both; step_batch=32; train=(--epochs "${epochs:-2}" --batch 1000); bench_batch=2000; lim=(60 480 400 300 240) ;;
  ilgpu-cpu) shapes=test; step_batch=2;  train=(--epochs "${epochs:-1}" --batch 16 --unlabelled 64); bench_batch=16; lim=(60 900 900 600 120) ;;
esac

names=(devices parity training speed peer)
declare -A status note secs
for s in "${names[@]}"; do status[$s]="not run"; note[$s]=""; secs[$s]=0; done

# report.md: the stage table, then each stage's own markdown in order; report.json: the same table and the key figures.
report() {
  {
    echo "# GPU check: $backend"
    echo
    echo "bundle $(cat "$here/VERSION" 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -m), $threads CPU threads"
    echo
    echo "| stage | status | seconds | note |"
    echo "|---|---|---:|---|"
    for s in "${names[@]}"; do echo "| $s | ${status[$s]} | ${secs[$s]} | ${note[$s]} |"; done
    for s in "${names[@]}"; do if [ -f "$out/$s.md" ]; then echo; cat "$out/$s.md"; fi; done
  } > "$out/report.md.tmp" && mv "$out/report.md.tmp" "$out/report.md"
  {
    echo "{"
    echo "  \"backend\": \"$backend\", \"bundle\": \"$(cat "$here/VERSION" 2>/dev/null || echo unknown)\","
    echo "  \"stages\": ["
    local i=0
    for s in "${names[@]}"; do
      i=$((i + 1)); sep=","; [ $i -eq ${#names[@]} ] && sep=""
      printf '    {"name": "%s", "status": "%s", "seconds": %s, "note": "%s"}%s\n' "$s" "${status[$s]}" "${secs[$s]}" "${note[$s]//\"/\'}" "$sep"
    done
    echo "  ],"
    printf '  "figures": {%s}\n' "$(cat "$out"/*.fig 2>/dev/null | paste -sd, -)"
    echo "}"
  } > "$out/report.json.tmp" && mv "$out/report.json.tmp" "$out/report.json"
}
fig() { echo "\"$1\": $2" >> "$out/$3.fig"; }

# run STAGE LIMIT: runs stage_STAGE as this script in its own process under its time limit; its exit status decides.
run() {
  local s=$1 limit=$2
  local t0=$SECONDS rc=0
  echo "== stage $s (limit ${limit}s)"
  rm -f "$out/$s.fig" "$out/$s.skip"
  timeout --kill-after=10 "$limit" bash "$0" "$out" --backend "$backend" ${epochs:+--epochs "$epochs"} --stage "$s" > "$out/$s.log" 2>&1 || rc=$?
  secs[$s]=$((SECONDS - t0))
  if [ -f "$out/$s.skip" ]; then status[$s]="skipped"; note[$s]=$(cat "$out/$s.skip")
  elif [ $rc -eq 0 ]; then status[$s]="pass"
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status[$s]="FAIL"; note[$s]="over its ${limit}s limit"
  else status[$s]="FAIL"; note[$s]="exit $rc: $(grep -v '^\s*$' "$out/$s.log" | tail -1 | cut -c1-200 | tr '|' '/')"; fi
  echo "   ${status[$s]} in ${secs[$s]}s ${note[$s]}"
  report
}

stage_devices() {
  { echo "## 1. Devices"; echo; echo '```'; "$U" devices; echo '```'; } > "$out/devices.md" || return 1
  if command -v nvidia-smi > /dev/null; then
    { echo; echo '```'; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; echo '```'; } >> "$out/devices.md"
  fi
  if [ "$backend" = cuda ] && ! grep -q "CUDA" "$out/devices.md"; then echo "ILGPU lists no CUDA device"; return 1; fi
}

stage_parity() {
  local rc=0 sc=$backend
  # First the self-check that guards training (`untapped devices --check`: every kernel at the tests' shapes with
  # assertions on and a synchronize after each, then one training step). Without a GPU the device kernels still run:
  # ILGPU compiles them from this bundle for its CPU accelerator, with CUDA's launch geometry.
  [ "$backend" = cpu ] && sc=ilgpu-cpu
  { echo "## 2. Kernel parity ($backend against the one-thread managed CPU)"; echo; echo "Self-check (\`untapped devices --check --backend $sc\`):"; echo; echo '```'; } > "$out/parity.md"
  "$U" devices --check --backend "$sc" > "$out/selfcheck.log" 2>&1 || rc=1
  grep -v '^\[self-check\]' "$out/selfcheck.log" >> "$out/parity.md"
  { echo '```'; echo; } >> "$out/parity.md"
  "$B" parity --backend "$backend" --threads "$threads" --shapes "$shapes" --json "$out/parity.json" >> "$out/parity.md" || rc=1
  return $rc
}

stage_training() {
  local rc=0
  { echo "## 3. Training"; echo; echo "Five steps of each model against the managed CPU:"; echo; } > "$out/training.md"
  "$B" steps --backend "$backend" --threads "$threads" --batch "$step_batch" --json "$out/steps.json" >> "$out/training.md" || rc=1
  local t0=$SECONDS
  "$U" train --backend "$backend" --threads "$threads" --data "$here/data/mnist" --out "$out/run" "${train[@]}" > "$out/train.log" 2>&1 || { echo "train failed: $(tail -1 "$out/train.log")"; return 1; }
  local wall=$((SECONDS - t0)) ev="$out/run/eval.json"
  local ce acc digits
  ce=$(grep -o '"ce_heldout": *[-0-9.eE+]*' "$ev" | awk -F': *' '{print $2}')
  acc=$(grep -o '"acc_heldout": *[-0-9.eE+]*' "$ev" | awk -F': *' '{print $2}')
  digits=$(grep -o '"distinct_digits": *[0-9]*' "$ev" | awk -F': *' '{print $2}')
  { echo; echo "Untapped, paper preset, \`train ${train[*]}\` on $backend: held-out cross-entropy **$ce**, accuracy $acc, distinct digits $digits, wall time ${wall}s (build-free: the whole command, evaluation included)."
    echo; echo "Last epoch: \`$(grep -o 'epoch [0-9]*/[0-9]*.*' "$out/train.log" | tail -1)\`"; } >> "$out/training.md"
  fig train_ce_heldout "$ce" training; fig train_distinct_digits "$digits" training; fig train_wall_s "$wall" training
  return $rc
}

stage_speed() {
  { echo "## 4. Speed ($backend)"; echo; echo "Kernels at the model's sizes, validated first:"; echo; } > "$out/speed.md"
  "$B" kernels --backend "$backend" --threads "$threads" >> "$out/speed.md" || return 1
  { echo; echo "GEMM on the model's shapes:"; echo; } >> "$out/speed.md"
  "$B" gemm --backend "$backend" --threads "$threads" > "$out/gemm.txt" || return 1
  local peak=""
  if [ "$backend" = cuda ]; then
    # Nominal fp32 peak (GFLOP/s) by GPU name: FMA units x 2 x boost clock, from NVIDIA's data sheets; PEAK_GFLOPS overrides.
    local gpu; gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
    case "$gpu" in *H200*|*H100*SXM*|*H100\ 80GB\ HBM3*) peak=66900 ;; *H100*) peak=51200 ;; *A100*) peak=19500 ;; *L40S*) peak=91600 ;; *A10*) peak=31200 ;; esac
    peak=${PEAK_GFLOPS:-$peak}
  fi
  if [ -n "$peak" ]; then
    awk -F'|' -v p="$peak" 'NR<=2 { if (NR==1) print $0 " of fp32 peak (" p " GFLOP/s) |"; else print $0 "---:|"; next } { printf "%s %.1f %% |\n", $0, 100 * $4 / p }' "$out/gemm.txt" >> "$out/speed.md"
  else cat "$out/gemm.txt" >> "$out/speed.md"; fi
  for preset in paper original; do
    { echo; echo "Training step, $preset preset, batch $bench_batch per stream:"; echo; } >> "$out/speed.md"
    "$B" step --backend "$backend" --threads "$threads" --preset "$preset" --batch "$bench_batch" --steps 5 > "$out/step_$preset.txt" || return 1
    cat "$out/step_$preset.txt" >> "$out/speed.md"
    fig "step_ms_$preset" "$(head -1 "$out/step_$preset.txt" | grep -o 'median [0-9.]*' | awk '{print $2}')" speed
  done
}

stage_peer() {
  local py=""
  for p in python3 /usr/bin/python3; do command -v "$p" > /dev/null && "$p" -c 'import torch' 2>/dev/null && { py=$p; break; }; done
  [ -n "$py" ] || { echo "PyTorch not importable by python3 here" > "$out/peer.skip"; return 0; }
  local device=cpu
  if [ "$backend" = cuda ]; then
    "$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' || { echo "PyTorch sees no CUDA device" > "$out/peer.skip"; return 0; }
    device=cuda
  elif [ "$backend" = ilgpu-cpu ]; then echo "no peer for ILGPU's CPU accelerator (a test backend)" > "$out/peer.skip"; return 0; fi
  { echo "## 5. PyTorch peer (eager, same step, same batch, $device)"; echo; echo "| preset | ours ms/step | torch ms/step | ours / torch throughput |"; echo "|---|---:|---:|---:|"; } > "$out/peer.md"
  for preset in paper original; do
    local line ours theirs
    line=$(OMP_NUM_THREADS=$threads "$py" "$here/bench/peers/torch_step.py" --device "$device" --threads "$threads" --batch "$bench_batch" --preset "$preset" --steps 5) || return 1
    echo "$line" > "$out/peer_$preset.txt"
    ours=$(head -1 "$out/step_$preset.txt" 2>/dev/null | grep -o 'median [0-9.]*' | awk '{print $2}')
    theirs=$(echo "$line" | grep -o 'median [0-9.]*' | awk '{print $2}')
    [ -n "$ours" ] || ours=$("$B" step --backend "$backend" --threads "$threads" --preset "$preset" --batch "$bench_batch" --steps 5 | head -1 | grep -o 'median [0-9.]*' | awk '{print $2}')
    awk -v p="$preset" -v o="$ours" -v t="$theirs" 'BEGIN { printf "| %s | %.1f | %.1f | %.2fx |\n", p, o, t, t / o }' >> "$out/peer.md"
    fig "torch_step_ms_$preset" "$theirs" peer
    fig "step_ratio_$preset" "$(awk -v o="$ours" -v t="$theirs" 'BEGIN { printf "%.3f", t / o }')" peer
  done
  { echo; echo '```'; cat "$out"/peer_*.txt; echo '```'; } >> "$out/peer.md"
}

if [ -n "$only" ]; then "stage_$only"; exit $?; fi

t_all=$SECONDS
run devices  "${lim[0]}"
if [ "$backend" = cuda ] && [ "${status[devices]}" != pass ]; then
  for s in parity training speed peer; do status[$s]="skipped"; note[$s]="no CUDA device: ${note[devices]}"; done
  report
else
  run parity   "${lim[1]}"
  run training "${lim[2]}"
  run speed    "${lim[3]}"
  run peer     "${lim[4]}"
fi
echo
echo "GPU check ($backend) in $((SECONDS - t_all))s: $out/report.md"
for s in "${names[@]}"; do printf '  %-9s %-8s %4ss  %s\n' "$s" "${status[$s]}" "${secs[$s]}" "${note[$s]}"; done
grep -h "outputs with the CPU.s bits" "$out/parity.md" 2>/dev/null | sed 's/^/  /'
grep -h "held-out cross-entropy" "$out/training.md" 2>/dev/null | sed 's/^/  /' | cut -c1-160
grep -h "^| \(paper\|original\) |" "$out/peer.md" 2>/dev/null | sed 's/^/  peer /'
for s in "${names[@]}"; do [ "${status[$s]}" = FAIL ] && exit 1; done
exit 0
