#include "prelude.h"

// The four words of Philox block b of a stream: counter {b, 0, step, stream}, key {seedLo, seedHi}.
DEVICE_FN void stream_block(uint* c, int b, uint seedLo, uint seedHi, uint stream, uint step) {
    c[0] = (uint)b; c[1] = 0u; c[2] = step; c[3] = stream;
    philox4x32_10(c, seedLo, seedHi);
}

// out[i] ~ U(0,1), element i = word (i % 4) of Philox block i / 4,
// counter {i / 4, 0, step, stream}, key {seedLo, seedHi}. One work-item per block of four.
KERNEL philox_uniform(const int n, const uint seedLo, const uint seedHi, const uint stream,
                      const uint step, BUF(out)) {
    GLOBAL float* o = VIEW(out);
    int b = (int)get_global_id(0);
    if (b * 4 >= n) return;
    uint c[4];
    stream_block(c, b, seedLo, seedHi, stream, step);
    for (int j = 0; j < 4; j++) if (b * 4 + j < n) o[b * 4 + j] = uint_to_unit(c[j]);
}

// out[i] ~ N(0,1) by Box-Muller on the same blocks: words (0,1) give elements 0 (cos) and 1 (sin),
// words (2,3) give elements 2 and 3.
KERNEL philox_normal(const int n, const uint seedLo, const uint seedHi, const uint stream,
                     const uint step, BUF(out)) {
    GLOBAL float* o = VIEW(out);
    int b = (int)get_global_id(0);
    if (b * 4 >= n) return;
    uint c[4];
    stream_block(c, b, seedLo, seedHi, stream, step);
    for (int p = 0; p < 2; p++) {
        float r = sqrt(-2.0f * log(uint_to_unit(c[2 * p])));
        float t = TWO_PI_F * uint_to_unit(c[2 * p + 1]);
        if (b * 4 + 2 * p < n) o[b * 4 + 2 * p] = r * cos(t);
        if (b * 4 + 2 * p + 1 < n) o[b * 4 + 2 * p + 1] = r * sin(t);
    }
}
