#include "prelude.h"

#define MAX_K 16
#define LOG_FLOOR 1e-30f
// -log(u + 1e-4) + 1e-4 >= 5e-9 exactly, but u + 1e-4 rounds in float for u near 1 and the difference can
// reach zero or below (a NaN sample about once per 10^7 draws): floor it.
#define GUMBEL_FLOOR 1e-20f

// y[r] = softmax((logits[r] + g[r]) / tau), g = -log(max(-log(u + 1e-4) + 1e-4, 1e-20)); without noise, g = 0.
// One work-item per row of K <= 16 classes.
KERNEL gumbel_softmax(BUF(logits), BUF(u), const int M, const int K, const float tau, const int hasNoise,
                      BUF(y)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float a[MAX_K];
    float mx = -3.0e38f;
    for (int k = 0; k < K; k++) {
        float v = VIEW(logits)[r * K + k];
        if (hasNoise) v += -log(fmax(-log(VIEW(u)[r * K + k] + 1e-4f) + 1e-4f, GUMBEL_FLOOR));
        a[k] = v / tau;
        mx = fmax(mx, a[k]);
    }
    float s = 0.0f;
    for (int k = 0; k < K; k++) { a[k] = exp(a[k] - mx); s += a[k]; }
    for (int k = 0; k < K; k++) VIEW(y)[r * K + k] = a[k] / s;
}

// dlogits += y (dy - <dy, y>) / tau.
KERNEL gumbel_softmax_backward(BUF(y), BUF(dy), const int M, const int K, const float tau, BUF(dlogits)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float s = 0.0f;
    for (int k = 0; k < K; k++) s += VIEW(dy)[r * K + k] * VIEW(y)[r * K + k];
    for (int k = 0; k < K; k++) {
        int i = r * K + k;
        VIEW(dlogits)[i] += VIEW(y)[i] * (VIEW(dy)[i] - s) / tau;
    }
}

// t[k] = log_softmax(logits)[k] - tau log y[k] for one row (log y floored); returns max_k t[k] and the row's
// log-sum-exp of the logits through *lse. Shared by the density and its backward.
DEVICE_FN float concrete_terms(GLOBAL float* l, GLOBAL float* y, int K, float tau, float* t, float* lse) {
    float mx = -3.0e38f;
    for (int k = 0; k < K; k++) mx = fmax(mx, l[k]);
    float se = 0.0f;
    for (int k = 0; k < K; k++) se += exp(l[k] - mx);
    *lse = mx + log(se);
    float tm = -3.0e38f;
    for (int k = 0; k < K; k++) {
        t[k] = l[k] - *lse - tau * log(fmax(y[k], LOG_FLOOR));
        tm = fmax(tm, t[k]);
    }
    return tm;
}

// Concrete log-density of y[r] under p = softmax(logits[r]), temperature tau, in log space:
// lp = logNorm - K LSE_k(lsm_k - tau log y_k) + sum_k (lsm_k - (tau+1) log y_k),
// lsm = log_softmax(logits), logNorm = log (K-1)! + (K-1) log tau (from the host). log y is floored at 1e-30.
KERNEL concrete_logpdf(BUF(logits), BUF(y), const int M, const int K, const float tau, const float logNorm,
                       BUF(lp)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float t[MAX_K], lse;
    float tm = concrete_terms(VIEW(logits) + r * K, VIEW(y) + r * K, K, tau, t, &lse);
    float lin = 0.0f;
    for (int k = 0; k < K; k++) lin += VIEW(logits)[r * K + k] - lse - (tau + 1.0f) * log(fmax(VIEW(y)[r * K + k], LOG_FLOOR));
    float st = 0.0f;
    for (int k = 0; k < K; k++) st += exp(t[k] - tm);
    VIEW(lp)[r] = logNorm - (float)K * (tm + log(st)) + lin;
}

// With w = softmax_k(lsm_k - tau log y_k): dlogits += g (1 - K w); dy += g (K tau w - tau - 1) / y.
KERNEL concrete_logpdf_backward(BUF(logits), BUF(y), BUF(g), const int M, const int K, const float tau,
                                const int hasDy, BUF(dlogits), BUF(dy)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float t[MAX_K], lse;
    float tm = concrete_terms(VIEW(logits) + r * K, VIEW(y) + r * K, K, tau, t, &lse);
    float st = 0.0f;
    for (int k = 0; k < K; k++) { t[k] = exp(t[k] - tm); st += t[k]; }
    float gr = VIEW(g)[r];
    for (int k = 0; k < K; k++) {
        int i = r * K + k;
        float w = t[k] / st;
        VIEW(dlogits)[i] += gr * (1.0f - (float)K * w);
        if (hasDy) VIEW(dy)[i] += gr * ((float)K * tau * w - tau - 1.0f) / fmax(VIEW(y)[i], LOG_FLOOR);
    }
}
