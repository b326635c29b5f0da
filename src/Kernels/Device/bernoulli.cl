#include "prelude.h"

#define BERN_ORIGINAL 0
#define BERN_EXACT 1
#define BERN_CLIP 1e-5f
// sigmoid(+-BERN_LOGIT_CLIP) = 1 - 1e-5 and 1e-5: ln(99999).
#define BERN_LOGIT_CLIP 11.512915464920228f

// logp[r] = sum_d x log m + (1-x) log(1-m), m = sigmoid(logits), computed as x l - softplus(l).
// The original form clips m to [1e-5, 1-1e-5]; since sigmoid is monotone that is the same as clamping l to
// +-ln(99999), and x lc - softplus(lc) equals x log m + (1-x) log(1-m) exactly in real arithmetic while avoiding
// the cancellation in 1 - m (m near 1 - 1e-5 holds only a few bits of 1 - m in float). One work-group per row.
KERNEL bernoulli_loglik(BUF(x), BUF(logits), const int M, const int D, const int form, BUF(logp)) {
    LOCAL_DECL float sh[ROW_WG];
    int l = (int)get_local_id(0), r = (int)get_group_id(0);
    GLOBAL float* xr = VIEW(x) + r * D;
    GLOBAL float* lr = VIEW(logits) + r * D;
    float s = 0.0f;
    for (int d = l; d < D; d += ROW_WG) {
        float xv = xr[d], lv = lr[d];
        if (form == BERN_ORIGINAL) lv = clampf_(lv, -BERN_LOGIT_CLIP, BERN_LOGIT_CLIP);
        s += xv * lv - softplus_f(lv);
    }
    float t = group_reduce(sh, s, l, ROW_WG);
    if (l == 0) VIEW(logp)[r] = t;
}

// dlogits (+)= g[r] * d logp / d logits (added when accumulate, else written without reading: it may hold
// garbage); dx += g[r] * d logp / d x (when hasDx). Elementwise.
KERNEL bernoulli_loglik_backward(BUF(x), BUF(logits), BUF(g), const int M, const int D, const int form,
                                 const int accumulate, const int hasDx, BUF(dlogits), BUF(dx)) {
    int i = (int)get_global_id(0);
    if (i >= M * D) return;
    float gr = VIEW(g)[i / D], xv = VIEW(x)[i], lv = VIEW(logits)[i];
    float dl, dxv;
    if (form == BERN_EXACT) { dl = xv - sigmoid_f(lv); dxv = lv; }
    else {
        // The clipped mean passes gradient only strictly inside the clip; d logp / dx = log m - log(1-m) = lc.
        dl = fabs(lv) < BERN_LOGIT_CLIP ? xv - sigmoid_f(lv) : 0.0f;
        dxv = clampf_(lv, -BERN_LOGIT_CLIP, BERN_LOGIT_CLIP);
    }
    VIEW(dlogits)[i] = accumulate ? VIEW(dlogits)[i] + gr * dl : gr * dl;
    if (hasDx) VIEW(dx)[i] += gr * dxv;
}

// Hard: xs = [u < m]; relaxed: xs = sigmoid((logits + log u - log(1-u)) / tau). m is clipped as in form.
KERNEL bernoulli_sample(BUF(logits), BUF(u), const int n, const float tau, const int relaxed,
                        const int form, BUF(xs)) {
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float lv = VIEW(logits)[i], uv = VIEW(u)[i];
    float out;
    if (relaxed) out = sigmoid_f((lv + log(uv) - log(1.0f - uv)) / tau);
    else {
        float m = sigmoid_f(lv);
        if (form == BERN_ORIGINAL) m = clampf_(m, BERN_CLIP, 1.0f - BERN_CLIP);
        out = uv < m ? 1.0f : 0.0f;
    }
    VIEW(xs)[i] = out;
}

// Relaxed sample only: dlogits += dxs * xs (1 - xs) / tau.
KERNEL bernoulli_sample_backward(BUF(xs), BUF(dxs), const int n, const float tau, BUF(dlogits)) {
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float s = VIEW(xs)[i];
    VIEW(dlogits)[i] += VIEW(dxs)[i] * s * (1.0f - s) / tau;
}
