#!/usr/bin/env python3
"""Use a trained Untapped / M2 run from Python with numpy alone.

Reads a run directory's checkpoint.safetensors (an 8-byte little-endian header length, a JSON header naming each
tensor's dtype, shape and byte range, then the raw tensors: no safetensors package needed), its config.json and
eval.json; rebuilds the decoder p(x|y,z) and the classifier q(y|x) of the checkpoint; decodes the ten one-hot labels
at the run's z-bar (paper Figure 2) and classifies the first --count images of the run's MNIST (binarised at 129, as
the trainer does). With --torch (when PyTorch is installed) it computes the same in torch and prints the difference.

  python3 examples/python/decode_digits.py runs/untapped-paper-seed1 --count 8 --pgm digits.pgm --json out.json

--json writes {"zbar", "digit_means" [10][784], "images", "logits" [count][10]}: the keys and layout of
`untapped predict --run DIR --count N`, for comparing the two.
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np

PIXELS, CLASSES, BINARISE_AT = 784, 10, 129


def read_safetensors(path):
    """{name: float32 array} of a safetensors file, by its header; metadata is skipped."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {t['dtype']}, expected F32")
        a, b = t["data_offsets"]
        tensors[name] = np.frombuffer(body[a:b], dtype="<f4").reshape(t["shape"])
    return tensors


def read_idx(path):
    """An IDX file (gzipped or not) as a uint8 array of its dimensions."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(os.path.join(folder, stem) + "[.gz]")


def dense(p, layer, h, act):
    z = h @ p[layer + ".w"] + p[layer + ".b"].reshape(-1)
    return np.tanh(z) if act == "tanh" else z


def decoder_means(p, y, z):
    """p(x|y,z): [y, z] -> 250 -> 500 (tanh) -> 784 logits; the Bernoulli means sigmoid(logits)."""
    h = dense(p, "decoder.l0", np.concatenate([y, z], axis=1), "tanh")
    h = dense(p, "decoder.l1", h, "tanh")
    return 1.0 / (1.0 + np.exp(-dense(p, "decoder.out", h, None)))


def classifier_logits(p, x):
    """q(y|x): 784 -> 50 -> 50 (tanh) -> 10 logits."""
    h = dense(p, "classifier.l0", x, "tanh")
    h = dense(p, "classifier.l1", h, "tanh")
    return dense(p, "classifier.out", h, None)


def in_torch(p, y, z, x):
    import torch
    t = {k: torch.from_numpy(np.array(v)) for k, v in p.items()}
    lin = lambda layer, h: h @ t[layer + ".w"] + t[layer + ".b"].reshape(-1)
    h = torch.tanh(lin("decoder.l0", torch.cat([torch.from_numpy(y), torch.from_numpy(z)], 1)))
    means = torch.sigmoid(lin("decoder.out", torch.tanh(lin("decoder.l1", h))))
    c = torch.tanh(lin("classifier.l1", torch.tanh(lin("classifier.l0", torch.from_numpy(x)))))
    return means.numpy(), lin("classifier.out", c).numpy()


def write_pgm(path, means):
    """The ten decoded digits side by side, grey (0 = black), as a binary PGM."""
    img = (np.concatenate([m.reshape(28, 28) for m in means], axis=1) * 255).round().astype(np.uint8)
    with open(path, "wb") as f:
        f.write(b"P5 %d %d 255\n" % (img.shape[1], img.shape[0]) + img.tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", help="run directory (checkpoint.safetensors, config.json, eval.json)")
    ap.add_argument("--data", help="MNIST folder (default: the run's data_dir)")
    ap.add_argument("--count", type=int, default=8, help="images to classify (default 8)")
    ap.add_argument("--json", help="write the results here (the layout of `untapped predict`)")
    ap.add_argument("--pgm", help="write the ten decoded digits here as a PGM image")
    ap.add_argument("--torch", action="store_true", help="also compute in PyTorch and print the largest difference")
    a = ap.parse_args()

    config = json.load(open(os.path.join(a.run, "config.json")))
    zbar = np.array(json.load(open(os.path.join(a.run, "eval.json")))["zbar"], dtype=np.float32)
    p = read_safetensors(os.path.join(a.run, "checkpoint.safetensors"))
    data = a.data or config["data_dir"]
    if not os.path.isabs(data):
        data = os.path.join(a.run, data)
    images = read_idx(find(data, "train-images-idx3-ubyte"))
    x = (images[: a.count].reshape(-1, PIXELS) >= BINARISE_AT).astype(np.float32)

    y = np.eye(CLASSES, dtype=np.float32)
    z = np.tile(zbar, (CLASSES, 1))
    means = decoder_means(p, y, z).astype(np.float32)
    logits = classifier_logits(p, x).astype(np.float32)
    print(f"{config['model']['model']} ({config['preset']} preset, seed {config['seed']}): z-bar {zbar.tolist()}")
    print("the ten decoded digits, mean intensity:", " ".join(f"{m.mean():.3f}" for m in means))
    print(f"q(y|x) argmax of the first {len(x)} images:", logits.argmax(1).tolist())
    if a.torch:
        try:
            tm, tl = in_torch(p, y, z, x)
            print(f"torch: max |diff| means {np.abs(tm - means).max():.2e}, logits {np.abs(tl - logits).max():.2e}")
        except ImportError:
            print("torch: not installed, skipped", file=sys.stderr)
    if a.pgm:
        write_pgm(a.pgm, means)
        print(f"wrote {a.pgm}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"zbar": zbar.tolist(), "digit_means": means.tolist(), "images": list(range(len(x))), "logits": logits.tolist()}, f)
        print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
