#!/usr/bin/env bash
# Copies the small files of every finished trial of a sweep ($1, default runs/study) into $2/<trial>/ (default
# docs/results/study; config, eval, metrics, digit grid, curves; checkpoints stay out of git), then rebuilds the
# report there.
# With REFRESH=1 it first re-runs `untapped evaluate` on each finished trial (regenerates its figures; eval.json comes
# out the same, the reference classifier being cached). UNTAPPED overrides the command.
set -euo pipefail
U=${UNTAPPED:-"dotnet run -c Release --project src/Cli --"}
cd "$(dirname "$0")/../.."
src=${1:-runs/study}
dst=${2:-docs/results/study}
for d in "$src"/*/; do
  name=$(basename "$d")
  [ -f "$d/eval.json" ] || continue
  # Already collected (run_schedule.sh copies collected trials back into $src): copying again would re-anchor paths
  # that were anchored for $dst, not for $src.
  if [ "${REFRESH:-0}" != 1 ] && cmp -s "$d/eval.json" "$dst/$name/eval.json"; then continue; fi
  if [ "${REFRESH:-0}" = 1 ]; then $U evaluate --run "$d" --backend cpu --threads 1 > /dev/null; fi
  mkdir -p "$dst/$name"
  cp "$d"/{config.json,eval.json,metrics.jsonl,digits.png,curves.png} "$dst/$name/"
  # config.json's paths are relative to the run directory (RunPaths): re-anchor them where the copy lies.
  python3 - "$d" "$dst/$name/config.json" <<'PY'
import json, os, re, sys
src, cfg = sys.argv[1], sys.argv[2]
text = open(cfg).read()
def anchor(m):
    p = m.group(2)
    full = p if os.path.isabs(p) else os.path.normpath(os.path.join(src, p))
    return '"%s": "%s"' % (m.group(1), "." if m.group(1) == "out_dir" else os.path.relpath(full, os.path.dirname(os.path.abspath(cfg))))
open(cfg, "w").write(re.sub(r'"(out_dir|data_dir)": "([^"]*)"', anchor, text))
PY
done
mkdir -p "$dst"
if ! ls -d "$dst"/*/ > /dev/null 2>&1; then echo "no finished trial under $src yet"; exit 0; fi
$U experiment report --out "$dst" > /dev/null
echo "collected $(ls -d "$dst"/*/ | wc -l) trials into $dst"
