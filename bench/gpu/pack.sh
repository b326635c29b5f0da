#!/usr/bin/env bash
# Packs the GPU check into one self-contained archive: the `untapped` CLI and the bench, published for linux-x64 with
# their own .NET runtime (nothing to install where it runs: no SDK, no runtime, no network), MNIST, the PyTorch peer
# and check.sh. Run it here, carry the archive to the GPU machine, unpack it and run `./check.sh OUT`.
#
# Usage: bash bench/gpu/pack.sh [ARCHIVE]     (default dist/untapped-gpu-linux-x64.tar.xz)
# The archive must stay within 40 MiB (the device machine takes at most 64 MiB of carried files in all):
#  - BenchmarkDotNet (the bench's bdn mode: Roslyn, TraceEvent, a disassembler) is left out, -p:WithBenchmarkDotNet=false;
#  - MNIST travels binarised (pixel >= 129 -> 255, else 0: the IDX format unchanged, so the reader's own binarisation
#    gives the same images and every result is the same), which gzips to a fifth of the grey images;
#  - no trimming: ILGPU compiles kernels through reflection, which the trimmer cannot see.
set -euo pipefail
cd "$(dirname "$0")/../.."
archive=${1:-dist/untapped-gpu-linux-x64.tar.xz}
limit=$((40 * 1024 * 1024))
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
root="$stage/untapped-gpu"
mkdir -p "$root/bin" "$root/data/mnist" "$root/bench/peers" "$root/tests/oracle"
common=(-c Release -r linux-x64 --self-contained -p:SatelliteResourceLanguages=en -p:WithBenchmarkDotNet=false -o "$root/bin" -nologo -v q)
echo "pack: publishing the CLI and the bench (self-contained linux-x64)"
dotnet publish src/Cli "${common[@]}" > "$stage/publish.log" 2>&1 || { cat "$stage/publish.log" >&2; exit 1; }
dotnet publish bench/Untapped.Bench "${common[@]}" >> "$stage/publish.log" 2>&1 || { cat "$stage/publish.log" >&2; exit 1; }
rm -f "$root"/bin/*.pdb
# The CLI's build carries the gzipped MNIST beside itself (for the .NET tool); the bundle has its own binarised copy in
# data/mnist above bin/, which the program finds first.
rm -rf "$root/bin/data"
echo "pack: binarising MNIST"
python3 - data/mnist "$root/data/mnist" <<'PY'
import gzip, os, sys
src, dst = sys.argv[1], sys.argv[2]
table = bytes(255 if v >= 129 else 0 for v in range(256))
for name in sorted(os.listdir(src)):
    if not name.endswith(".gz"): continue
    raw = gzip.open(os.path.join(src, name)).read()
    if "images" in name: raw = raw[:16] + raw[16:].translate(table)   # IDX3 header: magic, count, rows, cols
    with open(os.path.join(dst, name), "wb") as f: f.write(gzip.compress(raw, 9, mtime=0))
PY
cp bench/gpu/check.sh "$root/"
cp bench/peers/torch_step.py "$root/bench/peers/"
cp tests/oracle/untapped_reference.py "$root/tests/oracle/"
git rev-parse --short HEAD > "$root/VERSION" 2>/dev/null || echo unknown > "$root/VERSION"
mkdir -p "$(dirname "$archive")"
echo "pack: compressing"
tar -C "$stage" -cf - untapped-gpu | xz -T0 -6 > "$archive.tmp"
size=$(stat -c %s "$archive.tmp")
if [ "$size" -gt "$limit" ]; then rm -f "$archive.tmp"; echo "pack: the archive is $((size / 1048576)) MiB, over the 40 MiB limit" >&2; exit 1; fi
mv "$archive.tmp" "$archive"
awk -v s="$size" -v a="$archive" 'BEGIN { printf "pack: wrote %s (%.1f MiB)\n", a, s / 1048576 }'
echo "run it there: tar -xJf $(basename "$archive") && untapped-gpu/check.sh OUT"
