#!/usr/bin/env bash
# Fuzzes every file reader under afl++ through SharpFuzz: publishes tests/fuzz/Untapped.Fuzz, instruments the readers'
# assembly (Untapped.Training.dll) in the published copy, then runs each target from the committed corpus for SECONDS
# (or until EXECS executions), one after the other, with a 1 s hang limit and a 1 GiB managed-heap limit. Prints one
# row per target (executions, execs/s, corpus paths, crashes, hangs) and writes them to OUT/summary.md; exits 1 on any
# finding, whose inputs are under OUT/TARGET/default/{crashes,hangs}/ (replay one with
# `dotnet OUT/bin/Untapped.Fuzz.dll TARGET --replay FILE`).
# Usage: tests/fuzz/run.sh [--seconds S] [--execs N] [--out DIR] [TARGET...]   (default: 20 s each, every target)
#   CI: the short run (20 s each). The long campaign: tests/fuzz/run.sh --seconds 600 --execs 1000000 --out fuzz-out
# Needs: afl++ (Debian: apt-get install afl++) and sharpfuzz (dotnet tool SharpFuzz.CommandLine 2.3.0, found on PATH,
# in $SHARPFUZZ or installed into /opt/untapped-tools/sharpfuzz).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=20; execs=""; out=""; targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --execs) execs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(idx safetensors config metrics eval holder report)
out=${out:-$(mktemp -d)}
mkdir -p "$out"; out=$(cd "$out" && pwd)
command -v afl-fuzz > /dev/null || { echo "run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }
sharpfuzz=${SHARPFUZZ:-$(command -v sharpfuzz || echo /opt/untapped-tools/sharpfuzz/sharpfuzz)}
if [ ! -x "$sharpfuzz" ]; then
  dotnet tool install --tool-path /opt/untapped-tools/sharpfuzz SharpFuzz.CommandLine --version 2.3.0 > /dev/null
  sharpfuzz=/opt/untapped-tools/sharpfuzz/sharpfuzz
fi
dotnet publish "$here/Untapped.Fuzz" -c Release -o "$out/bin" > "$out/publish.log" 2>&1 || { cat "$out/publish.log"; exit 1; }
"$sharpfuzz" "$out/bin/Untapped.Training.dll" > "$out/instrument.log" 2>&1 || { cat "$out/instrument.log"; exit 1; }

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_GCHeapHardLimit=0x40000000 DOTNET_TieredPGO=0 DOTNET_CLI_TELEMETRY_OPTOUT=1
stat() { grep -E "^$1 +:" "$2" | awk -F': ' '{print $2}' | tr -d ' '; }
found=0
{
  echo "| target | seconds | executions | execs/s | corpus paths | crashes | hangs |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$out/summary.md"
for t in "${targets[@]}"; do
  rm -rf "${out:?}/$t"
  echo "== $t: ${seconds}s${execs:+ or $execs executions}" >&2
  afl-fuzz -i "$here/corpus/$t" -o "$out/$t" -t 1000 -m none -V "$seconds" ${execs:+-E "$execs"} -- dotnet "$out/bin/Untapped.Fuzz.dll" "$t" \
    > "$out/$t.log" 2>&1 || { echo "afl-fuzz failed on $t:"; tail -20 "$out/$t.log"; exit 1; }
  s="$out/$t/default/fuzzer_stats"
  done_=$(stat execs_done "$s"); rate=$(stat execs_per_sec "$s"); paths=$(stat corpus_count "$s")
  crashes=$(stat saved_crashes "$s"); hangs=$(stat saved_hangs "$s"); run=$(stat run_time "$s")
  echo "| $t | $run | $done_ | $rate | $paths | $crashes | $hangs |" >> "$out/summary.md"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then found=1; fi
done
cat "$out/summary.md"
[ $found -eq 0 ] && echo "no findings" || echo "FINDINGS: see $out/<target>/default/crashes and hangs"
exit $found
