#!/usr/bin/env python3
"""Checks of docs/results.md "At the authors' length" that the sweep report does not make (issue 44), from the
committed trials' metrics.jsonl alone (python3, standard library): each seed's mean held-out CE over a late window of
evaluations (a robustness check beside the pre-registered single epochs 150/500/1000), each seed's best epoch against
the argmin of the mean curve, whether the longer schedule helps each model (CE at 1000 against 150), the runs that
exceed ln 10 after epoch 150, and how much of the CE's movement happens at a change of the judge's permutation.
Tests: exact two-sided sign-flip permutation test of the mean paired difference, and the 95 % CI that inverts it.
Usage: python3 docs/results/schedule_checks.py [docs/results/schedule] > fragment.md
"""
import itertools, json, math, os, sys

root = sys.argv[1] if len(sys.argv) > 1 else "docs/results/schedule"
LN10 = math.log(10)


def heldout(path):
    out = {}
    for line in open(path):
        if line.strip():
            m = json.loads(line)
            if "heldout" in m:
                out[m["epoch"]] = m["heldout"]
    return out


runs = {}  # (model, seed) -> {epoch: heldout}
for name in sorted(os.listdir(root)):
    p = os.path.join(root, name)
    if os.path.isdir(p) and os.path.exists(os.path.join(p, "eval.json")):
        model, _, seed = name.split("-")
        runs[(model, int(seed[4:]))] = heldout(os.path.join(p, "metrics.jsonl"))
seeds = sorted(s for (m, s) in runs if m == "m2" and ("untapped", s) in runs)


def signflip_p(d):
    """Exact two-sided p of the mean of d under random sign flips (all 2^n)."""
    obs = abs(sum(d)) - 1e-12
    hits = sum(1 for signs in itertools.product((1, -1), repeat=len(d)) if abs(sum(s * x for s, x in zip(signs, d))) >= obs)
    return hits / 2 ** len(d)


def ci(d, alpha=0.05):
    """The shifts delta whose sign-flip test on d - delta is not rejected at alpha (bisection on each side)."""
    m = sum(d) / len(d)
    span = max(abs(x - m) for x in d) * 4 + 1

    def edge(direction):
        lo, hi = m, m + direction * span  # p(lo) > alpha, p(hi) <= alpha
        if signflip_p([x - hi for x in d]) > alpha:
            return None
        for _ in range(50):
            mid = (lo + hi) / 2
            if signflip_p([x - mid for x in d]) > alpha:
                lo = mid
            else:
                hi = mid
        return lo

    return edge(-1), edge(1)


def fmt_test(d):
    lo, hi = ci(d)
    show = lambda v: "unbounded" if v is None else f"{v:+.3f}"
    return f"{sum(d) / len(d):+.3f} [{show(lo)}, {show(hi)}]", signflip_p(d)


n = len(seeds)
print(f"Over the {n} complete pairs (seeds {seeds[0]}-{seeds[-1]}):\n")

# 1. The late window, a robustness check of the single epoch 1000.
for lo_ep in (900,):
    window = range(lo_ep, 1001, 10)
    d = []
    for s in seeds:
        mean = lambda m: sum(runs[(m, s)][e]["ce"] for e in window) / len(window)
        d.append(mean("untapped") - mean("m2"))
    est, p = fmt_test(d)
    better = sum(x < 0 for x in d)
    print(f"- Late window (each seed's mean held-out CE over the {len(window)} evaluations of epochs {lo_ep}-1000; a "
          f"robustness check, not one of the pre-registered epochs): Untapped - M2 = {est}, p = {p:.3f}, Untapped "
          f"better on {better} of {n}.")
single = []
for e in range(900, 1001, 10):
    d = [runs[("untapped", s)][e]["ce"] - runs[("m2", s)][e]["ce"] for s in seeds]
    single.append((e, sum(x < 0 for x in d), signflip_p(d)))
print("- The single epochs of that window: " + ", ".join(f"{e}: {b}/{n} (p = {p:.3f})" for e, b, p in single) + ".")

# 2. Best epochs: the argmin of the mean curve, and the mean of each seed's best epoch.
for m in ("m2", "untapped"):
    epochs = sorted(runs[(m, seeds[0])])
    curve = {e: sum(runs[(m, s)][e]["ce"] for s in seeds) / n for e in epochs}
    arg = min(curve, key=curve.get)
    best = [min(runs[(m, s)], key=lambda e: runs[(m, s)][e]["ce"]) for s in seeds]
    print(f"- {m}: the mean curve is lowest at epoch {arg} ({curve[arg]:.3f}); the mean of each seed's best epoch is "
          f"{sum(best) / n:.0f} (per seed: {' '.join(map(str, best))}).")

# 3. Does the longer schedule help? CE at 1000 - CE at 150, per model.
for m in ("m2", "untapped"):
    d = [runs[(m, s)][1000]["ce"] - runs[(m, s)][150]["ce"] for s in seeds]
    est, p = fmt_test(d)
    print(f"- {m}, CE at epoch 1000 - at 150: {est}, p = {p:.3f}, worse at 1000 on {sum(x > 0 for x in d)} of {n}.")

# 4. Runs above ln 10 after epoch 150 (every trial, the partial pairs' too).
print()
for (m, s), h in sorted(runs.items()):
    above = [e for e in sorted(h) if e > 150 and h[e]["ce"] > LN10]
    if above:
        top = max(above, key=lambda e: h[e]["ce"])
        later = [e for e in sorted(h) if e > 150]
        print(f"- {m} seed {s}: held-out CE above ln 10 at {len(above)} of its {len(later)} evaluations after epoch 150 "
              f"(epochs {above[0]}-{above[-1]}), highest {h[top]['ce']:.3f} at epoch {top} with entropy "
              f"{h[top]['entropy']:.3f} and accuracy {100 * h[top]['acc']:.1f} %.")

# 5. Permutation changes: how much of the CE's movement between consecutive evaluations after epoch 150 comes at
# a change of the judge's permutation of the free dims.
print()
for m in ("m2", "untapped"):
    changes = steps = 0
    moved = moved_at_change = 0.0
    big = big_at_change = 0
    for s in seeds:
        h = runs[(m, s)]
        es = [e for e in sorted(h) if e >= 150]
        for a, b in zip(es, es[1:]):
            dce = abs(h[b]["ce"] - h[a]["ce"])
            changed = h[b]["permutation"] != h[a]["permutation"]
            steps += 1
            changes += changed
            moved += dce
            moved_at_change += dce if changed else 0
            if dce > 0.2:
                big += 1
                big_at_change += changed
    print(f"- {m}: {changes} permutation changes in {steps} steps of 10 epochs after epoch 150 ({n} seeds); those "
          f"steps carry {100 * moved_at_change / moved:.0f} % of the summed |change| of held-out CE; of the {big} "
          f"jumps over 0.2 nats, {big_at_change} coincide with a permutation change.")
