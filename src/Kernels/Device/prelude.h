// prelude.h: lets one kernel text compile as OpenCL C (any OpenCL 1.2 platform, POCL included)
// and as CUDA C++ under NVRTC. Kernels use only these macros for the parts that differ.
#ifndef UNTAPPED_PRELUDE_H
#define UNTAPPED_PRELUDE_H

#ifdef __CUDACC__
typedef unsigned int uint;
#define KERNEL extern "C" __global__ void
#define GLOBAL
#define LOCAL_DECL __shared__
#define DEVICE_FN __device__ static inline
#define BARRIER() __syncthreads()
#define LOCAL_PTR
__device__ static inline size_t uidx_dim(uint3 v, uint d) { return d == 0 ? v.x : (d == 1 ? v.y : v.z); }
__device__ static inline size_t uidx_dim(dim3 v, uint d) { return d == 0 ? v.x : (d == 1 ? v.y : v.z); }
#define get_local_id(d) uidx_dim(threadIdx, (d))
#define get_group_id(d) uidx_dim(blockIdx, (d))
#define get_local_size(d) uidx_dim(blockDim, (d))
#define get_num_groups(d) uidx_dim(gridDim, (d))
#define get_global_id(d) (get_group_id(d) * get_local_size(d) + get_local_id(d))
#define get_global_size(d) (get_num_groups(d) * get_local_size(d))
#define MULHI(a, b) __umulhi((a), (b))
#else
#define KERNEL __kernel void
#define GLOBAL __global
#define LOCAL_DECL __local
#define DEVICE_FN static inline
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define LOCAL_PTR __local
#define MULHI(a, b) mul_hi((a), (b))
#endif

// Every buffer argument is a (base, element offset) pair: parameters and activations are views
// into flat arenas, and OpenCL sub-buffers would impose an alignment the views do not have.
#define BUF(name) GLOBAL float* name##_base, const int name##_off
#define VIEW(name) (name##_base + name##_off)

#define ACT_NONE 0
#define ACT_TANH 1
#define ACT_SIGMOID 2
#define ACT_SOFTPLUS 3

DEVICE_FN float sigmoid_f(float x) { return 1.0f / (1.0f + exp(-x)); }
// softplus(x) = log(1 + e^x) without overflow.
DEVICE_FN float softplus_f(float x) { return fmax(x, 0.0f) + log1p(exp(-fabs(x))); }
DEVICE_FN float clampf_(float x, float lo, float hi) { return fmin(fmax(x, lo), hi); }

DEVICE_FN float apply_act(float v, int act) {
    if (act == ACT_TANH) return tanh(v);
    if (act == ACT_SIGMOID) return sigmoid_f(v);
    if (act == ACT_SOFTPLUS) return softplus_f(v);
    return v;
}

// d act / d pre-activation, written in terms of the activation's output y.
DEVICE_FN float act_grad_from_output(float y, int act) {
    if (act == ACT_TANH) return 1.0f - y * y;
    if (act == ACT_SIGMOID) return y * (1.0f - y);
    if (act == ACT_SOFTPLUS) return -expm1(-y);   // sigmoid(x) = 1 - e^{-softplus(x)}
    return 1.0f;
}

// Philox4x32-10 (Salmon et al., Random123). Counter c[0..3] is replaced by the output block.
DEVICE_FN void philox4x32_10(uint* c, uint k0, uint k1) {
    for (int r = 0; r < 10; r++) {
        if (r > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        uint hi0 = MULHI(0xD2511F53u, c[0]), lo0 = 0xD2511F53u * c[0];
        uint hi1 = MULHI(0xCD9E8D57u, c[2]), lo1 = 0xCD9E8D57u * c[2];
        uint n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
    }
}

// 24 random bits to a float strictly inside (0, 1); every step is exact in float arithmetic.
DEVICE_FN float uint_to_unit(uint x) { return ((float)(x >> 8) + 0.5f) * 5.9604644775390625e-8f; }

#define LOG_2PI_HALF 0.91893853320467274f
#define TWO_PI_F 6.2831853071795865f
#define REDUCE_WG 256
#define ROW_WG 128

// Sum of one value per work-item over a work-group of `size` (a power of two) in a fixed tree order;
// every work-item gets the total. All work-items of the group must call it.
DEVICE_FN float group_reduce(LOCAL_PTR float* sh, float v, int l, int size) {
    sh[l] = v;
    BARRIER();
    for (int w = size / 2; w > 0; w >>= 1) {
        if (l < w) sh[l] += sh[l + w];
        BARRIER();
    }
    float t = sh[0];
    BARRIER();
    return t;
}

#endif
