"""Lean eager PyTorch peer of one Untapped training step: the same model, losses, batch and optimiser as the C# step,
written the way a PyTorch user who cares about speed would write it, independently of the test oracle.

Usage: /usr/bin/python3 bench/peers/torch_step.py [--batch 10000] [--threads 2] [--steps 5] [--preset original|paper]
                                                   [--device cpu|cuda] [--check] [--profile] [--dump-check PATH]
Prints one line: "torch step ... median X ms ... Y samples/s" (and the BLAS kernel family torch's OpenBLAS runs).
--check first compares this step's loss terms and gradients with tests/oracle/untapped_reference.py (the oracle the
C# gradients are checked against) in float64 on a small batch, and exits 1 if they differ; step_vs_torch.sh runs it
before timing. --profile prints torch.profiler's table of one step.

What makes it lean (measured with --profile against the oracle module, which spends ~70 % of a step outside matmul):
fused library kernels where PyTorch has them (addmm for every layer, binary_cross_entropy[_with_logits] for the
Bernoulli log-likelihood and its backward, logit for the logistic noise, linalg.vector_norm), the encoder's concat
[x, y] W written as x W_x + y W_y (no 10,000 x 794 copy), and Adam and clipping over all parameters at once with
torch._foreach_* ops. Float32; torch.set_num_threads(threads) on the CPU, or a CUDA device.
"""
import argparse, math, os, sys, time
import torch
import torch.nn.functional as F

LAYERS = {  # name: (fan_in, fan_out); W is stored [fan_in, fan_out] as in the C# checkpoint
    "classifier.l0": (784, 50), "classifier.l1": (50, 50), "classifier.out": (50, 10),
    "zencoder.l0": (794, 10), "zencoder.l1": (10, 10), "zencoder.mu": (10, 2), "zencoder.sigma": (10, 2),
    "decoder.l0": (12, 250), "decoder.l1": (250, 500), "decoder.out": (500, 784),
}
PRESETS = {  # docs/model.md: the switches the two presets set differently
    "original": dict(logdet="original", box=(-math.pi / 2, math.pi / 2), bernoulli="original", relaxed=False,
                     reverse_qz=False, clip_norm=True),
    "paper": dict(logdet="exact", box=(-1.5, 1.5), bernoulli="exact", relaxed=True, reverse_qz=True, clip_norm=False),
}
LOG_2PI = math.log(2 * math.pi)


def init_params(seed=1, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    p = {}
    for name, (fi, fo) in LAYERS.items():
        lim = math.sqrt(2) * math.sqrt(6 / (fi + fo))
        w = torch.zeros(fi, fo, dtype=dtype) if name == "zencoder.sigma" else (torch.rand(fi, fo, generator=g, dtype=dtype) * 2 - 1) * lim
        p[name + ".w"] = w.requires_grad_()
        p[name + ".b"] = torch.zeros(fo, dtype=dtype, requires_grad=True)
    return p


def dense(p, name, x, act=torch.tanh):
    out = torch.addmm(p[name + ".b"], x, p[name + ".w"])
    return act(out) if act else out


def classifier(p, x):
    return dense(p, "classifier.out", dense(p, "classifier.l1", dense(p, "classifier.l0", x)), None)


def encoder(p, x, y):
    w = p["zencoder.l0.w"]
    h = torch.tanh(torch.addmm(p["zencoder.l0.b"], x, w[:784]) + y @ w[784:])   # [x, y] W without the concat
    h = dense(p, "zencoder.l1", h)
    return dense(p, "zencoder.mu", h, None), F.softplus(dense(p, "zencoder.sigma", h, None))


def decoder(p, y, z):
    h = torch.tanh(torch.addmm(p["decoder.l0.b"], y, p["decoder.l0.w"][:10]) + z @ p["decoder.l0.w"][10:])
    return dense(p, "decoder.out", dense(p, "decoder.l1", h), None)


def bernoulli_loglik(x, logits, form):
    if form == "exact":
        return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    # The original form clips the mean to [1e-5, 1 - 1e-5]; BCE's own log clamp (-100) is never reached then.
    return -F.binary_cross_entropy(torch.sigmoid(logits).clamp(1e-5, 1 - 1e-5), x, reduction="none").sum(1)


def bernoulli_sample(logits, u, relaxed, form):
    if relaxed:
        return torch.sigmoid(logits + torch.logit(u))                                  # tau = 1
    m = torch.sigmoid(logits)
    if form == "original":
        m = m.clamp(1e-5, 1 - 1e-5)
    return (u < m).to(logits.dtype)


def gumbel_softmax(logits, u):
    return torch.softmax(logits - torch.log(1e-4 - torch.log(u + 1e-4)), 1)


def concrete_logpdf(logits, y, k=10):
    lsm = torch.log_softmax(logits, 1)
    ly = torch.log(y.clamp(min=1e-30))
    return math.lgamma(k) - k * torch.logsumexp(lsm - ly, 1) + (lsm - 2 * ly).sum(1)   # tau = 1


def gaussian_logpdf(zt, mu, sigma):
    s = sigma + 1e-5
    return (-0.5 * ((zt - mu) / s).square() - torch.log(s)).sum(1) - LOG_2PI


def flow(zt, box, form):
    lo, hi = box
    s = torch.sigmoid(zt)
    if form == "exact":
        logdet = (math.log(hi - lo) + F.logsigmoid(zt) + F.logsigmoid(-zt)).sum(1)
    else:
        logdet = torch.log(1e-5 + ((hi - lo) * s * (1 - s)).prod(1))
    return lo + (hi - lo) * s, logdet


def objective(p, inp, noise, cfg):
    """The weighted total and each term (means over the batch), docs/model.md §4."""
    box, form, bern = cfg["box"], cfg["logdet"], cfg["bernoulli"]

    def posterior(x, y, eps):
        mu, sigma = encoder(p, x, y)
        zt = mu + sigma * eps
        z, logdet = flow(zt, box, form)
        return z, gaussian_logpdf(zt, mu, sigma) - logdet

    xl, yl, xu = inp["x_labelled"], inp["y_labelled"], inp["x_unlabelled"]
    z, logq = posterior(xl, yl, noise["eps (labelled)"])
    logits_l = decoder(p, yl, z)
    t = {"labelled_elbo": (logq - bernoulli_loglik(xl, logits_l, bern)).mean()}
    pc = gumbel_softmax(classifier(p, xl), noise["u_gumbel (classify)"])
    t["classify"] = -torch.log((pc * yl).sum(1).clamp(min=1e-6)).mean()
    lu = classifier(p, xu)
    yu = gumbel_softmax(lu, noise["u_gumbel (unlabelled)"])
    zu, logqu = posterior(xu, yu, noise["eps (unlabelled)"])
    t["unlabelled_elbo"] = (concrete_logpdf(lu, yu) + logqu - bernoulli_loglik(xu, decoder(p, yu, zu), bern)).mean()
    yf, zf = inp["y_unfeatured"], inp["z_unfeatured"]
    logits_r = decoder(p, yf, zf)
    xr = bernoulli_sample(logits_r, noise["u_bernoulli (reverse)"], cfg["relaxed"], bern)
    rev = bernoulli_loglik(xr, logits_r, bern) - concrete_logpdf(classifier(p, xr), yf)
    if cfg["reverse_qz"]:
        lo, hi = box
        ztr = torch.logit(((zf - lo) / (hi - lo)).clamp(1e-5, 1 - 1e-5))
        _, logdet_r = flow(ztr, box, form)
        mu, sigma = encoder(p, xr, yf)
        rev = rev - (gaussian_logpdf(ztr, mu, sigma) - logdet_r)
    t["reverse_elbo"] = rev.mean()
    xrec = bernoulli_sample(logits_l, noise["u_bernoulli (reconstruct)"], cfg["relaxed"], bern)
    t["reconstruct"] = torch.linalg.vector_norm(xrec - xl, dim=1).mean()
    w = {"labelled_elbo": 0.1, "classify": 1.0, "unlabelled_elbo": 0.1, "reverse_elbo": 0.1, "reconstruct": 0.01}
    t["total"] = sum(w[k] * v for k, v in t.items())
    return t


class Adam:
    """Adam with the original code's epsilon placement and clipping (docs/model.md §5), over all tensors at once."""

    def __init__(self, params, clip_norm):
        self.p = list(params)
        self.m = [torch.zeros_like(x) for x in self.p]
        self.v = [torch.zeros_like(x) for x in self.p]
        self.t, self.clip_norm = 0, clip_norm

    @torch.no_grad()
    def step(self):
        self.t += 1
        g = [x.grad for x in self.p]
        if self.clip_norm:
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(g)))
            torch._foreach_mul_(g, torch.clamp(5.0 / norm, max=1.0).item())
        if hasattr(torch, "_foreach_clamp_min_"):                                    # torch >= 2.1
            torch._foreach_clamp_min_(g, -1.0); torch._foreach_clamp_max_(g, 1.0)
        else:
            for x in g: x.clamp_(-1.0, 1.0)
        torch._foreach_mul_(self.m, 0.9); torch._foreach_add_(self.m, g, alpha=0.1)
        torch._foreach_mul_(self.v, 0.999); torch._foreach_addcmul_(self.v, g, g, value=0.001)
        denom = torch._foreach_sqrt(self.v); torch._foreach_add_(denom, 1e-4)
        torch._foreach_addcdiv_(self.p, self.m, denom, value=-0.01 * math.sqrt(1 - 0.999 ** self.t) / (1 - 0.9 ** self.t))


def inputs(B, dtype=torch.float32, seed=2):
    g = torch.Generator().manual_seed(seed)
    return {
        "x_labelled": (torch.rand(B, 784, generator=g) < 0.3).to(dtype),
        "y_labelled": torch.eye(10, dtype=dtype)[torch.randint(0, 10, (B,), generator=g)],
        "x_unlabelled": (torch.rand(B, 784, generator=g) < 0.3).to(dtype),
        "y_unfeatured": torch.full((B, 10), 0.05 / 9, dtype=dtype).scatter_(1, (torch.arange(B) % 10)[:, None], 0.95),
        "z_unfeatured": torch.rand(B, 2, generator=g, dtype=dtype) * 3 - 1.5,
    }


def draw_noise(B, dtype=torch.float32):
    """Fresh draws every step, as the C# step makes them."""
    return {"eps (labelled)": torch.randn(B, 2, dtype=dtype), "eps (unlabelled)": torch.randn(B, 2, dtype=dtype),
            "u_gumbel (classify)": torch.rand(B, 10, dtype=dtype), "u_gumbel (unlabelled)": torch.rand(B, 10, dtype=dtype),
            "u_bernoulli (reverse)": torch.rand(B, 784, dtype=dtype), "u_bernoulli (reconstruct)": torch.rand(B, 784, dtype=dtype)}


def oracle():
    """tests/oracle/untapped_reference.py, the module the C# gradients are checked against."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "oracle"))
    import untapped_reference as ref
    return ref


def check_case():
    """The check's float64 parameters (off the zero initialisation), inputs and noise at batch 64."""
    torch.manual_seed(5)
    p, inp, noise = init_params(3, torch.float64), inputs(64, torch.float64), draw_noise(64, torch.float64)
    with torch.no_grad():
        for x in p.values(): x.add_(0.1 * torch.randn_like(x))
    return p, inp, noise


def adam_reference(params, grads, clip_norm):
    """Two Adam steps with gradients g and 2g, docs/model.md §5 written out tensor by tensor: the parameters after."""
    r = [x.detach().clone() for x in params]
    m, v = [torch.zeros_like(x) for x in r], [torch.zeros_like(x) for x in r]
    for t in (1, 2):
        gs = [t * g for g in grads]
        if clip_norm:
            norm = math.sqrt(sum(float((g * g).sum()) for g in gs))
            gs = [g * min(1.0, 5.0 / norm) for g in gs]
        for i, g in enumerate(gs):
            g = g.clamp(-1, 1)
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            r[i] = r[i] - 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m[i] / (v[i].sqrt() + 1e-4)
    return r


def check(preset):
    """This step's terms and gradients against the oracle's, then its Adam, float64, batch 64: the worst relative difference."""
    ref = oracle()
    p, inp, noise = check_case()
    ours = objective(p, inp, noise, PRESETS[preset])
    gours = torch.autograd.grad(ours["total"], list(p.values()))
    theirs = ref.objective(p, inp, noise, ref.PRESETS[preset], "untapped")
    gtheirs = torch.autograd.grad(theirs["total"], list(p.values()))
    worst = max(abs(float(ours[k] - theirs[k])) / max(1.0, abs(float(theirs[k]))) for k in theirs)
    for a_, b_ in zip(gours, gtheirs):
        worst = max(worst, float((a_ - b_).abs().max()) / max(1.0, float(b_.abs().max())))
    # This Adam's two steps against the written-out ones.
    q = {k: x.detach().clone().requires_grad_() for k, x in p.items()}
    opt = Adam(q.values(), PRESETS[preset]["clip_norm"])
    for t in (1, 2):
        for x, g in zip(q.values(), gours): x.grad = (t * g).clone()
        opt.step()
    r = adam_reference(p.values(), gours, PRESETS[preset]["clip_norm"])
    for x, y in zip(q.values(), r):
        worst = max(worst, float((x.detach() - y).abs().max()) / max(1.0, float(y.abs().max())))
    return worst


def dump_check(preset, path):
    """The check's case for another peer (bench/peers/libtorch): the float64 parameters, inputs and noise of check(),
    the oracle's terms and gradients, and its two Adam steps (adam_reference), as one little-endian float64 file plus
    a JSON list of (name, shape) in the file's order."""
    import json
    ref = oracle()
    p, inp, noise = check_case()
    theirs = ref.objective(p, inp, noise, ref.PRESETS[preset], "untapped")
    grads = torch.autograd.grad(theirs["total"], list(p.values()))
    r = adam_reference(p.values(), grads, PRESETS[preset]["clip_norm"])
    items = [("param " + k, x) for k, x in p.items()] + [("input " + k, x) for k, x in inp.items()]
    items += [("noise " + k, x) for k, x in noise.items()] + [("term " + k, theirs[k].reshape(1)) for k in theirs]
    items += [("grad " + k, g) for k, g in zip(p, grads)] + [("adam2 " + k, x) for k, x in zip(p, r)]
    with open(path + ".bin", "wb") as f:
        for _, x in items:
            f.write(x.detach().contiguous().to(torch.float64).numpy().astype("<f8").tobytes())
    with open(path + ".json", "w") as f:
        json.dump([[k, list(x.shape)] for k, x in items], f)


def blas_core():
    """The kernel family of the OpenBLAS that torch loaded (openblas_get_corename), or what BLAS it is."""
    import ctypes
    with open("/proc/self/maps") as f:
        libs = sorted({l.split()[-1] for l in f if "openblas" in l.split()[-1] and l.split()[-1].startswith("/")})
    for lib in libs:
        try:
            fn = ctypes.CDLL(lib).openblas_get_corename
            fn.restype = ctypes.c_char_p
            return "OpenBLAS " + fn().decode()
        except (OSError, AttributeError):
            pass
    return "BLAS: " + torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0] if "BLAS_INFO" in torch.__config__.show() else "BLAS unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--preset", default="original", choices=sorted(PRESETS))
    ap.add_argument("--device", default="cpu", help="cpu, or cuda: every tensor is made there (torch >= 2.0), each step synchronised")
    ap.add_argument("--check", action="store_true", help="compare with the oracle first (float64); exit 1 on a difference over 1e-9")
    ap.add_argument("--profile", action="store_true", help="print torch.profiler's table of one step")
    ap.add_argument("--dump-check", metavar="PATH", help="write the oracle check's case to PATH.bin and PATH.json (for the libtorch peer) and exit")
    a = ap.parse_args()
    if a.dump_check:
        dump_check(a.preset, a.dump_check)
        return
    torch.set_num_threads(a.threads)
    if a.check:
        worst = check(a.preset)
        print(f"torch peer vs oracle ({a.preset}, float64, batch 64): worst relative difference {worst:.2e}")
        if not worst <= 1e-9:
            sys.exit(1)
    if a.device != "cpu":
        torch.set_default_device(a.device)
    sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)
    torch.manual_seed(1)
    B, cfg = a.batch, PRESETS[a.preset]
    p, inp = init_params(), inputs(B)
    opt = Adam(p.values(), cfg["clip_norm"])

    def step():
        loss = objective(p, inp, draw_noise(B), cfg)["total"]
        for x in p.values(): x.grad = None
        loss.backward()
        opt.step()

    step(); sync()
    if a.profile:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            step(); sync()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter(); step(); sync(); times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    med = times[len(times) // 2]
    where = torch.cuda.get_device_name() if a.device.startswith("cuda") else f"{a.threads} threads, {blas_core()}"
    print(f"torch step untapped {a.preset} batch {B} ({torch.__version__}, {where}): median {med:.1f} ms over {a.steps} steps "
          f"(min {times[0]:.1f}), {3 * B / (med / 1000):,.0f} samples/s")


if __name__ == "__main__":
    main()
