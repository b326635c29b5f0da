using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// Packed, blocked SGEMM: C = act(op(A) op(B) + bias + (accumulate ? C : 0)), row-major.
/// K is walked in KC-deep blocks (in order); for each block op(B) is packed into NR-wide column panels,
/// and row chunks of MC rows run in parallel, each packing its op(A) rows into MR-high panels and calling
/// an MR x NR register-tile micro-kernel. Every C element sums its products in the same k order
/// whatever the thread count; the bias and activation are applied when the last K block is stored.
/// </summary>
internal static unsafe class CpuGemm
{
    const int MR = 6, NR = 16, KC = 256, MC = 96;

    public static void Run(CpuAccelerator cpu, Mem a, Mem b, Mem bias, int m, int k, int n,
        bool transA, bool transB, Activation act, bool accumulate, Mem c)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            cpu.Chunks(m, CpuAccelerator.Grain(n), (s, e) =>
            {
                for (int i = s; i < e; i++)
                    for (int j = 0; j < n; j++)
                        c[i * n + j] = Fn.Act((accumulate ? c[i * n + j] : 0f) + (bias.IsEmpty ? 0f : bias[j]), act);
            });
            return;
        }
        int panelsN = (n + NR - 1) / NR;
        float[] bp = ArrayPool<float>.Shared.Rent(panelsN * NR * KC);
        try
        {
            for (int k0 = 0; k0 < k; k0 += KC)
            {
                int kc = Math.Min(KC, k - k0);
                bool first = k0 == 0, last = k0 + kc == k;
                cpu.Chunks(panelsN, Math.Max(1, panelsN / 16), (ps, pe) =>
                {
                    for (int p = ps; p < pe; p++) PackB(b, k, n, transB, k0, kc, p * NR, bp.AsSpan(p * NR * kc, NR * kc));
                });
                cpu.Chunks(m, MC, (rs, re) =>
                {
                    int rows = re - rs, panelsM = (rows + MR - 1) / MR;
                    float[] ap = ArrayPool<float>.Shared.Rent(panelsM * MR * kc);
                    try
                    {
                        for (int p = 0; p < panelsM; p++) PackA(a, m, k, transA, rs + p * MR, k0, kc, ap.AsSpan(p * MR * kc, MR * kc));
                        var tile = new Tile();
                        for (int pn = 0; pn < panelsN; pn++)
                            for (int pm = 0; pm < panelsM; pm++)
                            {
                                fixed (float* pa = &ap[pm * MR * kc], pb = &bp[pn * NR * kc])
                                    Micro(pa, pb, kc, ref tile);
                                Store(ref tile, rs + pm * MR, pn * NR, m, n, c, bias, act, first && !accumulate, last);
                            }
                    }
                    finally { ArrayPool<float>.Shared.Return(ap); }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(bp); }
    }

    // op(A) rows [r0, r0+MR) x [k0, k0+kc) into ap[k * MR + r], zero-padded past m.
    static void PackA(Mem a, int m, int k, bool transA, int r0, int k0, int kc, Span<float> ap)
    {
        for (int r = 0; r < MR; r++)
        {
            int row = r0 + r;
            if (row >= m) { for (int kk = 0; kk < kc; kk++) ap[kk * MR + r] = 0f; continue; }
            if (transA) for (int kk = 0; kk < kc; kk++) ap[kk * MR + r] = a[(k0 + kk) * m + row];
            else
            {
                var src = a.Span(row * k + k0, kc);
                for (int kk = 0; kk < kc; kk++) ap[kk * MR + r] = src[kk];
            }
        }
    }

    // op(B) [k0, k0+kc) x columns [c0, c0+NR) into bp[k * NR + j], zero-padded past n.
    static void PackB(Mem b, int k, int n, bool transB, int k0, int kc, int c0, Span<float> bp)
    {
        int w = Math.Min(NR, n - c0);
        if (!transB)
        {
            for (int kk = 0; kk < kc; kk++)
            {
                var dst = bp.Slice(kk * NR, NR);
                b.Span((k0 + kk) * n + c0, w).CopyTo(dst);
                if (w < NR) dst[w..].Clear();
            }
            return;
        }
        for (int j = 0; j < NR; j++)
        {
            if (j >= w) { for (int kk = 0; kk < kc; kk++) bp[kk * NR + j] = 0f; continue; }
            var src = b.Span((c0 + j) * k + k0, kc);
            for (int kk = 0; kk < kc; kk++) bp[kk * NR + j] = src[kk];
        }
    }

    [InlineArray(MR * NR)]
    struct Tile { float _e; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Micro(float* a, float* b, int kc, ref Tile tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int kk = 0; kk < kc; kk++, a += MR, b += NR)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        fixed (float* t = &tile[0])
        {
            c00.Store(t); c01.Store(t + 8); c10.Store(t + 16); c11.Store(t + 24); c20.Store(t + 32); c21.Store(t + 40);
            c30.Store(t + 48); c31.Store(t + 56); c40.Store(t + 64); c41.Store(t + 72); c50.Store(t + 80); c51.Store(t + 88);
        }
    }

    static void Store(ref Tile tile, int r0, int c0, int m, int n, Mem c, Mem bias, Activation act, bool overwrite, bool last)
    {
        int rows = Math.Min(MR, m - r0), cols = Math.Min(NR, n - c0);
        for (int r = 0; r < rows; r++)
        {
            var dst = c.Span((r0 + r) * n + c0, cols);
            for (int j = 0; j < cols; j++)
            {
                float v = tile[r * NR + j] + (overwrite ? 0f : dst[j]);
                if (last)
                {
                    if (!bias.IsEmpty) v += bias[c0 + j];
                    v = Fn.Act(v, act);
                }
                dst[j] = v;
            }
        }
    }
}
