#!/usr/bin/env bash
# Where a training step's time goes, by sampling every CPU (perf record -a) during `bench step`'s timed steps alone
# (the bench turns perf on and off through its control fifos, bench/Untapped.Bench/PerfControl.cs), the JIT's code named
# by its perf map. Prints CPU milliseconds a step by category (the GEMM micro-kernels, their packing, their loops and
# stores, the elementwise maths, Philox, the graph, the .NET runtime, the kernel, idle CPUs, other processes), then the
# step's hottest functions. A category's CPU ms over the CPU count is its share of a step's wall time.
# Needs perf (Debian: apt-get install linux-perf) and root or kernel.perf_event_paranoid <= 0 (-a samples every CPU).
# Usage: bash bench/perf_step.sh [--avx2 | --128] [preset] [steps] [threads]   (defaults: original 20 2)
#   PERF_CALLGRAPH=1 records call stacks too (perf record -g; .NET's JIT code keeps frame pointers), PERF_KEEP=1 keeps
#   the temporary folder with perf.data for `perf report -i` or `perf script -i` (its path is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
jit=()
while [[ ${1:-} == -* ]]; do
  case "$1" in
    --avx2) jit=(DOTNET_EnableAVX512=0) ;;
    --128) jit=(DOTNET_PreferredVectorBitWidth=128) ;;
    *) echo "unknown option '$1' (options: --avx2, --128)" >&2; exit 2 ;;
  esac
  shift
done
preset=${1:-original}; steps=${2:-20}; threads=${3:-2}
command -v perf >/dev/null || { echo "perf_step.sh: no perf on PATH (Debian: apt-get install linux-perf)" >&2; exit 2; }
dotnet build -c Release bench/Untapped.Bench -v q -nologo >/dev/null || { echo "perf_step.sh: the bench does not build" >&2; exit 1; }
tmp=$(mktemp -d); trap '[[ -n ${PERF_KEEP:-} ]] || rm -rf "$tmp"' EXIT
mkfifo "$tmp/ctl" "$tmp/ack"
[[ -z ${PERF_KEEP:-} ]] || echo "perf.data in $tmp"
freq=999
perf record -a ${PERF_CALLGRAPH:+-g} -F $freq -D -1 --control "fifo:$tmp/ctl,$tmp/ack" -o "$tmp/perf.data" -- \
  env "${jit[@]}" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 UNTAPPED_PERF_CONTROL="$tmp/ctl,$tmp/ack" \
  dotnet bench/Untapped.Bench/bin/Release/net10.0/Untapped.Bench.dll step --backend cpu --preset "$preset" \
  --steps "$steps" --threads "$threads" >"$tmp/step.out" 2>"$tmp/perf.err" || { cat "$tmp/step.out" "$tmp/perf.err" >&2; exit 1; }
head -1 "$tmp/step.out"
perf script -i "$tmp/perf.data" -F pid,ip,sym,dso 2>/dev/null | python3 -c '
import collections, re, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped to head
freq, steps = int(sys.argv[1]), int(sys.argv[2])
# First match wins, on the symbol (the JIT perf map names "void [Untapped.Kernels] Untapped.Kernels.Cpu.CpuGemm::MicroWide(...)").
cats = [
    ("GEMM micro-kernels (the FMA tiles)", ["CpuGemm::Micro"]),
    ("GEMM packing (op(A) and op(B) panels, bias sums)", ["CpuGemm::Pack", "CpuGemm::CopyRun", "CpuGemm::PadRun", "CpuGemm::ColumnSums", "CpuGemm::BlockSum"]),
    ("GEMM loops, stores and read-ahead", ["CpuGemm"]),
    ("Philox draws", ["Philox"]),
    ("elementwise maths (epilogues, standalone ops, Adam)", ["[Untapped.Kernels]", "[System.Numerics.Tensors]"]),
    ("graph and executor", ["[Untapped.Graph]", "[Untapped.Training]", "[Untapped.Bench]"]),
]
line_re = re.compile(r"\s*(\d+)\s+[0-9a-f]+\s+(.*?)\s*\(([^()]*)\)\s*$")
rows = [m.groups() for m in map(line_re.match, sys.stdin) if m]
pids = collections.Counter(p for p, _, _ in rows if p != "0")
ours = pids.most_common(1)[0][0] if pids else None
count, syms = collections.Counter(), collections.Counter()
for pid, sym, dso in rows:
    if pid == "0":
        count["idle CPUs"] += 1
        continue
    if pid != ours:
        count["other processes"] += 1
        continue
    if "kernel" in dso:
        count["kernel (page faults, scheduling, syscalls)"] += 1
    else:
        for name, keys in cats:
            if any(k in sym for k in keys):
                count[name] += 1
                break
        else:
            count[".NET runtime and libc (the thread pool, the GC)"] += 1
    syms[(sym.split("(")[0] or dso)[-100:]] += 1
total = len(rows)
ms = lambda n: n / freq * 1000 / steps
print("| category | CPU ms a step | share |")
print("|---|---:|---:|")
for name, n in count.most_common():
    print(f"| {name} | {ms(n):.1f} | {100 * n / total:.1f} % |")
print(f"| all ({total} samples at {freq} Hz over {steps} steps) | {ms(total):.1f} | 100 % |")
print()
print("| hottest functions of the step | CPU ms a step |")
print("|---|---:|")
for s, n in syms.most_common(15):
    print(f"| {s} | {ms(n):.1f} |")
' $freq "$steps"
