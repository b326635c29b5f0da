#include "prelude.h"

#define SIGMA_EPS 1e-5f

// zt = mu + sigma * eps, elementwise.
KERNEL gaussian_sample(BUF(mu), BUF(sigma), BUF(eps), const int n, BUF(zt)) {
    int i = (int)get_global_id(0);
    if (i >= n) return;
    VIEW(zt)[i] = VIEW(mu)[i] + VIEW(sigma)[i] * VIEW(eps)[i];
}

// dmu += dzt; dsigma += dzt * eps.
KERNEL gaussian_sample_backward(BUF(eps), BUF(dzt), const int n, BUF(dmu), BUF(dsigma)) {
    int i = (int)get_global_id(0);
    if (i >= n) return;
    float g = VIEW(dzt)[i];
    VIEW(dmu)[i] += g;
    VIEW(dsigma)[i] += g * VIEW(eps)[i];
}

// logN[r] = sum_d -((zt-mu)/s)^2 / 2 - log s - log(2 pi)/2, s = sigma + 1e-5. One work-item per row.
KERNEL gaussian_logpdf(BUF(zt), BUF(mu), BUF(sigma), const int M, const int D, BUF(logN)) {
    int r = (int)get_global_id(0);
    if (r >= M) return;
    float acc = 0.0f;
    for (int d = 0; d < D; d++) {
        int i = r * D + d;
        float s = VIEW(sigma)[i] + SIGMA_EPS;
        float q = (VIEW(zt)[i] - VIEW(mu)[i]) / s;
        acc += -0.5f * q * q - log(s) - LOG_2PI_HALF;
    }
    VIEW(logN)[r] = acc;
}

// Partial derivatives, scaled by g[r], accumulated into whichever of dzt, dmu, dsigma is present.
KERNEL gaussian_logpdf_backward(BUF(zt), BUF(mu), BUF(sigma), BUF(g), const int M, const int D,
                                const int hasDzt, BUF(dzt), BUF(dmu), BUF(dsigma)) {
    int i = (int)get_global_id(0);
    if (i >= M * D) return;
    float gr = VIEW(g)[i / D];
    float s = VIEW(sigma)[i] + SIGMA_EPS;
    float q = (VIEW(zt)[i] - VIEW(mu)[i]) / s;
    if (hasDzt) VIEW(dzt)[i] += -gr * q / s;
    VIEW(dmu)[i] += gr * q / s;
    VIEW(dsigma)[i] += gr * (q * q - 1.0f) / s;
}
