#!/usr/bin/env python3
"""Where the q(x) study's classifiers put the held-out digits: for each trial of runs/qx (or $1) with a checkpoint, the
share of the held-out images (digits 5-9 of the pooled MNIST, binarised at 129 as the project does) whose most probable
dim is one of the labelled dims 0-4. Needs numpy (Debian: python3-numpy) and examples/python/decode_digits.py; the
checkpoints stay out of git, so this reads a local run of docs/results/run_qx.sh."""
import os, sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "examples", "python"))
import decode_digits as dd  # noqa: E402

runs = sys.argv[1] if len(sys.argv) > 1 else "runs/qx"
data = os.path.join(here, "..", "..", "data", "mnist")
xs, ys = [], []
for stem in ("train", "t10k"):
    x = dd.read_idx(dd.find(data, f"{stem}-images-idx3-ubyte"))
    xs.append(x.reshape(len(x), -1))
    ys.append(dd.read_idx(dd.find(data, f"{stem}-labels-idx1-ubyte")))
x = (np.concatenate(xs) >= 129).astype(np.float32)
y = np.concatenate(ys)
held = x[y >= 5]
for name in sorted(os.listdir(runs)):
    ckpt = os.path.join(runs, name, "checkpoint.safetensors")
    if not os.path.exists(ckpt) or not os.path.exists(os.path.join(runs, name, "eval.json")):
        continue
    p = dd.read_safetensors(ckpt)
    p = p[0] if isinstance(p, tuple) else p
    top = dd.classifier_logits(p, held).argmax(1)
    print(f"{name}: {100 * (top < 5).mean():.1f} % of the held-out digits 5-9 go to a labelled dim 0-4")
