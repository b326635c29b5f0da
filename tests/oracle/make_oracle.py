"""Writes oracle.safetensors: fixed weights, inputs and explicit noise, and for each preset and model the
loss terms and every parameter gradient computed by untapped_reference.py in float64.

Regenerate (Debian's python3-torch):  /usr/bin/python3 tests/oracle/make_oracle.py
The C# test Untapped.Training.Tests.OracleTests reads the file and compares within stated tolerances.
"""
import json, math, os, struct, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import untapped_reference as ref

B = 4
rng = np.random.default_rng(20261122)


def glorot(shape):
    if len(shape) == 1:
        return rng.uniform(-0.1, 0.1, shape)  # non-zero biases exercise the bias gradients
    lim = math.sqrt(2) * math.sqrt(6 / (shape[0] + shape[1]))
    return rng.uniform(-lim, lim, shape)


params = {n: glorot(s) for n, s in ref.LAYOUT}
onehot = lambda labels: np.eye(10)[labels]
soft = np.full((B, 10), 0.05 / 9); soft[np.arange(B), np.arange(B) % 10] = 0.95
inputs = {
    "x_labelled": (rng.uniform(size=(B, 784)) < 0.3).astype(float),
    "y_labelled": onehot(rng.integers(0, 10, B)),
    "x_unlabelled": (rng.uniform(size=(B, 784)) < 0.3).astype(float),
    "y_unfeatured": soft,
    "z_unfeatured": rng.uniform(-1.5, 1.5, (B, 2)),
}
noise = {
    "eps (labelled)": rng.standard_normal((B, 2)), "eps (unlabelled)": rng.standard_normal((B, 2)),
    "u_gumbel (classify)": rng.uniform(0.01, 0.99, (B, 10)), "u_gumbel (unlabelled)": rng.uniform(0.01, 0.99, (B, 10)),
    "u_bernoulli (reverse)": rng.uniform(0.01, 0.99, (B, 784)), "u_bernoulli (reconstruct)": rng.uniform(0.01, 0.99, (B, 784)),
}
# Round everything to float32 first, so that C# (float32) and the float64 reference see identical inputs.
f32 = lambda d: {k: np.asarray(v, np.float32) for k, v in d.items()}
params, inputs, noise = f32(params), f32(inputs), f32(noise)

out = {}
for k, v in params.items(): out["param." + k] = v
for k, v in inputs.items(): out["input." + k] = v
for k, v in noise.items(): out["noise." + k] = v
T = lambda d, grad=False: {k: torch.tensor(v, dtype=torch.float64, requires_grad=grad) for k, v in d.items()}
for preset, cfg in ref.PRESETS.items():
    for model in ("untapped", "m2"):
        p = T(params, True)
        terms = ref.objective(p, T(inputs), T(noise), cfg, model)
        terms["total"].backward()
        for k, v in terms.items(): out[f"{preset}.{model}.loss.{k}"] = np.array([v.item()], np.float32)
        for k, v in p.items(): out[f"{preset}.{model}.grad.{k}"] = v.grad.numpy().astype(np.float32)

header, blobs, off = {}, [], 0
for k, v in out.items():
    b = np.ascontiguousarray(v, "<f4").tobytes()
    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
header["__metadata__"] = {"generator": "tests/oracle/make_oracle.py", "torch": torch.__version__}
h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
path = os.path.join(os.path.dirname(__file__), "oracle.safetensors")
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h)
    for b in blobs: f.write(b)
print(f"wrote {path}: {len(out)} tensors, {off / 1e6:.1f} MB")
