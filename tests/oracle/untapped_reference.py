"""Independent PyTorch reference of the Untapped / M2 objective (docs/model.md §4).

Written from the spec, not from the C# code: the C# graph must reproduce these loss terms and gradients.
Used by make_oracle.py (test oracle, float64) and bench/peers/torch_step.py (speed peer, float32).
"""
import math
import torch
import torch.nn.functional as F

LAYOUT = [
    ("classifier.l0.w", (784, 50)), ("classifier.l0.b", (50,)), ("classifier.l1.w", (50, 50)), ("classifier.l1.b", (50,)),
    ("classifier.out.w", (50, 10)), ("classifier.out.b", (10,)),
    ("zencoder.l0.w", (794, 10)), ("zencoder.l0.b", (10,)), ("zencoder.l1.w", (10, 10)), ("zencoder.l1.b", (10,)),
    ("zencoder.mu.w", (10, 2)), ("zencoder.mu.b", (2,)), ("zencoder.sigma.w", (10, 2)), ("zencoder.sigma.b", (2,)),
    ("decoder.l0.w", (12, 250)), ("decoder.l0.b", (250,)), ("decoder.l1.w", (250, 500)), ("decoder.l1.b", (500,)),
    ("decoder.out.w", (500, 784)), ("decoder.out.b", (784,)),
]

PRESETS = {
    "original": dict(logdet="original", box=(-math.pi / 2, math.pi / 2), bernoulli="original", classify_on="sample",
                     x_tilde_grad="none", reverse_qz=False),
    "paper": dict(logdet="exact", box=(-1.5, 1.5), bernoulli="exact", classify_on="sample",
                  x_tilde_grad="relaxed", reverse_qz=True),
}


def classifier(p, x):
    h = torch.tanh(x @ p["classifier.l0.w"] + p["classifier.l0.b"])
    h = torch.tanh(h @ p["classifier.l1.w"] + p["classifier.l1.b"])
    return h @ p["classifier.out.w"] + p["classifier.out.b"]


def encoder(p, x, y):
    h = torch.tanh(torch.cat([x, y], 1) @ p["zencoder.l0.w"] + p["zencoder.l0.b"])
    h = torch.tanh(h @ p["zencoder.l1.w"] + p["zencoder.l1.b"])
    return h @ p["zencoder.mu.w"] + p["zencoder.mu.b"], F.softplus(h @ p["zencoder.sigma.w"] + p["zencoder.sigma.b"])


def decoder(p, y, z):
    h = torch.tanh(torch.cat([y, z], 1) @ p["decoder.l0.w"] + p["decoder.l0.b"])
    h = torch.tanh(h @ p["decoder.l1.w"] + p["decoder.l1.b"])
    return h @ p["decoder.out.w"] + p["decoder.out.b"]


def gaussian_logpdf(zt, mu, sigma):
    s = sigma + 1e-5
    return (-0.5 * ((zt - mu) / s) ** 2 - torch.log(s) - 0.5 * math.log(2 * math.pi)).sum(1)


def flow(zt, box, form):
    lo, hi = box
    s = torch.sigmoid(zt)
    z = lo + (hi - lo) * s
    if form == "exact":
        logdet = (math.log(hi - lo) + F.logsigmoid(zt) + F.logsigmoid(-zt)).sum(1)
    else:
        logdet = torch.log(1e-5 + torch.prod((hi - lo) * s * (1 - s), 1))
    return z, logdet


def bernoulli_loglik(x, logits, form):
    if form == "exact":
        return (x * logits - F.softplus(logits)).sum(1)
    m = torch.clamp(torch.sigmoid(logits), 1e-5, 1 - 1e-5)
    return (x * torch.log(m) + (1 - x) * torch.log(1 - m)).sum(1)


def bernoulli_sample(logits, u, tau, relaxed, form):
    if relaxed:
        return torch.sigmoid((logits + torch.log(u) - torch.log(1 - u)) / tau)
    m = torch.sigmoid(logits)
    if form == "original":
        m = torch.clamp(m, 1e-5, 1 - 1e-5)
    return (u < m).to(logits.dtype).detach()


def gumbel_softmax(logits, u, tau):
    g = -torch.log(-torch.log(u + 1e-4) + 1e-4)
    return torch.softmax((logits + g) / tau, 1)


def concrete_logpdf(logits, y, tau):
    k = logits.shape[1]
    lsm = torch.log_softmax(logits, 1)
    ly = torch.log(torch.clamp(y, min=1e-30))
    return (math.lgamma(k) + (k - 1) * math.log(tau) - k * torch.logsumexp(lsm - tau * ly, 1)
            + (lsm - (tau + 1) * ly).sum(1))


def objective(p, inp, noise, cfg, model="untapped", tau=1.0):
    """Returns the dict of loss terms (each a mean over its batch) and the weighted total."""
    box, form, bern = cfg["box"], cfg["logdet"], cfg["bernoulli"]
    relaxed = cfg["x_tilde_grad"] == "relaxed"

    def posterior(x, y, tag):
        mu, sigma = encoder(p, x, y)
        zt = mu + sigma * noise[f"eps ({tag})"]
        z, logdet = flow(zt, box, form)
        return z, gaussian_logpdf(zt, mu, sigma) - logdet

    xl, yl, xu = inp["x_labelled"], inp["y_labelled"], inp["x_unlabelled"]
    z, logq = posterior(xl, yl, "labelled")
    logits_l = decoder(p, yl, z)
    terms = {"labelled_elbo": (logq - bernoulli_loglik(xl, logits_l, bern)).mean()}

    lc = classifier(p, xl)
    pc = gumbel_softmax(lc, noise["u_gumbel (classify)"], tau) if cfg["classify_on"] == "sample" else torch.softmax(lc, 1)
    terms["classify"] = (-torch.log(torch.clamp((pc * yl).sum(1), min=1e-6))).mean()

    lu = classifier(p, xu)
    yu = gumbel_softmax(lu, noise["u_gumbel (unlabelled)"], tau)
    zu, logqu = posterior(xu, yu, "unlabelled")
    terms["unlabelled_elbo"] = (concrete_logpdf(lu, yu, tau) + logqu - bernoulli_loglik(xu, decoder(p, yu, zu), bern)).mean()

    weights = {"labelled_elbo": 0.1, "classify": 1.0, "unlabelled_elbo": 0.1}
    if model == "untapped":
        yf, zf = inp["y_unfeatured"], inp["z_unfeatured"]
        logits_r = decoder(p, yf, zf)
        xr = bernoulli_sample(logits_r, noise["u_bernoulli (reverse)"], tau, relaxed, bern)
        rev = bernoulli_loglik(xr, logits_r, bern) - concrete_logpdf(classifier(p, xr), yf, tau)
        if cfg["reverse_qz"]:
            lo, hi = box
            s = torch.clamp((zf - lo) / (hi - lo), 1e-5, 1 - 1e-5)
            ztr = torch.log(s) - torch.log(1 - s)
            _, logdet_r = flow(ztr, box, form)
            mu, sigma = encoder(p, xr, yf)
            rev = rev - (gaussian_logpdf(ztr, mu, sigma) - logdet_r)
        terms["reverse_elbo"] = rev.mean()
        xrec = bernoulli_sample(logits_l, noise["u_bernoulli (reconstruct)"], tau, relaxed, bern)
        terms["reconstruct"] = torch.sqrt(((xrec - xl) ** 2).sum(1)).mean()
        weights.update(reverse_elbo=0.1, reconstruct=0.01)
    terms["total"] = sum(weights[k] * v for k, v in terms.items())
    return terms
