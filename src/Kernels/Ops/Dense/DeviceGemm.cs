namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>Sizes and switches of one GEMM launch.</summary>
public readonly struct GemmShape(
    int m,
    int k,
    int n,
    Flag transA,
    Flag transB,
    Flag hasBias,
    Activation act,
    Flag accumulate
)
{
    public readonly int M = m,
        K = k,
        N = n;
    public readonly Flag TransA = transA,
        TransB = transB,
        HasBias = hasBias,
        Accumulate = accumulate;
    public readonly Activation Act = act;
}

/// <summary>
/// The dense forward: C = act(op(A) op(B) + bias + (accumulate ? C : 0)); twin of CpuGemm.cs (this folder), in its
/// order: C (or 0), plus each K block of GemmKBlock summed as one FMA chain, plus bias, then the activation.
/// op(A) = A [M,K] or, with TransA, A stored [K,M]; op(B) = B [K,N] or, with TransB, B stored [N,K].
/// </summary>
static class DeviceGemm
{
    const int PerThread = GemmTile / GemmThreads; // 4 x 4 outputs per thread
    const int Loads = GemmSlab * GemmTile / (GemmThreads * GemmThreads); // elements of each tile a thread stages

    // The slabs tile the K blocks exactly, so a block ends at a slab's end (a compile error otherwise: -1 is no uint).
    const uint SlabsTileKBlocks = GemmKBlock % GemmSlab == 0 ? 0 : -1;

    /// <summary>
    /// One GemmTile x GemmTile tile of C per group of GemmThreads x GemmThreads threads (grid: column tiles x row
    /// tiles). K is staged through shared memory in slabs of GemmSlab; each thread keeps its 4 x 4 outputs in
    /// registers, strided by GemmThreads so that neighbouring threads touch neighbouring addresses.
    /// </summary>
    public static void Gemm(
        ArrayView<float> a, // [M,K] or [K,M]
        ArrayView<float> b, // [K,N] or [N,K]
        ArrayView<float> bias, // [N] or empty
        GemmShape s,
        ArrayView<float> c // [M,N]
    )
    {
        var As = SharedMemory.Allocate<float>(GemmSlab * GemmTile); // [kk, mm]
        var Bs = SharedMemory.Allocate<float>(GemmSlab * GemmTile); // [kk, nn]
        int tx = Group.IdxX,
            ty = Group.IdxY,
            tid = ty * GemmThreads + tx;
        int n0 = Grid.IdxX * GemmTile,
            m0 = Grid.IdxY * GemmTile;
        // Block sums (r) and the running totals (t) of the CPU's order: each C element sums K in blocks of GemmKBlock,
        // each block an FMA chain from zero, and adds the blocks in order onto C (accumulate) or zero. A block sum is
        // never -0 (it starts at +0), so 0 + block is the block itself, as the CPU's first, overwriting block is.
        Acc4 r0 = default,
            r1 = default,
            r2 = default,
            r3 = default,
            t0 = default,
            t1 = default,
            t2 = default,
            t3 = default;
        if (s.Accumulate)
        {
            t0.Load(m0 + ty, n0 + tx, s, c);
            t1.Load(m0 + ty + GemmThreads, n0 + tx, s, c);
            t2.Load(m0 + ty + 2 * GemmThreads, n0 + tx, s, c);
            t3.Load(m0 + ty + 3 * GemmThreads, n0 + tx, s, c);
        }
        for (int k0 = 0; k0 < s.K; k0 += GemmSlab)
        {
            for (int l = 0; l < Loads; l++)
            {
                int idx = tid + l * GemmThreads * GemmThreads;
                // Consecutive threads read consecutive addresses of whichever layout the operand has.
                int kk = s.TransA ? idx / GemmTile : idx % GemmSlab,
                    mm = s.TransA ? idx % GemmTile : idx / GemmSlab;
                int gm = m0 + mm,
                    gk = k0 + kk;
                As[kk * GemmTile + mm] = gm < s.M && gk < s.K ? (s.TransA ? a[gk * s.M + gm] : a[gm * s.K + gk]) : 0f;
                kk = s.TransB ? idx % GemmSlab : idx / GemmTile;
                int nn = s.TransB ? idx / GemmSlab : idx % GemmTile;
                int gn = n0 + nn;
                gk = k0 + kk;
                Bs[kk * GemmTile + nn] = gn < s.N && gk < s.K ? (s.TransB ? b[gn * s.K + gk] : b[gk * s.N + gn]) : 0f;
            }
            Group.Barrier();
            // Past K the slab holds zeros: a + (+-0) is a for the non-zero a, and +0 stays +0, so padding changes no bit.
            for (int kk = 0; kk < GemmSlab; kk++)
            {
                int o = kk * GemmTile;
                float b0 = Bs[o + tx],
                    b1 = Bs[o + tx + GemmThreads],
                    b2 = Bs[o + tx + 2 * GemmThreads],
                    b3 = Bs[o + tx + 3 * GemmThreads];
                r0.Fma(As[o + ty], b0, b1, b2, b3);
                r1.Fma(As[o + ty + GemmThreads], b0, b1, b2, b3);
                r2.Fma(As[o + ty + 2 * GemmThreads], b0, b1, b2, b3);
                r3.Fma(As[o + ty + 3 * GemmThreads], b0, b1, b2, b3);
            }
            Group.Barrier();
            if ((k0 + GemmSlab) % GemmKBlock == 0 || k0 + GemmSlab >= s.K)
            {
                t0.AddAndClear(ref r0);
                t1.AddAndClear(ref r1);
                t2.AddAndClear(ref r2);
                t3.AddAndClear(ref r3);
            }
        }
        Store(t0, m0 + ty, n0 + tx, bias, s, c);
        Store(t1, m0 + ty + GemmThreads, n0 + tx, bias, s, c);
        Store(t2, m0 + ty + 2 * GemmThreads, n0 + tx, bias, s, c);
        Store(t3, m0 + ty + 3 * GemmThreads, n0 + tx, bias, s, c);
    }

    // The epilogue of one row of a thread's outputs: columns n, n + GemmThreads, ...
    static void Store(Acc4 r, int m, int n, ArrayView<float> bias, GemmShape s, ArrayView<float> c)
    {
        if (m >= s.M)
            return;
        for (int j = 0; j < PerThread; j++)
        {
            int col = n + j * GemmThreads;
            if (col >= s.N)
                return;
            float v = r.Get(j);
            int i = m * s.N + col;
            if (s.HasBias)
                v += bias[col];
            c[i] = Fn.Act(v, s.Act);
        }
    }

    /// <summary>Four accumulators held in registers (a local array could be placed in local memory).</summary>
    struct Acc4
    {
        float _0,
            _1,
            _2,
            _3;

        public void Fma(float a, float b0, float b1, float b2, float b3)
        {
            _0 = Fn.Fma(a, b0, _0);
            _1 = Fn.Fma(a, b1, _1);
            _2 = Fn.Fma(a, b2, _2);
            _3 = Fn.Fma(a, b3, _3);
        }

        /// <summary>this += block (in the CPU's order), then block = 0 for the next K block.</summary>
        public void AddAndClear(ref Acc4 block)
        {
            _0 += block._0;
            _1 += block._1;
            _2 += block._2;
            _3 += block._3;
            block = default;
        }

        /// <summary>The row's four outputs of C (columns n, n + GemmThreads, ...; 0 past the edges).</summary>
        public void Load(int m, int n, GemmShape s, ArrayView<float> c)
        {
            _0 = At(m, n, s, c);
            _1 = At(m, n + GemmThreads, s, c);
            _2 = At(m, n + 2 * GemmThreads, s, c);
            _3 = At(m, n + 3 * GemmThreads, s, c);
        }

        static float At(int m, int n, GemmShape s, ArrayView<float> c) => m < s.M && n < s.N ? c[m * s.N + n] : 0f;

        public readonly float Get(int j) =>
            j == 0 ? _0
            : j == 1 ? _1
            : j == 2 ? _2
            : _3;
    }
}
