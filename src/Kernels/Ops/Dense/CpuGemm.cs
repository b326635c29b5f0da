using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// Packed, blocked SGEMM: C = act(op(A) op(B) + bias + (accumulate ? C : 0)), row-major.
/// op(B) is packed into NR-wide column panels per KC-deep block of K; row chunks of MC rows run in parallel, each
/// packing its op(A) rows into MR-high panels and calling an MR x NR register-tile micro-kernel (12 x 32 with
/// AVX-512, or 12 x 16 for outputs up to 16 columns and for a last panel of at most 16; 6 x 16 with AVX2) that adds
/// straight into C. Two schedules:
/// <list type="bullet">
/// <item>tall (packed op(B) for all of K fits in <see cref="WholeBBytes"/>: every layer's forward and input
/// gradient, and the weight gradients of narrow layers): B is packed once, then each row chunk walks every K block
/// while its MC x N strip of C stays in L2, and applies bias and activation while the strip is still hot, then the
/// caller's row-wise epilogue (<see cref="RowsReady"/>: the Bernoulli ops on the decoder's logits). One parallel
/// region, C written once.</item>
/// <item>deep (K large: weight gradients X^T dZ over the batch): C is split by columns, one group per thread, and
/// each group walks every K block packing its own op(B) panels; C is small and stays in cache, and no barrier
/// separates the K blocks. op(A), which every group reads whole, is packed once before them where it is packed at
/// all.</item>
/// </list>
/// Transposed A (X^T, stored [k, m]) is read in place where one K block of it is at most 256 KB (and always with
/// AVX-512): its MR rows for one k are contiguous already, so the micro-kernel reads whole panels straight from A with
/// a step of m floats per k; a larger one is packed, for its locality.
/// In both, every C element sums its K blocks in order and each block in k order, whatever the thread count.
/// </summary>
internal static unsafe class CpuGemm
{
    const int MRW = 12,
        NRW = 32,
        MRN = 6,
        NRN = 16,
        KC = LaunchShape.GemmKBlock,
        MC = 96;
    const long WholeBBytes = 8 << 20;

    // ColumnSums starts a bias block at every K block: BiasBlockRows must divide KC (else this constant fails to
    // compile, as DeviceGemm's slab check does).
    const uint BiasBlocksFitKBlocks = KC % BiasBlockRows == 0 ? 0 : -1;
    static bool Wide => Lanes.Wide;
    static bool Has256 => Lanes.Has256;
    static int MR => Wide ? MRW : MRN;
    static int NR => Wide ? NRW : NRN;

    /// <summary>
    /// Whether the deep schedule reads a transposed A in place (else <see cref="Deep"/> packs it: once, shared by the
    /// column groups, or per group as it goes). The 12-row AVX-512 panel reads 48 contiguous bytes per k, and in place
    /// it measured best there. A 6-row panel (AVX2, 128-bit) reads 24 bytes from a new line per k: once the K block of
    /// A (KC x m floats) no longer sits in half of a 512 KiB L2, streaming it strided from L3 for every B panel costs
    /// more than packing it. Measured on AVX2 (2026-12-03) in one process, alternating rep by rep: the decoder's
    /// 500x10000x784 weight gradient 14-18 % faster packed (three runs), the hidden layer's 250x10000x500 (a 256 KiB
    /// block) -6 to +5 %. A Zen 4's 1 MiB L2 does not change it: the paper step on AVX2, alternated step by step, 613.9
    /// ms packed against 659.6 in place (minima of 12, 2026-12-07, <c>bench/results/limit.md</c>, fourteenth session).
    /// </summary>
    static bool DeepInPlace(int m) => Wide || (long)m * KC * sizeof(float) <= 256 << 10;

    /// <summary>
    /// A packing buffer of at least <paramref name="length"/> floats from the pool, and the offset at which it starts
    /// on a 64-byte line: a k step of a 16-wide B panel is then exactly one cache line, not two halves (measured on
    /// AVX2: the 500x10000x784 weight gradient 86-88 % -> 90 % of OpenBLAS, four paired runs). The buffers are large
    /// enough to live on the large-object heap, which does not move them; if one ever moves, the offset stays correct
    /// and only the alignment is lost.
    /// </summary>
    static float[] RentAligned(int length, out int offset)
    {
        var a = ArrayPool<float>.Shared.Rent(length + 64 / sizeof(float));
        fixed (float* p = a)
            offset = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        return a;
    }

    /// <summary>
    /// Which loop nest runs; <see cref="Auto"/> takes tall when packed op(B) fits in <see cref="WholeBBytes"/> and
    /// there are at least as many row chunks as threads, else deep. Both give identical bits.
    /// </summary>
    internal enum Schedule
    {
        Auto,
        Tall,
        Deep,
    }

    /// <summary>
    /// Runs the GEMM; with <paramref name="sumsOfB"/> given, the deep schedule also adds op(B)'s column sums into it
    /// from its packed panels (<see cref="ColumnSums"/>) and returns true; false: the caller sums them itself.
    /// </summary>
    public static bool Run(
        CpuBackend cpu,
        Mem a,
        Mem b,
        Mem bias,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate,
        Mem c,
        Schedule schedule = Schedule.Auto,
        RowsReady? rowsReady = null,
        Mem sumsOfB = default
    )
    {
        if (m == 0 || n == 0)
            return false;
        if (k == 0)
        {
            cpu.Chunks(m, CpuBackend.Grain(n), (s, e) =>
            {
                if (!accumulate)
                    c.Span(s * n, (e - s) * n).Clear();
                Epilogue(c, s, e, n, bias, act);
                if (rowsReady is not null)
                    CpuBackend.RunRows(rowsReady, s, e);
            });
            return false;
        }
        int mc = ChunkRows(cpu, m);
        bool tall = schedule == Schedule.Auto ? TallFits(cpu, m, k, n, mc) : schedule == Schedule.Tall;
        if (!tall)
        {
            Deep(cpu, a, b, bias, m, k, n, PanelWidth(n), transA, transB, act, accumulate, c, sumsOfB);
            if (rowsReady is not null)
                cpu.ForRows(m, rowsReady);
            return !sumsOfB.IsEmpty;
        }
        Tall(cpu, a, m, k, transA, transB, mc, [new(b, bias, n, act, accumulate, c, rowsReady)]);
        return false;
    }

    /// <summary>One product of a shared A in the tall schedule: C = act(op(A) op(B) + bias + (accumulate ? C : 0)).</summary>
    internal readonly record struct Output(
        Mem B,
        Mem Bias,
        int N,
        Activation Act,
        bool Accumulate,
        Mem C,
        RowsReady? RowsReady
    );

    /// <summary>
    /// Whether <see cref="RunShared"/> takes the tall schedule for these outputs of one A: every output's packed B
    /// fits (<see cref="WholeBBytes"/>) and there are enough row chunks, as <see cref="Run"/> decides for one.
    /// </summary>
    internal static bool SharesTall(CpuBackend cpu, int m, int k, ReadOnlySpan<Output> outs)
    {
        if (m == 0 || k == 0)
            return false;
        int mc = ChunkRows(cpu, m);
        foreach (var o in outs)
        {
            if (o.N == 0 || !TallFits(cpu, m, k, o.N, mc))
                return false;
        }
        return true;
    }

    // The tall schedule when op(B) packed whole fits in WholeBBytes and there are at least as many row chunks as
    // threads (or panels); fewer row chunks than threads (a weight gradient with few rows) split C by columns instead.
    static bool TallFits(CpuBackend cpu, int m, int k, int n, int mc)
    {
        int nr = PanelWidth(n),
            panelsN = (n + nr - 1) / nr;
        return (long)k * panelsN * nr * sizeof(float) <= WholeBBytes
            && (m + mc - 1) / mc >= Math.Min(cpu.Threads, panelsN);
    }

    /// <summary>
    /// Several GEMMs of one A (op(A) m x k) in one tall pass (<see cref="SharesTall"/> must hold): each row chunk packs
    /// its op(A) panels once per K block and runs every output's tiles on them, so A is read once for all, and the
    /// outputs' partial last panels share panels where that saves tile work (<see cref="ShareTails"/>). Each C element
    /// is its own GEMM's, bit for bit (the same K blocks and FMA chains, whichever panel holds its column).
    /// </summary>
    internal static void RunShared(CpuBackend cpu, Mem a, int m, int k, bool transA, bool transB, Output[] outs) =>
        Tall(cpu, a, m, k, transA, transB, ChunkRows(cpu, m), outs);

    // Row chunks of MC rows, unless there are few: then as many as a multiple of the thread count, so that no thread
    // gets a whole extra chunk (784-row weight gradients: 9 chunks of 96 split 5:4, 10 of 84 split 5:5).
    static int ChunkRows(CpuBackend cpu, int m)
    {
        int threads = cpu.Threads,
            chunks = (m + MC - 1) / MC;
        if (chunks >= 8 * threads)
            return MC;
        int want = (chunks + threads - 1) / threads * threads;
        return ((m + want - 1) / want + MR - 1) / MR * MR;
    }

    // The tall schedule: each output's op(B) packed whole (block kb at kb KC panelsN nr, panel p of it at + p nr kc),
    // then row chunks in parallel, each walking every K block while its MC-row strips of the outputs' C stay in L2,
    // and running each output's bias, activation and row-wise epilogue on its strip as soon as it is final.
    static void Tall(CpuBackend cpu, Mem a, int m, int k, bool transA, bool transB, int mc, Output[] outs)
    {
        int blocksK = (k + KC - 1) / KC;
        var tails = ShareTails(outs);
        // One pack per output (its whole panels only, when the tails are shared), then the shared tail panels.
        var packs = new Pack[outs.Length + (tails is null ? 0 : 1)];
        try
        {
            int tasks = 0;
            for (int i = 0; i < packs.Length; i++)
            {
                int nr = tails is null ? PanelWidth(outs[i].N) : NR,
                    panelsN = tails is not { } t ? (outs[i].N + nr - 1) / nr
                    : i < outs.Length ? t.Full[i]
                    : t.Panels;
                packs[i] = new(nr, panelsN, RentAligned(k * panelsN * nr, out int bo), bo, tasks);
                tasks += blocksK * panelsN;
            }
            int perOut = tasks / outs.Length;
            cpu.Chunks(tasks, Math.Max(1, perOut / blocksK / 4), (s, e) =>
            {
                for (int t = s; t < e; t++)
                {
                    int i = packs.Length - 1;
                    while (packs[i].FirstTask > t)
                        i--;
                    var (nr, panelsN, bp, bo, first) = packs[i];
                    int kb = (t - first) / panelsN,
                        p = (t - first) % panelsN,
                        k0 = kb * KC,
                        kc = Math.Min(KC, k - k0);
                    var dst = bp.AsSpan(bo + k0 * panelsN * nr + p * nr * kc, nr * kc);
                    if (i == outs.Length)
                    {
                        PackTails(outs, tails!.Value, p, k, transB, k0, kc, dst);
                        continue;
                    }
                    PackB(outs[i].B, k, outs[i].N, nr, transB, k0, kc, p * nr, dst);
                }
            });
            bool ahead = ReadsAhead(m, k, packs.Sum(p => p.PanelsN));
            cpu.Chunks(m, mc, (rs, re) =>
            {
                for (int k0 = 0; k0 < k; k0 += KC)
                    RowChunk(a, packs, tails, m, k, transA, k0, rs, re, outs, ahead);
                // The chunk's strips of C are final and in this core's L2: the fused row-wise ops run on them now.
                foreach (var o in outs)
                {
                    if (o.RowsReady is not null)
                        CpuBackend.RunRows(o.RowsReady, rs, re);
                }
            });
        }
        finally
        {
            foreach (var pack in packs)
            {
                if (pack.Bp is not null)
                    ArrayPool<float>.Shared.Return(pack.Bp);
            }
        }
    }

    /// <summary>
    /// Memory a GEMM reads next, as cache lines to prefetch (into L2) a few at a time between its tiles, so that the
    /// next K block's packing or in-place reads find it in cache rather than wait on memory. In the tall schedule, the
    /// op(A) a row chunk reads next: its own next K block, or after its last one the first K block of the next row
    /// chunk (the one the same worker most often takes next); in the deep schedule, a column group's next K block of
    /// B and its share of a transposed A read in place. Measured on one Zen 4, two threads, AVX-512, alternating with
    /// and without in one process (minima): 784x10000x10 TN 3.00 -> 2.13 ms, 784x10000x50 TN 6.32 -> 5.75,
    /// 784x10000x60 TN 6.36 -> 5.94, 10000x784x60 NN 5.96 -> 5.65, 250x10000x500 TN 14.32 -> 12.83; the large shapes
    /// within noise. On the AVX2 path 250x10000x500 TN 15.36 -> 13.85, 784x10000x60 TN 7.02 -> 6.63, 10000x784x60 NN
    /// 6.23 -> 5.70 (<c>bench/results/limit.md</c>, thirteenth session). Where A is smaller
    /// than the last-level cache, the product wider or the group's tiles few it lost 2-25 % (10000x250x10 NT,
    /// 10000x250x500 NN, 10x10000x250 TN): <see cref="ReadsAhead"/> and <see cref="AheadMinTiles"/> keep it out.
    /// Prefetching into L1 instead lost 5-10 % everywhere (it evicts the panels the tiles are reading).
    /// </summary>
    struct ReadAhead
    {
        readonly byte* _start;
        readonly long _stride;
        readonly int _perRow,
            _total;
        int _next;

        /// <summary><paramref name="rows"/> rows of <paramref name="rowFloats"/> floats, <paramref name="stride"/> floats apart.</summary>
        public ReadAhead(float* start, long stride, int rowFloats, int rows)
        {
            _start = (byte*)start;
            _stride = stride * sizeof(float);
            // Rows start anywhere in a line (the stride need not be whole lines): one line more than the row's bytes
            // need, counted from the line its first float is in.
            _perRow = rowFloats <= 0 ? 0 : (rowFloats * sizeof(float) + 63) / 64 + 1;
            _total = Math.Max(0, rows) * _perRow;
        }

        /// <summary>Lines in all.</summary>
        public readonly int Lines => _total;

        /// <summary>Prefetches the next <paramref name="count"/> lines (row by row).</summary>
        public void Issue(int count)
        {
            for (int end = Math.Min(_total, _next + count); _next < end; _next++)
            {
                int r = _next / _perRow;
                byte* line = (byte*)((nint)(_start + r * _stride) & ~(nint)63);
                Sse.Prefetch1(line + (_next - r * _perRow) * 64);
            }
        }
    }

    const long AheadMinBytes = 16 << 20;
    const int AheadMaxPanels = 4;

    // The deep schedule reads ahead where a group has at least this many tiles per K block (the 10-row weight
    // gradients' few tiles lost 5-25 % to it; 250x10000x500 gained 10 %).
    internal const int AheadMinTiles = 32;

    /// <summary>
    /// Whether a row chunk reads ahead (<see cref="ReadAhead"/>): A of at least 16 MiB (more than half a 32 MiB L3: it
    /// comes from memory) against at most four B panels in all (128 columns with AVX-512, 64 without).
    /// </summary>
    internal static bool ReadsAhead(int m, int k, int panels) =>
        Sse.IsSupported && (long)m * k * sizeof(float) >= AheadMinBytes && panels <= AheadMaxPanels;

    /// <summary>An output's packed op(B): panel width, panels, the buffer and its aligned start, its first pack task.</summary>
    readonly record struct Pack(int Nr, int PanelsN, float[] Bp, int Bo, int FirstTask);

    /// <summary>
    /// Several outputs of one A with their last, partial panels side by side in shared NR-wide panels: output i keeps
    /// Full[i] whole panels of its own, and its remaining columns sit in shared panel Panel[i] (-1: none) from column
    /// At[i] on.
    /// </summary>
    readonly record struct Tails(int[] Full, int[] Panel, int[] At, int Panels);

    /// <summary>
    /// Where the outputs' partial last panels go, first fit in output order, or null when sharing would not save tile
    /// work. The classifier's and the z-encoder's first layers share one A with 50 and 10 columns: in panels of their
    /// own, 16 + 16 + 16 + 16 and 16 columns of tiles on AVX2 (80 for 60); sharing, the 2 and 10 left over fill one
    /// panel (64). A shared panel's tile goes through the scratch tile, as an edge tile does, and each output's columns
    /// are stored from it: every element is the same FMA chain, so the same bits.
    /// </summary>
    static Tails? ShareTails(Output[] outs)
    {
        if (outs.Length < 2)
            return null;
        int[] full = new int[outs.Length],
            panel = new int[outs.Length],
            at = new int[outs.Length];
        var used = new List<int>();
        long apart = 0,
            shared = 0;
        for (int i = 0; i < outs.Length; i++)
        {
            int n = outs[i].N,
                nr = PanelWidth(n);
            apart += (n + nr - 1) / nr * nr;
            full[i] = n / NR;
            shared += full[i] * NR;
            int tail = n - full[i] * NR;
            panel[i] = -1;
            if (tail == 0)
                continue;
            int p = used.FindIndex(u => u + tail <= NR);
            if (p < 0)
            {
                p = used.Count;
                used.Add(0);
            }
            panel[i] = p;
            at[i] = used[p];
            used[p] += tail;
        }
        shared += used.Count * NR;
        return shared < apart ? new Tails(full, panel, at, used.Count) : null;
    }

    // Shared tail panel p of K block k0 (kc x NR, row-major in the panel): each output's columns from Full NR on at its
    // At, zeros elsewhere; op(B)'s element (k, j) as PackB reads it.
    static void PackTails(Output[] outs, Tails tails, int p, int k, bool transB, int k0, int kc, Span<float> dst)
    {
        dst.Clear();
        for (int i = 0; i < outs.Length; i++)
        {
            if (tails.Panel[i] != p)
                continue;
            Mem b = outs[i].B;
            int n = outs[i].N,
                c0 = tails.Full[i] * NR,
                w = n - c0,
                at = tails.At[i];
            for (int kk = 0; kk < kc; kk++)
            {
                var row = dst.Slice(kk * NR + at, w);
                if (!transB)
                {
                    b.Span((k0 + kk) * n + c0, w).CopyTo(row);
                    continue;
                }
                for (int j = 0; j < w; j++)
                    row[j] = b[(c0 + j) * k + k0 + kk];
            }
        }
    }

    // C is split by columns into one group per thread; each group walks every K block on its own, packing its own
    // op(B) panels: no barrier between K blocks. Every group needs all of op(A): where it is packed whole (not read in
    // place) and there are several groups, it is packed once, every K block in parallel, into one buffer they all
    // read (each group packed all of it before: the decoder's 500x10000x784 weight gradient packed its 20 MB of X^T
    // once per thread); otherwise a group packs each block as it goes, while it is in cache.
    static void Deep(
        CpuBackend cpu,
        Mem a,
        Mem b,
        Mem bias,
        int m,
        int k,
        int n,
        int nr,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate,
        Mem c,
        Mem sumsOfB
    )
    {
        int panelsM = (m + MR - 1) / MR,
            panelsN = (n + nr - 1) / nr,
            groups = Math.Min(panelsN, cpu.Threads),
            blockA = panelsM * MR * KC, // floats of one K block of packed op(A)
            direct = transA && DeepInPlace(m) ? Math.Min(panelsM, m / MR) : 0; // panels read in A itself
        bool sums = !sumsOfB.IsEmpty,
            shareA = groups > 1 && direct == 0; // a tail panel alone (direct > 0) is cheap to pack per group
        float[]? shared = null;
        int so = 0;
        if (shareA)
        {
            shared = RentAligned((k + KC - 1) / KC * blockA, out so);
            cpu.Chunks((k + KC - 1) / KC, 1, (bs, be) =>
            {
                for (int kb = bs; kb < be; kb++)
                {
                    int k0 = kb * KC;
                    PackAPanels(
                        a,
                        m,
                        k,
                        transA,
                        DeepInPlace(m),
                        k0,
                        Math.Min(KC, k - k0),
                        0,
                        panelsM,
                        shared.AsSpan(so + kb * blockA)
                    );
                }
            });
        }
        // The groups: each its columns of C over every K block, op(A) from the shared packing or packed as it goes.
        try
        {
            cpu.Chunks(groups, 1, (gs, ge) =>
            {
                float* tmp = stackalloc float[MRW * NRW];
                for (int g = gs; g < ge; g++)
                {
                    int p0 = g * panelsN / groups,
                        p1 = (g + 1) * panelsN / groups;
                    int ao = 0;
                    float[] ap = shared is null ? RentAligned(blockA, out ao) : shared,
                        bp = RentAligned((p1 - p0) * nr * KC, out int bo),
                        totals = sums ? ArrayPool<float>.Shared.Rent((p1 - p0 + 1) * nr) : [];
                    try
                    {
                        for (int k0 = 0; k0 < k; k0 += KC)
                        {
                            int kc = Math.Min(KC, k - k0);
                            bool overwrite = k0 == 0 && !accumulate;
                            int ab = shared is null ? ao : so + k0 / KC * blockA; // this K block's packed op(A)
                            if (shared is null)
                                PackAPanels(a, m, k, transA, DeepInPlace(m), k0, kc, 0, panelsM, ap.AsSpan(ao));
                            if (!transB)
                            {
                                PackRowwise(b, n, k0, kc, p0 * nr, p1 - p0, nr, bp.AsSpan(bo));
                            }
                            else
                            {
                                for (int p = p0; p < p1; p++)
                                {
                                    PackB(
                                        b,
                                        k,
                                        n,
                                        nr,
                                        transB,
                                        k0,
                                        kc,
                                        p * nr,
                                        bp.AsSpan(bo + (p - p0) * nr * kc, nr * kc)
                                    );
                                }
                            }
                            if (sums)
                                ColumnSums(bp.AsSpan(bo, (p1 - p0) * nr * kc), p1 - p0, nr, kc, k0 == 0, totals);

                            fixed (
                                float* pa = &ap[ab],
                                    pb = &bp[bo],
                                    pc = &c.Data[c.Offset],
                                    pA = &a.Data[a.Offset],
                                    pB = &b.Data[b.Offset]
                            )
                            {
                                // The next K block's rows of B (this group's columns) and of a transposed A read
                                // in place (this group's share of them), read ahead a few lines a tile.
                                ReadAhead aheadB = default,
                                    aheadA = default;
                                int tiles = (p1 - p0) * panelsM,
                                    perB = 0,
                                    perA = 0;
                                if (Sse.IsSupported && k0 + KC < k && !transB && tiles >= AheadMinTiles)
                                {
                                    int nk0 = k0 + KC,
                                        nkc = Math.Min(KC, k - nk0),
                                        c0 = p0 * nr;
                                    aheadB = new ReadAhead(pB + (long)nk0 * n + c0, n, Math.Min(n, p1 * nr) - c0, nkc);
                                    perB = (aheadB.Lines + tiles - 1) / tiles;
                                    if (transA && direct > 0)
                                    {
                                        int r0 = g * m / groups,
                                            r1 = (g + 1) * m / groups;
                                        aheadA = new ReadAhead(pA + (long)nk0 * m + r0, m, r1 - r0, nkc);
                                        perA = (aheadA.Lines + tiles - 1) / tiles;
                                    }
                                }
                                for (int pn = p0; pn < p1; pn++)
                                {
                                    for (int pm = 0; pm < panelsM; pm++)
                                    {
                                        aheadB.Issue(perB);
                                        aheadA.Issue(perA);
                                        float* ptr = APanel(pA, pa, m, k0, kc, pm * MR, pm, direct, out int step);
                                        Tile(
                                            ptr,
                                            step,
                                            pb + (pn - p0) * nr * kc,
                                            kc,
                                            pm * MR,
                                            pn * nr,
                                            m,
                                            n,
                                            nr,
                                            pc,
                                            overwrite,
                                            tmp
                                        );
                                    }
                                }
                            }
                        }
                        if (sums)
                        {
                            int c0 = p0 * nr,
                                cols = Math.Min(n, p1 * nr) - c0;
                            var db = sumsOfB.Span(c0, cols);
                            TensorPrimitives.Add(db, totals.AsSpan(0, cols), db);
                        }
                    }
                    finally
                    {
                        if (shared is null)
                            ArrayPool<float>.Shared.Return(ap);
                        ArrayPool<float>.Shared.Return(bp);
                        if (sums)
                            ArrayPool<float>.Shared.Return(totals);
                    }
                }
            });
        }
        finally
        {
            if (shared is not null)
                ArrayPool<float>.Shared.Return(shared);
        }
        if (!bias.IsEmpty || act != Activation.None)
            cpu.Chunks(m, CpuBackend.Grain(n), (s, e) => Epilogue(c, s, e, n, bias, act));
    }

    /// <summary>
    /// For every output, C[rs..re, :] (+)= op(A)[rs..re, k0..k0+kc] * its packed B block; the first block overwrites
    /// unless accumulating, the last applies the output's bias and activation. The op(A) panels are packed once.
    /// With <paramref name="readAhead"/> (<see cref="ReadsAhead"/>), the op(A) rows it reads next are prefetched.
    /// </summary>
    static void RowChunk(
        Mem a,
        Pack[] packs,
        Tails? tails,
        int m,
        int k,
        bool transA,
        int k0,
        int rs,
        int re,
        Output[] outs,
        bool readAhead
    )
    {
        int kc = Math.Min(KC, k - k0),
            rows = re - rs,
            panelsM = (rows + MR - 1) / MR;
        float[] ap = RentAligned(panelsM * MR * kc, out int ao);
        // The scratch tile, and a vector's width beyond it: Store reads whole vectors of a row (storing the live lanes
        // only), and a shared tail panel's columns start inside the row.
        float* tmp = stackalloc float[MRW * NRW + 16];
        try
        {
            int direct = PackAPanels(a, m, k, transA, true, k0, kc, rs, panelsM, ap.AsSpan(ao));
            fixed (
                float* pa = &ap[ao],
                    pA = &a.Data[a.Offset]
            )
            {
                // The next op(A) rows, read ahead after each A panel's tiles: this chunk's next K block, else the
                // next chunk's first.
                ReadAhead ahead = default;
                int perPanel = 0;
                if (readAhead)
                {
                    bool last = k0 + KC >= k;
                    int nk0 = last ? 0 : k0 + KC,
                        nkc = Math.Min(KC, k - nk0),
                        nrs = last ? re : rs,
                        nrows = Math.Min(m, nrs + rows) - nrs;
                    ahead = transA
                        ? new ReadAhead(pA + (long)nk0 * m + nrs, m, nrows, nkc)
                        : new ReadAhead(pA + (long)nrs * k + nk0, k, nkc, nrows);
                    perPanel = (ahead.Lines + panelsM - 1) / panelsM;
                }
                // A panel outside, B panels inside: the A panel (MR x kc, 12 KiB) stays in L1 while the B block
                // streams from L2. The other order keeps a B panel (kc x 32 floats, 32 KiB: all of Zen 4's L1)
                // and streams A, and both then come from L2 (single core, 10000x500x784: 109 vs 113 GFLOP/s in a
                // micro-benchmark of this loop).
                for (int pm = 0; pm < panelsM; pm++)
                {
                    float* ptr = APanel(pA, pa, m, k0, kc, rs + pm * MR, pm, direct, out int step);
                    for (int i = 0; i < outs.Length; i++)
                    {
                        var (nr, panelsN, bp, bo, _) = packs[i];
                        var o = outs[i];
                        fixed (
                            float* pb = &bp[bo + k0 * panelsN * nr],
                                pc = &o.C.Data[o.C.Offset]
                        )
                        {
                            for (int pn = 0; pn < panelsN; pn++)
                            {
                                Tile(
                                    ptr,
                                    step,
                                    pb + pn * nr * kc,
                                    kc,
                                    rs + pm * MR,
                                    pn * nr,
                                    m,
                                    o.N,
                                    nr,
                                    pc,
                                    k0 == 0 && !o.Accumulate,
                                    tmp
                                );
                            }
                        }
                    }
                    if (tails is { } t)
                        TailTiles(ptr, step, packs[outs.Length], t, kc, k0, rs + pm * MR, m, outs, tmp);
                    ahead.Issue(perPanel);
                }
            }

            if (k0 + kc == k)
            {
                foreach (var o in outs)
                    Epilogue(o.C, rs, re, o.N, o.Bias, o.Act);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(ap);
        }
    }

    // The shared tail panels' tiles for the A panel at row r0: each into the scratch tile, then every output's columns
    // stored from it into its C, overwriting on its first K block unless it accumulates.
    static void TailTiles(
        float* pa,
        int aStep,
        Pack shared,
        Tails tails,
        int kc,
        int k0,
        int r0,
        int m,
        Output[] outs,
        float* tmp
    )
    {
        fixed (float* pb = &shared.Bp[shared.Bo + k0 * shared.PanelsN * NR])
        {
            for (int p = 0; p < tails.Panels; p++)
            {
                Micro(pa, aStep, pb + p * NR * kc, kc, tmp, NR, NR, true);
                for (int i = 0; i < outs.Length; i++)
                {
                    if (tails.Panel[i] != p)
                        continue;
                    var o = outs[i];
                    fixed (float* pc = &o.C.Data[o.C.Offset])
                        Store(tmp + tails.At[i], r0, tails.Full[i] * NR, m, o.N, NR, pc, k0 == 0 && !o.Accumulate);
                }
            }
        }
    }

    /// <summary>
    /// Packs the count op(A) panels of rows [r0, r0 + count MR) for K block k0 into ap[p MR kc], except those the
    /// micro-kernel reads in place (returned: panels [0, direct) are not packed). Transposed A (X^T of a
    /// weight gradient) is stored [k, m]: the MR rows of one k are already contiguous, so every whole panel can be read
    /// straight from A with step m (<paramref name="inPlace"/>), and only a partial last panel is packed. Skipping that
    /// copy matters most in the deep schedule, where every column group would otherwise pack all of op(A) again;
    /// otherwise transposed A is packed row by row of A, front to back.
    /// </summary>
    static int PackAPanels(
        Mem a,
        int m,
        int k,
        bool transA,
        bool inPlace,
        int k0,
        int kc,
        int r0,
        int count,
        Span<float> ap
    )
    {
        if (transA && !inPlace)
        {
            PackRowwise(a, m, k0, kc, r0, count, MR, ap);
            return 0;
        }
        int direct = transA ? Math.Min(count, (m - r0) / MR) : 0;
        for (int p = direct; p < count; p++)
            PackA(a, m, k, transA, r0 + p * MR, k0, kc, ap.Slice(p * MR * kc, MR * kc));
        return direct;
    }

    /// <summary>
    /// Where panel p (rows from r) of op(A) for K block k0 starts and its step per k: in A itself, or packed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float* APanel(float* aBase, float* packed, int m, int k0, int kc, int r, int p, int direct, out int step)
    {
        step = p < direct ? m : MR;
        return p < direct ? aBase + (long)k0 * m + r : packed + p * MR * kc;
    }

    /// <summary>
    /// The C tile at (r0, c0) (+)= A panel (aStep floats per k) x packed B panel nr wide: in place when whole,
    /// through tmp at the edges.
    /// </summary>
    static void Tile(
        float* pa,
        int aStep,
        float* pb,
        int kc,
        int r0,
        int c0,
        int m,
        int n,
        int nr,
        float* pc,
        bool overwrite,
        float* tmp
    )
    {
        if (Wide && nr == NRW && n - c0 <= 16)
        {
            // The last panel of C holds at most 16 columns: half the 12 x 32 tile is padding, so the 12 x 16 tile
            // runs it, on the first 16 columns of the packed panel.
            if (r0 + MR <= m && n - c0 == 16)
            {
                MicroWide16(pa, aStep, pb, NRW, kc, pc + (long)r0 * n + c0, n, overwrite);
                return;
            }
            MicroWide16(pa, aStep, pb, NRW, kc, tmp, 16, true);
            Store(tmp, r0, c0, m, n, 16, pc, overwrite);
            return;
        }
        if (r0 + MR <= m && c0 + nr <= n)
        {
            Micro(pa, aStep, pb, kc, pc + (long)r0 * n + c0, n, nr, overwrite);
            return;
        }
        Micro(pa, aStep, pb, kc, tmp, nr, nr, true);
        Store(tmp, r0, c0, m, n, nr, pc, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Micro(float* pa, int aStep, float* pb, int kc, float* c, int ldc, int nr, bool overwrite)
    {
        if (!Wide)
        {
            if (Has256)
                MicroNarrow(pa, aStep, pb, kc, c, ldc, overwrite);
            else
                MicroNarrow128(pa, aStep, pb, kc, c, ldc, overwrite);
        }
        else if (nr == NRW)
        {
            MicroWide(pa, aStep, pb, kc, c, ldc, overwrite);
        }
        else
        {
            MicroWide16(pa, aStep, pb, 16, kc, c, ldc, overwrite);
        }
    }

    /// <summary>Panel width for an output n wide: 16 (one 512-bit vector) for outputs up to 16 columns with AVX-512,
    /// which halves the padded work of the 10- and 2-wide layers, else the micro-kernel's own.</summary>
    static int PanelWidth(int n) => Wide && n <= 16 ? 16 : NR;

    /// <summary>
    /// Rows [r0, r1) of C = act(C + bias): the bias row by row, the activation over the rows' contiguous span in one
    /// call, so that narrow outputs (2 to 50 columns) do not pay a vector tail per row. Same bits either way.
    /// </summary>
    static void Epilogue(Mem c, int r0, int r1, int n, Mem bias, Activation act)
    {
        if (!bias.IsEmpty)
        {
            for (int i = r0; i < r1; i++)
            {
                var row = c.Span(i * n, n);
                TensorPrimitives.Add(row, bias.Span(0, n), row);
            }
        }

        var rows = c.Span(r0 * n, (r1 - r0) * n);
        switch (act)
        {
            case Activation.Tanh:
                Elementwise.Map<TanhOp>(rows, rows);
                break;
            case Activation.Sigmoid:
                Elementwise.Map<SigmoidOp>(rows, rows);
                break;
            case Activation.Softplus:
                Elementwise.Map<SoftplusOp>(rows, rows);
                break;
        }
    }

    // op(A) rows [r0, r0+MR) x [k0, k0+kc) into ap[k * MR + r], zero-padded past m.
    static void PackA(Mem a, int m, int k, bool transA, int r0, int k0, int kc, Span<float> ap)
    {
        int h = Math.Min(MR, m - r0);
        if (transA)
        {
            // A is stored [k, m]: the MR rows of one k are contiguous.
            PackRowwise(a, m, k0, kc, r0, 1, MR, ap);
            return;
        }
        int done = 0;
        if (h == MR && Sse.IsSupported)
        {
            fixed (
                float* src = &a.Data[a.Offset + r0 * k + k0],
                    dst = ap
            )
            {
                done = Wide ? PackRows12(src, k, kc, dst) : PackRows6(src, k, kc, dst);
            }
        }

        fixed (
            float* dst = ap,
                a0 = &a.Data[a.Offset]
        )
        {
            for (int r = 0; r < MR; r++)
            {
                float* src = a0 + (long)(r0 + r) * k + k0;
                for (int kk = done; kk < kc; kk++)
                    dst[kk * MR + r] = r < h ? src[kk] : 0f;
            }
        }
    }

    // Panels [c0, c0 + count * width) of rows [k0, k0 + kc) of a row-major matrix with ld columns into
    // dst[p * width * kc + kk * width + j], zero-padded past column ld: the one packer for operands whose panel
    // rows are contiguous (transposed A, plain B). With several panels the source is read row by row, front to
    // back, which the hardware prefetcher follows; packing panel by panel would stride across 256 rows.
    /// <summary>
    /// Adds one packed K block of B (<paramref name="panels"/> panels of <paramref name="nr"/> columns by <paramref
    /// name="kc"/> rows) into its columns' running totals in <see cref="ActBiasBackward"/>'s order for db: rows in
    /// blocks of BiasBlockRows (which divides the K block), each summed from zero in row order, each block's sum then
    /// added to the total in block order (the first block's sum is the total: <paramref name="first"/>). The packed
    /// panels are in L1/L2 just after packing, so the dense layer's bias gradient costs no pass of its own over dZ.
    /// </summary>
    static void ColumnSums(ReadOnlySpan<float> packed, int panels, int nr, int kc, bool first, float[] totals)
    {
        float* sum = stackalloc float[NRW];
        fixed (float* pp = packed)
        {
            for (int p = 0; p < panels; p++)
            {
                var total = totals.AsSpan(p * nr, nr);
                for (int r0 = 0; r0 < kc; r0 += BiasBlockRows)
                {
                    float* rows = pp + ((long)p * kc + r0) * nr;
                    int count = Math.Min(kc, r0 + BiasBlockRows) - r0;
                    if (Wide)
                        BlockSum<V512>(rows, nr, count, sum);
                    else if (Has256)
                        BlockSum<V256>(rows, nr, count, sum);
                    else
                        BlockSum<V128>(rows, nr, count, sum);
                    var s = new ReadOnlySpan<float>(sum, nr);
                    if (first && r0 == 0)
                        s.CopyTo(total);
                    else
                        TensorPrimitives.Add(total, s, total);
                }
            }
        }
    }

    // sum = 0 + row 0 + row 1 + ... of `count` packed rows of nr (16 or 32) floats, one accumulator per vector of a
    // row (one to four), rows in order: each column the scalar chain ActBiasBackward's block sum adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void BlockSum<T>(float* rows, int nr, int count, float* sum)
        where T : struct, ISimd<T>
    {
        int vecs = nr / T.Count;
        T a0 = T.Create(0f),
            a1 = a0,
            a2 = a0,
            a3 = a0;
        for (int r = 0; r < count; r++)
        {
            ref float row = ref rows[r * nr];
            a0 += T.Load(ref row, 0);
            if (vecs > 1)
                a1 += T.Load(ref row, (nuint)T.Count);
            if (vecs > 2)
            {
                a2 += T.Load(ref row, (nuint)(2 * T.Count));
                a3 += T.Load(ref row, (nuint)(3 * T.Count));
            }
        }
        ref float o = ref *sum;
        T.Store(a0, ref o, 0);
        if (vecs > 1)
            T.Store(a1, ref o, (nuint)T.Count);
        if (vecs > 2)
        {
            T.Store(a2, ref o, (nuint)(2 * T.Count));
            T.Store(a3, ref o, (nuint)(3 * T.Count));
        }
    }

    static void PackRowwise(Mem src, int ld, int k0, int kc, int c0, int count, int width, Span<float> dst)
    {
        fixed (
            float* d0 = dst,
                s0 = &src.Data[src.Offset]
        )
        {
            for (int kk = 0; kk < kc; kk++)
            {
                float* row = s0 + (long)(k0 + kk) * ld;
                for (int p = 0; p < count; p++)
                {
                    int col = c0 + p * width,
                        w = Math.Min(width, ld - col);
                    float* d = d0 + (long)p * width * kc + kk * width;
                    if (w == width)
                        CopyRun(row + col, d, width);
                    else
                        PadRun(row + col, d, Math.Max(w, 0), width);
                }
            }
        }
    }

    // Copies len (6, 12, 16 or 32: the panel widths) floats in eight- and four-wide pieces, without a span per run.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void CopyRun(float* src, float* dst, int len)
    {
        int i = 0;
        if (Has256)
        {
            for (; i + 8 <= len; i += 8)
                Vector256.Store(Vector256.Load(src + i), dst + i);
        }

        for (; i + 4 <= len; i += 4)
            Vector128.Store(Vector128.Load(src + i), dst + i);
        for (; i < len; i++)
            dst[i] = src[i];
    }

    // dst[0..len) = src[0..w) then zeros: masked loads (which never touch memory past w), so a panel that is mostly
    // padding (a 2-column weight gradient in a 32-wide panel) costs a few vector stores per row, not a scalar loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PadRun(float* src, float* dst, int w, int len)
    {
        int i = 0;
        if (Avx.IsSupported)
        {
            for (; i + 8 <= len; i += 8)
                Avx.Store(dst + i, Avx.MaskLoad(src + i, Live8(w - i)));
        }

        for (; i < len; i++)
            dst[i] = i < w ? src[i] : 0f;
    }

    /// <summary>
    /// A lane mask with the first <paramref name="count"/> (clamped to 0..8) lanes set, for AVX's masked loads (its
    /// masked store is microcoded on AMD: <see cref="Store"/> does without it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Live8(int count) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    /// <summary>The same for AVX-512's masked loads and stores: the first <paramref name="count"/> of 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Live16(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    // Twelve rows of a row-major A (stride lda) into the 12-interleaved panel dst[k * 12 + r], eight k at a time:
    // an 8 x 8 transpose for rows 0-7 and two 4 x 4 transposes for rows 8-11, all in registers. Returns the k done.
    static int PackRows12(float* src, int lda, int kc, float* dst)
    {
        int kk = 0;
        for (; kk + 8 <= kc; kk += 8, src += 8, dst += 8 * MRW)
        {
            var r0 = Avx.LoadVector256(src);
            var r1 = Avx.LoadVector256(src + lda);
            var r2 = Avx.LoadVector256(src + 2 * lda);
            var r3 = Avx.LoadVector256(src + 3 * lda);
            var r4 = Avx.LoadVector256(src + 4 * lda);
            var r5 = Avx.LoadVector256(src + 5 * lda);
            var r6 = Avx.LoadVector256(src + 6 * lda);
            var r7 = Avx.LoadVector256(src + 7 * lda);
            var t0 = Avx.UnpackLow(r0, r1);
            var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3);
            var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5);
            var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7);
            var t7 = Avx.UnpackHigh(r6, r7);
            var s0 = Avx.Shuffle(t0, t2, 0x44);
            var s1 = Avx.Shuffle(t0, t2, 0xEE);
            var s2 = Avx.Shuffle(t1, t3, 0x44);
            var s3 = Avx.Shuffle(t1, t3, 0xEE);
            var s4 = Avx.Shuffle(t4, t6, 0x44);
            var s5 = Avx.Shuffle(t4, t6, 0xEE);
            var s6 = Avx.Shuffle(t5, t7, 0x44);
            var s7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Store(dst + 0 * MRW, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(dst + 1 * MRW, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(dst + 2 * MRW, Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(dst + 3 * MRW, Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(dst + 4 * MRW, Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(dst + 5 * MRW, Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(dst + 6 * MRW, Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(dst + 7 * MRW, Avx.Permute2x128(s3, s7, 0x31));
            var q0 = Avx.LoadVector256(src + 8 * lda);
            var q1 = Avx.LoadVector256(src + 9 * lda);
            var q2 = Avx.LoadVector256(src + 10 * lda);
            var q3 = Avx.LoadVector256(src + 11 * lda);
            var u0 = Avx.UnpackLow(q0, q1);
            var u1 = Avx.UnpackHigh(q0, q1);
            var u2 = Avx.UnpackLow(q2, q3);
            var u3 = Avx.UnpackHigh(q2, q3);
            var c0 = Avx.Shuffle(u0, u2, 0x44);
            var c1 = Avx.Shuffle(u0, u2, 0xEE); // k 0 | k 4, k 1 | k 5
            var c2 = Avx.Shuffle(u1, u3, 0x44);
            var c3 = Avx.Shuffle(u1, u3, 0xEE); // k 2 | k 6, k 3 | k 7
            Sse.Store(dst + 0 * MRW + 8, c0.GetLower());
            Sse.Store(dst + 4 * MRW + 8, c0.GetUpper());
            Sse.Store(dst + 1 * MRW + 8, c1.GetLower());
            Sse.Store(dst + 5 * MRW + 8, c1.GetUpper());
            Sse.Store(dst + 2 * MRW + 8, c2.GetLower());
            Sse.Store(dst + 6 * MRW + 8, c2.GetUpper());
            Sse.Store(dst + 3 * MRW + 8, c3.GetLower());
            Sse.Store(dst + 7 * MRW + 8, c3.GetUpper());
        }
        return kk;
    }

    // Six rows of a row-major A (stride lda) into the 6-interleaved panel dst[k * 6 + r], four k at a time: a 4 x 4
    // transpose for rows 0-3 and an unpack for rows 4-5, in 128-bit registers. Returns the k done. Packing op(A) is
    // a copy of all of A per GEMM: element by element it cost the AVX2 forward and input-gradient GEMMs about a
    // tenth of their time.
    static int PackRows6(float* src, int lda, int kc, float* dst)
    {
        int kk = 0;
        for (; kk + 4 <= kc; kk += 4, src += 4, dst += 4 * MRN)
        {
            var r0 = Sse.LoadVector128(src);
            var r1 = Sse.LoadVector128(src + lda);
            var r2 = Sse.LoadVector128(src + 2 * lda);
            var r3 = Sse.LoadVector128(src + 3 * lda);
            var r4 = Sse.LoadVector128(src + 4 * lda);
            var r5 = Sse.LoadVector128(src + 5 * lda);
            var t0 = Sse.UnpackLow(r0, r1);
            var t1 = Sse.UnpackHigh(r0, r1); // r0k0 r1k0 r0k1 r1k1 | r0k2 r1k2 r0k3 r1k3
            var t2 = Sse.UnpackLow(r2, r3);
            var t3 = Sse.UnpackHigh(r2, r3);
            var u0 = Sse.UnpackLow(r4, r5);
            var u1 = Sse.UnpackHigh(r4, r5); // r4k0 r5k0 r4k1 r5k1 | r4k2 r5k2 r4k3 r5k3
            Sse.Store(dst, Sse.MoveLowToHigh(t0, t2));
            Sse.StoreLow(dst + 4, u0);
            Sse.Store(dst + 6, Sse.MoveHighToLow(t2, t0));
            Sse.StoreHigh(dst + 10, u0);
            Sse.Store(dst + 12, Sse.MoveLowToHigh(t1, t3));
            Sse.StoreLow(dst + 16, u1);
            Sse.Store(dst + 18, Sse.MoveHighToLow(t3, t1));
            Sse.StoreHigh(dst + 22, u1);
        }
        return kk;
    }

    // op(B) [k0, k0+kc) x columns [c0, c0+nr) into bp[k * nr + j], zero-padded past n.
    static void PackB(Mem b, int k, int n, int nr, bool transB, int k0, int kc, int c0, Span<float> bp)
    {
        int w = Math.Min(nr, n - c0);
        if (!transB)
        {
            PackRowwise(b, n, k0, kc, c0, 1, nr, bp);
            return;
        }
        for (int j = 0; j < nr; j++)
        {
            if (j >= w)
            {
                for (int kk = 0; kk < kc; kk++)
                    bp[kk * nr + j] = 0f;
                continue;
            }
            var src = b.Span((c0 + j) * k + k0, kc);
            for (int kk = 0; kk < kc; kk++)
                bp[kk * nr + j] = src[kk];
        }
    }

    /// <summary>
    /// The part of a register tile that lies inside C, (+)= into C (the edge tiles; a shared tail panel's outputs):
    /// whole vectors with plain loads and stores, then the row's last partial vector with one AVX-512 masked load and
    /// store, or without AVX-512 four lanes and then scalars. Not AVX's vmaskmovps: its store is microcoded on AMD
    /// (Zen 3 and 4), and an edge tile paid it on every vector of every row at every K block: the 10000x784x60 forward
    /// ran 15 % slower than 10000x784x64 on the same tiles (one Zen 4, two threads). Each element is C + tile either
    /// way: the same bits.
    /// </summary>
    static void Store(float* tile, int r0, int c0, int m, int n, int nr, float* pc, bool overwrite)
    {
        int rows = Math.Min(MR, m - r0),
            cols = Math.Min(nr, n - c0);
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + r * nr,
                dst = pc + (long)(r0 + r) * n + c0;
            int j = 0;
            if (Wide)
            {
                for (; j + 16 <= cols; j += 16)
                    Put(Vector512.Load(src + j), dst + j, overwrite);
                if (j < cols)
                {
                    // The tile's row is read whole (the scratch tile has a vector's room past its end); C's lanes
                    // past the row's end are neither read nor written.
                    var live = Live16(cols - j);
                    var v = Vector512.Load(src + j);
                    if (!overwrite)
                        v += Avx512F.MaskLoad(dst + j, live, Vector512<float>.Zero);
                    Avx512F.MaskStore(dst + j, live, v);
                }
                continue;
            }
            if (Has256)
            {
                for (; j + 8 <= cols; j += 8)
                    Put(Vector256.Load(src + j), dst + j, overwrite);
            }
            if (Vector128.IsHardwareAccelerated)
            {
                for (; j + 4 <= cols; j += 4)
                    Put(Vector128.Load(src + j), dst + j, overwrite);
            }
            for (; j < cols; j++)
                dst[j] = overwrite ? src[j] : dst[j] + src[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(Vector256<float> v, float* p, bool overwrite) => (overwrite ? v : v + Vector256.Load(p)).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(Vector128<float> v, float* p, bool overwrite) => (overwrite ? v : v + Vector128.Load(p)).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(Vector512<float> v, float* p, bool overwrite) => (overwrite ? v : v + Vector512.Load(p)).Store(p);

    // c[r * ldc + j] (+)= sum_k a[k * aStep + r] b[k * NRN + j] for the 6 x 16 tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroNarrow(float* a, int aStep, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        // csharpier-ignore-start - a register tile: one line per row of accumulators
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        for (int kk = 0; kk < kc; kk++, a += aStep, b += NRN)
        {
            var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 8);
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
        // csharpier-ignore-end
    }

    // The 6 x 16 tile with 128-bit vectors (SSE/AVX without AVX2, Arm64 NEON), as three passes of two rows: 8
    // accumulators, 4 B vectors and a broadcast fit x86's 16 vector registers (three rows need 17 and spill). Each
    // element runs the same FMA chain over k as in MicroNarrow, so the bits are those of the 256-bit path.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroNarrow128(float* a, int aStep, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        // csharpier-ignore-start - a register tile: one line per row of accumulators
        for (int pair = 0; pair < MRN; pair += 2)
        {
            Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
            float* pa = a + pair,
                pb = b;
            for (int kk = 0; kk < kc; kk++, pa += aStep, pb += NRN)
            {
                var b0 = Vector128.Load(pb); var b1 = Vector128.Load(pb + 4); var b2 = Vector128.Load(pb + 8); var b3 = Vector128.Load(pb + 12);
                var x = Vector128.Create(pa[0]); c00 = Fma128.Of(x, b0, c00); c01 = Fma128.Of(x, b1, c01); c02 = Fma128.Of(x, b2, c02); c03 = Fma128.Of(x, b3, c03);
                x = Vector128.Create(pa[1]); c10 = Fma128.Of(x, b0, c10); c11 = Fma128.Of(x, b1, c11); c12 = Fma128.Of(x, b2, c12); c13 = Fma128.Of(x, b3, c13);
            }
            float* pc = c + (long)pair * ldc;
            Put(c00, pc, overwrite); Put(c01, pc + 4, overwrite); Put(c02, pc + 8, overwrite); Put(c03, pc + 12, overwrite); pc += ldc;
            Put(c10, pc, overwrite); Put(c11, pc + 4, overwrite); Put(c12, pc + 8, overwrite); Put(c13, pc + 12, overwrite);
        }
        // csharpier-ignore-end
    }

    // c[r * ldc + j] (+)= sum_k a[k * aStep + r] b[k * NRW + j] for the 12 x 32 tile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroWide(float* a, int aStep, float* b, int kc, float* c, int ldc, bool overwrite)
    {
        // csharpier-ignore-start - a register tile: one line per row of accumulators
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
        for (int kk = 0; kk < kc; kk++, a += aStep, b += NRW)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
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
        // csharpier-ignore-end
    }

    // c[r * ldc + j] (+)= sum_k a[k * aStep + r] b[k * 16 + j] for the 12 x 16 tile (outputs up to 16 wide).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MicroWide16(float* a, int aStep, float* b, int bStep, int kc, float* c, int ldc, bool overwrite)
    {
        // csharpier-ignore-start - a register tile: one line per row of accumulators
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default;
        for (int kk = 0; kk < kc; kk++, a += aStep, b += bStep)
        {
            var bv = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0); c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c2); c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c4); c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), bv, c6); c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), bv, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), bv, c8); c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), bv, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), bv, c10); c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), bv, c11);
        }
        Put(c0, c, overwrite); Put(c1, c += ldc, overwrite); Put(c2, c += ldc, overwrite); Put(c3, c += ldc, overwrite); Put(c4, c += ldc, overwrite);
        Put(c5, c += ldc, overwrite); Put(c6, c += ldc, overwrite); Put(c7, c += ldc, overwrite); Put(c8, c += ldc, overwrite); Put(c9, c += ldc, overwrite);
        Put(c10, c += ldc, overwrite); Put(c11, c += ldc, overwrite);
        // csharpier-ignore-end
    }
}
