#!/usr/bin/env python3
"""docs/results.md "A better q(x)": per seed, the held-out CE of M2, plain Untapped and Untapped with
`--reverse-qx marginal` (paper preset, 150 epochs), the marginal runs' assignment-free CE, digits, and their reverse
ELBO's parts and decoder saturation at the last epoch, from docs/results/qx (python3, standard library)."""
import json, os, sys

root = sys.argv[1] if len(sys.argv) > 1 else "docs/results/qx"


def load(name):
    d = os.path.join(root, name)
    if not os.path.exists(os.path.join(d, "eval.json")):
        return None
    e = json.load(open(os.path.join(d, "eval.json")))
    last = [json.loads(l) for l in open(os.path.join(d, "metrics.jsonl")) if l.strip()][-1]
    return e, last


print("| seed | M2 CE | Untapped CE | marginal CE | marginal CE, best permutation | marginal accuracy | digits | "
      "log p(x~) | log q(y) | log q(x~) | saturation |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in range(1, 11):
    q = load(f"untapped-paper-reverse-qx-marginal-seed{s}")
    if q is None:
        continue
    m2, _ = load(f"m2-paper-seed{s}")
    un, _ = load(f"untapped-paper-seed{s}")
    e, last = q
    print(f"| {s} | {m2['ce_heldout']:.3f} | {un['ce_heldout']:.3f} | {e['ce_heldout']:.3f} | "
          f"{e['ce_heldout_best']:.3f} | {100 * e['acc_heldout']:.1f} % | {e['distinct_digits']} | "
          f"{last['reverse.log_p_x']:.1f} | {last['reverse.log_q_y']:.1f} | {last['reverse.log_q_x']:.1f} | "
          f"{last['decoder_saturation']:.3f} |")
