using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// Packed, blocked SGEMM: C = act(op(A) op(B) + bias + (accumulate ? C : 0)), row-major.
/// op(B) is packed into NR-wide column panels per KC-deep block of K; row chunks of MC rows run in parallel,
/// each packing its op(A) rows into MR-high panels and calling an MR x NR register-tile micro-kernel
/// (12 x 32 with AVX-512, 6 x 16 with AVX2) that adds straight into C. Two schedules:
/// <list type="bullet">
/// <item>tall (packed op(B) for all of K fits in <see cref="WholeBBytes"/>: every layer's forward and input
/// gradient): B is packed once, then each row chunk walks every K block while its MC x N strip of C stays in
/// L2, and applies bias and activation while the strip is still hot. One parallel region, C written once.</item>
/// <item>deep (K large: weight gradients X^T dZ over the batch): K blocks outermost, each packing its slice of
/// B in parallel and then running the row chunks; C is small and stays in cache across blocks.</item>
/// </list>
/// In both, every C element sums its K blocks in order and each block in k order, whatever the thread count.
/// </summary>
internal static unsafe class CpuGemm
{
    const int MRW = 12, NRW = 32, MRN = 6, NRN = 16, KC = 256, MC = 96;
    const long WholeBBytes = 8 << 20;
    static readonly bool Wide = Vector512.IsHardwareAccelerated;
    static readonly int MR = Wide ? MRW : MRN, NR = Wide ? NRW : NRN;

    /// <summary>Which loop nest runs; <see cref="Auto"/> picks by the size of packed op(B). Both give identical bits.</summary>
    internal enum Schedule { Auto, Tall, Deep }

    public static void Run(CpuAccelerator cpu, Mem a, Mem b, Mem bias, int m, int k, int n,
        bool transA, bool transB, Activation act, bool accumulate, Mem c, Schedule schedule = Schedule.Auto)
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
        int panelsN = (n + NR - 1) / NR, blocksK = (k + KC - 1) / KC;
        bool tall = schedule == Schedule.Auto ? (long)k * panelsN * NR * sizeof(float) <= WholeBBytes : schedule == Schedule.Tall;
        // Block kb of packed B starts at kb * KC * panelsN * NR; panel p of it at + p * NR * kc.
        float[] bp = ArrayPool<float>.Shared.Rent(tall ? k * panelsN * NR : KC * panelsN * NR);
        try
        {
            if (tall)
            {
                cpu.Chunks(blocksK * panelsN, Math.Max(1, panelsN / 4), (s, e) =>
                {
                    for (int t = s; t < e; t++)
                    {
                        int kb = t / panelsN, p = t % panelsN, k0 = kb * KC, kc = Math.Min(KC, k - k0);
                        PackB(b, k, n, transB, k0, kc, p * NR, bp.AsSpan(k0 * panelsN * NR + p * NR * kc, NR * kc));
                    }
                });
                cpu.Chunks(m, MC, (rs, re) =>
                {
                    for (int k0 = 0; k0 < k; k0 += KC)
                        RowChunk(a, bp, k0 * panelsN * NR, m, k, n, transA, k0, rs, re, c, bias, act, accumulate);
                });
                return;
            }
            Deep(cpu, a, b, bias, m, k, n, transA, transB, act, accumulate, c, bp);
        }
        finally { ArrayPool<float>.Shared.Return(bp); }
    }

    // Per K block: pack all of op(A) and op(B) in one parallel pass, then split the tiles evenly over the threads
    // (M is too short to give every thread whole row chunks of equal size).
    static void Deep(CpuAccelerator cpu, Mem a, Mem b, Mem bias, int m, int k, int n, bool transA, bool transB,
        Activation act, bool accumulate, Mem c, float[] bp)
    {
        int panelsM = (m + MR - 1) / MR, panelsN = (n + NR - 1) / NR, tiles = panelsM * panelsN;
        int grain = Math.Max(1, tiles / (4 * cpu.Threads));
        float[] ap = ArrayPool<float>.Shared.Rent(panelsM * MR * KC);
        try
        {
            for (int k0 = 0; k0 < k; k0 += KC)
            {
                int kc = Math.Min(KC, k - k0), start = k0;
                bool overwrite = k0 == 0 && !accumulate;
                cpu.Chunks(panelsM + panelsN, Math.Max(1, (panelsM + panelsN) / 16), (s, e) =>
                {
                    for (int p = s; p < e; p++)
                        if (p < panelsM) PackA(a, m, k, transA, p * MR, start, kc, ap.AsSpan(p * MR * kc, MR * kc));
                        else PackB(b, k, n, transB, start, kc, (p - panelsM) * NR, bp.AsSpan((p - panelsM) * NR * kc, NR * kc));
                });
                cpu.Chunks(tiles, grain, (s, e) =>
                {
                    float* tmp = stackalloc float[MRW * NRW];
                    fixed (float* pa = ap, pb = bp, pc = &c.Data[c.Offset])
                        for (int t = s; t < e; t++)
                        {
                            int pn = t / panelsM, pm = t % panelsM;
                            Tile(pa + pm * MR * kc, pb + pn * NR * kc, kc, pm * MR, pn * NR, m, n, pc, c, overwrite, tmp);
                        }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(ap); }
        if (!bias.IsEmpty || act != Activation.None)
            cpu.Chunks(m, CpuAccelerator.Grain(n), (s, e) => { for (int i = s; i < e; i++) Epilogue(c.Span(i * n, n), bias, 0, act); });
    }

    /// <summary>
    /// C[rs..re, :] (+)= op(A)[rs..re, k0..k0+kc] * packed B block at bp[b0..]; the first block overwrites unless
    /// accumulating, the last applies the epilogue.
    /// </summary>
    static void RowChunk(Mem a, float[] bp, int b0, int m, int k, int n, bool transA, int k0, int rs, int re,
        Mem c, Mem bias, Activation act, bool accumulate)
    {
        int kc = Math.Min(KC, k - k0), rows = re - rs, panelsM = (rows + MR - 1) / MR, panelsN = (n + NR - 1) / NR;
        bool overwrite = k0 == 0 && !accumulate;
        float[] ap = ArrayPool<float>.Shared.Rent(panelsM * MR * kc);
        float* tmp = stackalloc float[MRW * NRW];
        try
        {
            for (int p = 0; p < panelsM; p++) PackA(a, m, k, transA, rs + p * MR, k0, kc, ap.AsSpan(p * MR * kc, MR * kc));
            fixed (float* pa = ap, pb = &bp[b0], pc = &c.Data[c.Offset])
                for (int pn = 0; pn < panelsN; pn++)
                    for (int pm = 0; pm < panelsM; pm++)
                        Tile(pa + pm * MR * kc, pb + pn * NR * kc, kc, rs + pm * MR, pn * NR, m, n, pc, c, overwrite, tmp);
            if (k0 + kc == k)
                for (int i = rs; i < re; i++) Epilogue(c.Span(i * n, n), bias, 0, act);
        }
        finally { ArrayPool<float>.Shared.Return(ap); }
    }

    /// <summary>The C tile at (r0, c0) (+)= packed A panel x packed B panel: in place when whole, through tmp at the edges.</summary>
    static void Tile(float* pa, float* pb, int kc, int r0, int c0, int m, int n, float* pc, Mem c, bool overwrite, float* tmp)
    {
        if (r0 + MR <= m && c0 + NR <= n)
        {
            if (Wide) MicroWide(pa, pb, kc, pc + (long)r0 * n + c0, n, overwrite);
            else MicroNarrow(pa, pb, kc, pc + (long)r0 * n + c0, n, overwrite);
            return;
        }
        if (Wide) MicroWide(pa, pb, kc, tmp, NR, true); else MicroNarrow(pa, pb, kc, tmp, NR, true);
        Store(tmp, r0, c0, m, n, c, overwrite);
    }

    /// <summary>row = act(row + bias), vectorised.</summary>
    static void Epilogue(Span<float> row, Mem bias, int c0, Activation act)
    {
        if (!bias.IsEmpty) TensorPrimitives.Add(row, bias.Span(c0, row.Length), row);
        switch (act)
        {
            case Activation.Tanh: Elementwise.Map<TanhOp>(row, row); break;
            case Activation.Sigmoid: Elementwise.Map<SigmoidOp>(row, row); break;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(Vector256<float> v, float* p, bool overwrite) => (overwrite ? v : v + Vector256.Load(p)).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(Vector512<float> v, float* p, bool overwrite) => (overwrite ? v : v + Vector512.Load(p)).Store(p);

    // c[r * ldc + j] (+)= sum_k a[k * MRN + r] b[k * NRN + j] for the 6 x 16 tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroNarrow(float* a, float* b, int kc, float* c, int ldc, bool overwrite)
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
        Put(c00, c, overwrite); Put(c01, c + 8, overwrite); c += ldc;
        Put(c10, c, overwrite); Put(c11, c + 8, overwrite); c += ldc;
        Put(c20, c, overwrite); Put(c21, c + 8, overwrite); c += ldc;
        Put(c30, c, overwrite); Put(c31, c + 8, overwrite); c += ldc;
        Put(c40, c, overwrite); Put(c41, c + 8, overwrite); c += ldc;
        Put(c50, c, overwrite); Put(c51, c + 8, overwrite);
    }

    // c[r * ldc + j] (+)= sum_k a[k * MRW + r] b[k * NRW + j] for the 12 x 32 tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroWide(float* a, float* b, int kc, float* c, int ldc, bool overwrite)
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
        Put(c00, c, overwrite); Put(c01, c + 16, overwrite); c += ldc;
        Put(c10, c, overwrite); Put(c11, c + 16, overwrite); c += ldc;
        Put(c20, c, overwrite); Put(c21, c + 16, overwrite); c += ldc;
        Put(c30, c, overwrite); Put(c31, c + 16, overwrite); c += ldc;
        Put(c40, c, overwrite); Put(c41, c + 16, overwrite); c += ldc;
        Put(c50, c, overwrite); Put(c51, c + 16, overwrite); c += ldc;
        Put(c60, c, overwrite); Put(c61, c + 16, overwrite); c += ldc;
        Put(c70, c, overwrite); Put(c71, c + 16, overwrite); c += ldc;
        Put(c80, c, overwrite); Put(c81, c + 16, overwrite); c += ldc;
        Put(c90, c, overwrite); Put(c91, c + 16, overwrite); c += ldc;
        Put(c100, c, overwrite); Put(c101, c + 16, overwrite); c += ldc;
        Put(c110, c, overwrite); Put(c111, c + 16, overwrite);
    }
}
