"""Eager PyTorch peer of one Untapped training step (same model, losses, batch and optimiser as the C# step).

Usage: /usr/bin/python3 bench/peers/torch_step.py [--batch 10000] [--threads 2] [--steps 5] [--preset original|paper] [--device cpu|cuda]
Prints one line: "torch step ... median X ms ... Y samples/s". Float32; on the CPU with torch.set_num_threads(threads), or on a CUDA device.
The objective is tests/oracle/untapped_reference.py (the oracle the C# gradients are checked against);
Adam with the original epsilon placement and docs/model.md §5: clipping is written out below.
"""
import argparse, math, os, sys, time
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "oracle"))
import untapped_reference as ref

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=10000)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--preset", default="original")
ap.add_argument("--device", default="cpu", help="cpu, or cuda: every tensor is made there (torch >= 2.0) and each step is synchronised")
a = ap.parse_args()
torch.set_num_threads(a.threads)
if a.device != "cpu":
    torch.set_default_device(a.device)
sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)
torch.manual_seed(1)
B, cfg = a.batch, ref.PRESETS[a.preset]

params = {}
for name, shape in ref.LAYOUT:
    if len(shape) == 1 or name.startswith("zencoder.sigma"):
        params[name] = torch.zeros(shape, requires_grad=True)
    else:
        lim = math.sqrt(2) * math.sqrt(6 / (shape[0] + shape[1]))
        params[name] = (torch.rand(shape) * 2 * lim - lim).requires_grad_()
m = {k: torch.zeros_like(v) for k, v in params.items()}
v = {k: torch.zeros_like(p) for k, p in params.items()}
inp = {
    "x_labelled": (torch.rand(B, 784) < 0.3).float(), "y_labelled": torch.eye(10)[torch.randint(0, 10, (B,))],
    "x_unlabelled": (torch.rand(B, 784) < 0.3).float(),
    "y_unfeatured": torch.full((B, 10), 0.05 / 9).scatter_(1, (torch.arange(B) % 10)[:, None], 0.95),
    "z_unfeatured": torch.rand(B, 2) * 3 - 1.5,
}
t = 0


def step():
    global t
    noise = {  # fresh draws every step, as the C# step does
        "eps (labelled)": torch.randn(B, 2), "eps (unlabelled)": torch.randn(B, 2),
        "u_gumbel (classify)": torch.rand(B, 10), "u_gumbel (unlabelled)": torch.rand(B, 10),
        "u_bernoulli (reverse)": torch.rand(B, 784), "u_bernoulli (reconstruct)": torch.rand(B, 784),
    }
    loss = ref.objective(params, inp, noise, cfg, "untapped")["total"]
    for p in params.values(): p.grad = None
    loss.backward()
    t += 1
    with torch.no_grad():
        grads = [p.grad for p in params.values()]
        if a.preset == "original":
            norm = torch.sqrt(sum((g * g).sum() for g in grads))
            scale = min(1.0, 5.0 / float(norm))
            for g in grads: g.mul_(scale)
        step_size = 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for k, p in params.items():
            g = p.grad.clamp_(-1, 1)
            m[k].mul_(0.9).add_(g, alpha=0.1)
            v[k].mul_(0.999).addcmul_(g, g, value=0.001)
            p.sub_(step_size * m[k] / (v[k].sqrt() + 1e-4))


step(); sync()
times = []
for _ in range(a.steps):
    t0 = time.perf_counter(); step(); sync(); times.append(1000 * (time.perf_counter() - t0))
times.sort()
med = times[len(times) // 2]
where = torch.cuda.get_device_name() if a.device.startswith("cuda") else f"{a.threads} threads"
print(f"torch step untapped {a.preset} batch {B} ({torch.__version__}, {where}): median {med:.1f} ms over {a.steps} steps "
      f"(min {times[0]:.1f}), {3 * B / (med / 1000):,.0f} samples/s")
