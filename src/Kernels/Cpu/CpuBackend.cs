namespace Untapped.Kernels.Cpu;

/// <summary>
/// The managed backend: each kernel of the catalogue has a twin here with the same name and maths (partial-class files
/// in the family's folder, Ops/(family)/, named for the Device file they mirror: CpuDense for DeviceDense, ...). Work
/// is split into chunks whose boundaries depend only on the problem size, never on the thread count, and every
/// reduction runs in a fixed order inside its chunk: results are bitwise identical for any number of threads.
/// </summary>
public sealed partial class CpuBackend : Backend
{
    readonly ParallelOptions _parallel;

    /// <param name="threads">Worker threads; 0 means every core.</param>
    public CpuBackend(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    public int Threads { get; }
    public override BackendKind Kind => BackendKind.Cpu;
    public override string Name => $"managed CPU ({Threads} threads, {Lanes.Path})";

    public override BackendBuffer Allocate(int length) => new CpuBuffer(this, length);

    protected override void CopyFromHostCore(ReadOnlySpan<float> source, View destination) =>
        source.CopyTo(S(destination));

    protected override void CopyToHostCore(View source, Span<float> destination) => S(source).CopyTo(destination);

    protected override void CopyCore(View source, View destination) => S(source).CopyTo(S(destination));

    public override void Synchronize() { }

    /// <summary>The host span of a view (CPU buffers live in managed arrays).</summary>
    internal static Span<float> S(View v) =>
        v.IsEmpty ? default : ((CpuBuffer)v.Buffer!).Data.AsSpan(v.Offset, v.Length);

    /// <summary>Scratch for one row function call per chunk (what the device kernel keeps in local memory).</summary>
    internal static Mem Scratch(int length) => new(new float[length], 0);

    internal static Mem A(View v) => v.IsEmpty ? default : new Mem(((CpuBuffer)v.Buffer!).Data, v.Offset);

    /// <summary>
    /// Runs body(i) for every i in [0, count), over the chunks of <see cref="Chunks"/>: for coarse items (a period's
    /// rows, a partial sum). A row or element function that a device kernel runs one per thread runs in each chunk's
    /// own loop (Chunks), with its buffers looked up once, so that the JIT inlines it: a delegate call per element
    /// cost the small Gaussian and loss kernels 1.5-6x.
    /// </summary>
    internal void ForEach(int count, int grain, Action<int> body) => Chunks(count, grain, (s, e) =>
        {
            for (int i = s; i < e; i++)
                body(i);
        });

    /// <summary>
    /// Runs body(start, end) over [0, count) in chunks of <paramref name="grain"/>; chunks are size-determined, and
    /// each thread claims them one at a time, in order, from a shared counter.
    /// </summary>
    /// <remarks>
    /// One claim at a time because <c>Parallel.For</c> over the chunks gives each thread a range of its own and hands
    /// it out in growing batches, up to 16 iterations at once (its RangeWorker doubles the batch up to 16 steps): at
    /// the end of a region one core could hold a dozen of our chunks while the other sat idle, and a tall GEMM's 96-row
    /// chunk of the 10000x500x784 forward takes about 0.7 ms. Timed inside the original step at batch 10,000 (two
    /// threads, Zen 4, 2026-12-07, two runs of ten steps each way): one core idle at the end of the many-chunk regions
    /// 8.2-8.9 ms a step with the batches, 3.5-3.6 ms claimed one by one (<c>bench/results/limit.md</c>, fifteenth
    /// session). Which thread runs a chunk never changes its bits.
    /// </remarks>
    internal void Chunks(int count, int grain, Action<int, int> body)
    {
        if (count <= 0)
            return;
        grain = Math.Max(1, grain);
        int chunks = (count + grain - 1) / grain;
        if (chunks == 1 || Threads == 1 || t_inline)
        {
            for (int c = 0; c < chunks; c++)
                body(c * grain, Math.Min(count, (c + 1) * grain));
            return;
        }
        int next = -1;
        Parallel.For(0, Math.Min(Threads, chunks), _parallel, _ =>
        {
            int c;
            while ((c = Interlocked.Increment(ref next)) < chunks)
                body(c * grain, Math.Min(count, (c + 1) * grain));
        });
    }

    // Set while a RowsReady body runs on a worker (a GEMM epilogue, a ForRows block): the kernels it calls run their
    // chunks on that thread, in order (the same chunks, so the same bits), instead of fanning out again and pulling its
    // rows into another core's cache.
    [ThreadStatic]
    static bool t_inline;

    /// <summary>body(s, e) on this thread, the kernels it calls inline (see <see cref="RowsReady"/>).</summary>
    internal static void RunRows(RowsReady body, int s, int e)
    {
        bool outer = t_inline;
        t_inline = true;
        try
        {
            body(s, e);
        }
        finally
        {
            t_inline = outer;
        }
    }

    /// <summary>Rows per block of <see cref="Backend.ForRows"/>: 64 rows of 784 floats are 200 KiB, in L2.</summary>
    internal const int RowBlock = 64;

    protected override void ForRowsCore(int m, RowsReady body) => Chunks(m, RowBlock, (s, e) => RunRows(body, s, e));

    /// <summary>
    /// A chunk size that gives each chunk about <paramref name="work"/> elements of work per item of cost <paramref
    /// name="perItem"/>.
    /// </summary>
    internal static int Grain(int perItem, int work = 1 << 15) => Math.Max(1, work / Math.Max(1, perItem));
}

/// <summary>
/// A float array plus an element offset: what a CPU kernel holds for one view (and hands a row function).
/// </summary>
internal readonly struct Mem(float[] data, int offset) : IFloats
{
    public readonly float[] Data = data;
    public readonly int Offset = offset;
    public ref float this[int i] => ref Data[Offset + i];

    public Span<float> Span(int start, int length) => Data.AsSpan(Offset + start, length);

    public bool IsEmpty => Data is null;
}

sealed class CpuBuffer(CpuBackend owner, int length) : BackendBuffer(owner, length)
{
    public float[] Data { get; } = new float[length];

    protected override void Release() { }
}
