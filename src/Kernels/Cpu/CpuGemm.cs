using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// Packed, blocked SGEMM: C = act(op(A) op(B) + bias + (accumulate ? C : 0)), row-major.
/// K is walked in KC-deep blocks (in order); for each block op(B) is packed into NR-wide column panels,
/// and row chunks of MC rows run in parallel, each packing its op(A) rows into MR-high panels and calling
/// an MR x NR register-tile micro-kernel (12 x 32 with AVX-512, 6 x 16 with AVX2). Every C element sums its
/// products in the same k order whatever the thread count; bias and activation (vectorised through
/// TensorPrimitives) are applied to each finished row strip when the last K block is stored.
/// </summary>
internal static unsafe class CpuGemm
{
    const int MRW = 12, NRW = 32, MRN = 6, NRN = 16, KC = 256, MC = 96;
    static readonly bool Wide = Vector512.IsHardwareAccelerated;
    static readonly int MR = Wide ? MRW : MRN, NR = Wide ? NRW : NRN;

    public static void Run(CpuAccelerator cpu, Mem a, Mem b, Mem bias, int m, int k, int n,
        bool transA, bool transB, Activation act, bool accumulate, Mem c)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            cpu.Chunks(m, CpuAccelerator.Grain(n), (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    var row = c.Span(i * n, n);
                    if (!accumulate) row.Clear();
                    Epilogue(row, bias, 0, act);
                }
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
                    float* tile = stackalloc float[MRW * NRW];
                    try
                    {
                        for (int p = 0; p < panelsM; p++) PackA(a, m, k, transA, rs + p * MR, k0, kc, ap.AsSpan(p * MR * kc, MR * kc));
                        for (int pn = 0; pn < panelsN; pn++)
                            for (int pm = 0; pm < panelsM; pm++)
                            {
                                fixed (float* pa = &ap[pm * MR * kc], pb = &bp[pn * NR * kc])
                                    if (Wide) MicroWide(pa, pb, kc, tile); else MicroNarrow(pa, pb, kc, tile);
                                Store(tile, rs + pm * MR, pn * NR, m, n, c, first && !accumulate);
                            }
                        if (last)
                            for (int i = rs; i < re; i++) Epilogue(c.Span(i * n, n), bias, 0, act);
                    }
                    finally { ArrayPool<float>.Shared.Return(ap); }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(bp); }
    }

    /// <summary>row = act(row + bias), vectorised.</summary>
    static void Epilogue(Span<float> row, Mem bias, int c0, Activation act)
    {
        if (!bias.IsEmpty) TensorPrimitives.Add(row, bias.Span(c0, row.Length), row);
        switch (act)
        {
            case Activation.Tanh: TensorPrimitives.Tanh(row, row); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(row, row); break;
            case Activation.Softplus: for (int j = 0; j < row.Length; j++) row[j] = Fn.Softplus(row[j]); break;
        }
    }

    // op(A) rows [r0, r0+MR) x [k0, k0+kc) into ap[k * MR + r], zero-padded past m.
    static void PackA(Mem a, int m, int k, bool transA, int r0, int k0, int kc, Span<float> ap)
    {
        int h = Math.Min(MR, m - r0);
        if (transA)
        {
            // A is stored [k, m]: the MR rows of one k are contiguous.
            for (int kk = 0; kk < kc; kk++)
            {
                var dst = ap.Slice(kk * MR, MR);
                a.Span((k0 + kk) * m + r0, h).CopyTo(dst);
                if (h < MR) dst[h..].Clear();
            }
            return;
        }
        for (int r = 0; r < MR; r++)
        {
            if (r >= h) { for (int kk = 0; kk < kc; kk++) ap[kk * MR + r] = 0f; continue; }
            var src = a.Span((r0 + r) * k + k0, kc);
            for (int kk = 0; kk < kc; kk++) ap[kk * MR + r] = src[kk];
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

    // C tile (+)= register tile; full-width rows go through TensorPrimitives, edges through the same calls on shorter spans.
    static void Store(float* tile, int r0, int c0, int m, int n, Mem c, bool overwrite)
    {
        int rows = Math.Min(MR, m - r0), cols = Math.Min(NR, n - c0);
        for (int r = 0; r < rows; r++)
        {
            var src = new ReadOnlySpan<float>(tile + r * NR, cols);
            var dst = c.Span((r0 + r) * n + c0, cols);
            if (overwrite) src.CopyTo(dst); else TensorPrimitives.Add(dst, src, dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroNarrow(float* a, float* b, int kc, float* t)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int kk = 0; kk < kc; kk++, a += MRN, b += NRN)
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
        c00.Store(t); c01.Store(t + 8); c10.Store(t + 16); c11.Store(t + 24); c20.Store(t + 32); c21.Store(t + 40);
        c30.Store(t + 48); c31.Store(t + 56); c40.Store(t + 64); c41.Store(t + 72); c50.Store(t + 80); c51.Store(t + 88);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroWide(float* a, float* b, int kc, float* t)
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default;
        Vector512<float> c100 = default, c101 = default;
        Vector512<float> c110 = default, c111 = default;
        for (int kk = 0; kk < kc; kk++, a += MRW, b += NRW)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            { var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01); }
            { var x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11); }
            { var x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21); }
            { var x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31); }
            { var x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41); }
            { var x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51); }
            { var x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61); }
            { var x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71); }
            { var x = Vector512.Create(a[8]); c80 = Vector512.FusedMultiplyAdd(x, b0, c80); c81 = Vector512.FusedMultiplyAdd(x, b1, c81); }
            { var x = Vector512.Create(a[9]); c90 = Vector512.FusedMultiplyAdd(x, b0, c90); c91 = Vector512.FusedMultiplyAdd(x, b1, c91); }
            { var x = Vector512.Create(a[10]); c100 = Vector512.FusedMultiplyAdd(x, b0, c100); c101 = Vector512.FusedMultiplyAdd(x, b1, c101); }
            { var x = Vector512.Create(a[11]); c110 = Vector512.FusedMultiplyAdd(x, b0, c110); c111 = Vector512.FusedMultiplyAdd(x, b1, c111); }
        }
        c00.Store(t + 0); c01.Store(t + 16);
        c10.Store(t + 32); c11.Store(t + 48);
        c20.Store(t + 64); c21.Store(t + 80);
        c30.Store(t + 96); c31.Store(t + 112);
        c40.Store(t + 128); c41.Store(t + 144);
        c50.Store(t + 160); c51.Store(t + 176);
        c60.Store(t + 192); c61.Store(t + 208);
        c70.Store(t + 224); c71.Store(t + 240);
        c80.Store(t + 256); c81.Store(t + 272);
        c90.Store(t + 288); c91.Store(t + 304);
        c100.Store(t + 320); c101.Store(t + 336);
        c110.Store(t + 352); c111.Store(t + 368);
    }
}
