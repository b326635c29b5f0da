#include "prelude.h"

#define TS 64
#define TK 16

// C[M,N] = act(op(A)[M,K] op(B)[K,N] + bias[N] + (accumulate ? C : 0)).
// op(A) = A [M,K] or, with transA, A stored [K,M]; op(B) = B [K,N] or, with transB, B stored [N,K].
// 64x64 output tile per 16x16 work-group, 4x4 outputs per work-item strided by 16 so that
// neighbouring work-items touch neighbouring addresses; K is staged through local memory in 16-deep slabs.
KERNEL gemm(BUF(A), BUF(B), BUF(bias), const int M, const int K, const int N, const int transA,
            const int transB, const int hasBias, const int act, const int accumulate, BUF(C)) {
    GLOBAL float* a = VIEW(A);
    GLOBAL float* b = VIEW(B);
    GLOBAL float* c = VIEW(C);
    LOCAL_DECL float As[TK][TS];
    LOCAL_DECL float Bs[TK][TS];
    int tx = (int)get_local_id(0), ty = (int)get_local_id(1);
    int tid = ty * 16 + tx;
    int n0 = (int)get_group_id(0) * TS, m0 = (int)get_group_id(1) * TS;
    float acc[4][4];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int l = 0; l < 4; l++) {
            int idx = tid + l * 256;
            int kk, mm, nn;
            if (transA) { mm = idx % TS; kk = idx / TS; } else { kk = idx % TK; mm = idx / TK; }
            int gm = m0 + mm, gk = k0 + kk;
            As[kk][mm] = (gm < M && gk < K) ? (transA ? a[gk * M + gm] : a[gm * K + gk]) : 0.0f;
            if (transB) { kk = idx % TK; nn = idx / TK; } else { nn = idx % TS; kk = idx / TS; }
            int gn = n0 + nn; gk = k0 + kk;
            Bs[kk][nn] = (gn < N && gk < K) ? (transB ? b[gn * K + gk] : b[gk * N + gn]) : 0.0f;
        }
        BARRIER();
        for (int kk = 0; kk < TK; kk++) {
            float av[4], bv[4];
            for (int i = 0; i < 4; i++) av[i] = As[kk][ty + 16 * i];
            for (int j = 0; j < 4; j++) bv[j] = Bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bv[j];
        }
        BARRIER();
    }
    GLOBAL float* bi = VIEW(bias);
    for (int i = 0; i < 4; i++) {
        int m = m0 + ty + 16 * i;
        if (m >= M) continue;
        for (int j = 0; j < 4; j++) {
            int n = n0 + tx + 16 * j;
            if (n >= N) continue;
            float v = acc[i][j];
            if (accumulate) v += c[m * N + n];
            if (hasBias) v += bi[n];
            c[m * N + n] = apply_act(v, act);
        }
    }
}

// The dense backward's elementwise pass: dZ[i,j] = dY[i,j] act'(x) from the output Y = act(x), and
// db[j] += sum_i dZ[i,j]. Groups of 32 columns x 8 row lanes: a warp reads 32 consecutive floats of a row;
// lane r sums rows r, r+8, ... and the 8 lanes are added in a fixed tree order.
KERNEL act_bias_backward(BUF(Y), BUF(dY), const int M, const int N, const int act, const int writeDz, BUF(dZ), BUF(db)) {
    LOCAL_DECL float part[8][33];
    int cx = (int)get_local_id(0), ry = (int)get_local_id(1);
    int col = (int)get_group_id(0) * 32 + cx;
    GLOBAL float* y = VIEW(Y);
    GLOBAL float* dy = VIEW(dY);
    GLOBAL float* dz = VIEW(dZ);
    float s = 0.0f;
    if (col < N)
        for (int r = ry; r < M; r += 8) {
            int i = r * N + col;
            float g = dy[i] * act_grad_from_output(y[i], act);
            if (writeDz) dz[i] = g;
            s += g;
        }
    part[ry][cx] = s;
    BARRIER();
    for (int w = 4; w > 0; w >>= 1) {
        if (ry < w) part[ry][cx] += part[ry + w][cx];
        BARRIER();
    }
    if (ry == 0 && col < N) VIEW(db)[col] += part[0][cx];
}
