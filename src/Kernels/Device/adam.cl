#include "prelude.h"

// partials[g] = sum of x[i]^2 over chunk g of P equal chunks (one work-group of REDUCE_WG per chunk).
KERNEL sum_squares_partials(BUF(x), const int n, const int P, BUF(partials)) {
    LOCAL_DECL float sh[REDUCE_WG];
    int l = (int)get_local_id(0), g = (int)get_group_id(0);
    int chunk = (n + P - 1) / P, lo = g * chunk, hi = min(n, lo + chunk);
    float s = 0.0f;
    for (int i = lo + l; i < hi; i += REDUCE_WG) { float v = VIEW(x)[i]; s += v * v; }
    float t = group_reduce(sh, s, l, REDUCE_WG);
    if (l == 0) VIEW(partials)[g] = t;
}

// One launch over the flat parameter buffer. Each work-group reduces the P = REDUCE_WG partials
// to the global gradient norm (same tree in every group), then per element:
// g *= min(1, clipNorm / norm) if clipNorm > 0; g = clamp(g, -clipValue, clipValue) if clipValue > 0;
// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= stepSize * m / (sqrt(v) + eps),
// stepSize = lr sqrt(1-b2^t) / (1-b1^t) from the host (the original epsilon placement).
KERNEL adam(BUF(partials), const int n, const float stepSize, const float b1, const float b2,
            const float eps, const float clipNorm, const float clipValue,
            BUF(params), BUF(grads), BUF(m), BUF(v)) {
    LOCAL_DECL float sh[REDUCE_WG];
    int l = (int)get_local_id(0);
    float norm = sqrt(group_reduce(sh, VIEW(partials)[l], l, REDUCE_WG));
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float g = VIEW(grads)[i];
    if (clipNorm > 0.0f && norm > clipNorm) g *= clipNorm / norm;
    if (clipValue > 0.0f) g = clampf_(g, -clipValue, clipValue);
    float mi = b1 * VIEW(m)[i] + (1.0f - b1) * g;
    float vi = b2 * VIEW(v)[i] + (1.0f - b2) * g * g;
    VIEW(m)[i] = mi;
    VIEW(v)[i] = vi;
    VIEW(params)[i] -= stepSize * mi / (sqrt(vi) + eps);
}
