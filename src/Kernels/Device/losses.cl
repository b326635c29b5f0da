#include "prelude.h"

#define CE_FLOOR 1e-6f

// loss[r] = -log max(<target[r], p[r]>, 1e-6); target is one-hot, so <target, p> = p_true.
KERNEL clipped_ce(BUF(p), BUF(target), const int M, const int K, BUF(loss)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float pt = 0.0f;
    for (int k = 0; k < K; k++) pt += VIEW(target)[r * K + k] * VIEW(p)[r * K + k];
    VIEW(loss)[r] = -log(fmax(pt, CE_FLOOR));
}

// dp += g * (-target / p_true) where p_true > 1e-6, else 0 (the clip has no gradient).
KERNEL clipped_ce_backward(BUF(p), BUF(target), BUF(g), const int M, const int K, BUF(dp)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float pt = 0.0f;
    for (int k = 0; k < K; k++) pt += VIEW(target)[r * K + k] * VIEW(p)[r * K + k];
    if (pt <= CE_FLOOR) return;
    float gr = VIEW(g)[r];
    for (int k = 0; k < K; k++) VIEW(dp)[r * K + k] += -gr * VIEW(target)[r * K + k] / pt;
}

// out[r] = ||a[r] - b[r]||_2. One work-group per row.
KERNEL l2_distance(BUF(a), BUF(b), const int M, const int D, BUF(out)) {
    LOCAL_DECL float sh[ROW_WG];
    int l = (int)get_local_id(0), r = (int)get_group_id(0);
    float s = 0.0f;
    for (int d = l; d < D; d += ROW_WG) {
        float e = VIEW(a)[r * D + d] - VIEW(b)[r * D + d];
        s += e * e;
    }
    float t = group_reduce(sh, s, l, ROW_WG);
    if (l == 0) VIEW(out)[r] = sqrt(t);
}

// da += g (a - b) / ||a - b|| (zero where the distance is zero).
KERNEL l2_distance_backward(BUF(a), BUF(b), BUF(dist), BUF(g), const int M, const int D, const int accumulate, BUF(da)) {
    int i = (int)get_global_id(0);
    if (i >= M * D) return;
    float n = VIEW(dist)[i / D];
    float v = n > 0.0f ? VIEW(g)[i / D] * (VIEW(a)[i] - VIEW(b)[i]) / n : 0.0f;
    if (accumulate) { if (n > 0.0f) VIEW(da)[i] += v; }
    else VIEW(da)[i] = v;
}

// out[0] += coef * mean(v[0..M)). One work-group of REDUCE_WG; fixed order.
KERNEL row_mean_accumulate(BUF(v), const int M, const float coef, BUF(out)) {
    LOCAL_DECL float sh[REDUCE_WG];
    int l = (int)get_local_id(0);
    float s = 0.0f;
    for (int i = l; i < M; i += REDUCE_WG) s += VIEW(v)[i];
    float t = group_reduce(sh, s, l, REDUCE_WG);
    if (l == 0) VIEW(out)[0] += coef * (t / (float)M);
}

// out[i] = value.
KERNEL fill(const int n, const float value, BUF(out)) {
    int i = (int)get_global_id(0);
    if (i < n) VIEW(out)[i] = value;
}
