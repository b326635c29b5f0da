#include "prelude.h"

#define LOGDET_ORIGINAL 0
#define LOGDET_EXACT 1

// z = lo + (hi-lo) sigmoid(zt); logdet[r] = log(1e-5 + prod_d (hi-lo) s(1-s)) (original)
// or sum_d log(hi-lo) + log s + log(1-s) (exact, via log-sigmoid). One work-item per row.
KERNEL logistic_flow(BUF(zt), const int M, const int D, const float lo, const float hi, const int mode,
                     BUF(z), BUF(logdet)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float prod = 1.0f, sum = 0.0f, w = hi - lo;
    for (int d = 0; d < D; d++) {
        int i = r * D + d;
        float t = VIEW(zt)[i], s = sigmoid_f(t);
        VIEW(z)[i] = lo + w * s;
        prod *= w * s * (1.0f - s);
        sum += log(w) - softplus_f(-t) - softplus_f(t);
    }
    VIEW(logdet)[r] = mode == LOGDET_EXACT ? sum : log(1e-5f + prod);
}

// dzt += dz * (hi-lo) s (1-s) + dlogdet * d logdet / d zt.
KERNEL logistic_flow_backward(BUF(zt), BUF(dz), BUF(dlogdet), const int M, const int D, const float lo,
                              const float hi, const int mode, BUF(dzt)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float w = hi - lo, prod = 1.0f;
    for (int d = 0; d < D; d++) {
        float s = sigmoid_f(VIEW(zt)[r * D + d]);
        prod *= w * s * (1.0f - s);
    }
    float gl = VIEW(dlogdet)[r];
    for (int d = 0; d < D; d++) {
        int i = r * D + d;
        float s = sigmoid_f(VIEW(zt)[i]);
        float dld = mode == LOGDET_EXACT ? 1.0f - 2.0f * s : prod * (1.0f - 2.0f * s) / (1e-5f + prod);
        VIEW(dzt)[i] += VIEW(dz)[i] * w * s * (1.0f - s) + gl * dld;
    }
}

// zt = logit(clip((z - lo)/(hi - lo), 1e-5, 1 - 1e-5)), elementwise.
KERNEL logistic_flow_inverse(BUF(z), const int n, const float lo, const float hi, BUF(zt)) {
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float s = clampf_((VIEW(z)[i] - lo) / (hi - lo), 1e-5f, 1.0f - 1e-5f);
    VIEW(zt)[i] = log(s) - log(1.0f - s);
}
