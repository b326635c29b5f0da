using System.Diagnostics;

namespace Untapped.Kernels;

/// <summary>
/// One <see cref="Backend.Gemm"/> call: its shape, switches and wall time (synchronised before and after).
/// </summary>
public readonly record struct GemmCall(
    int M,
    int K,
    int N,
    bool TransA,
    bool TransB,
    Activation Act,
    bool Accumulate,
    bool Bias,
    double Ms
)
{
    /// <summary>The call's shape as BLAS would name it: M x K x N and op(A), op(B).</summary>
    public string Shape => $"{M}x{K}x{N} {(TransA ? "T" : "N")}{(TransB ? "T" : "N")}";

    public long Flops => 2L * M * K * N;
}

/// <summary>
/// The list a backend appends every GEMM to while <see cref="Backend.GemmTrace"/> is set: what `bench limit`
/// compares with OpenBLAS. Off (null) it costs one null test per GEMM.
/// </summary>
public sealed class GemmTrace
{
    readonly List<GemmCall> _calls = new();

    public IReadOnlyList<GemmCall> Calls => _calls;

    public double TotalMs => _calls.Sum(c => c.Ms);

    public void Clear() => _calls.Clear();

    internal void Record(Backend backend, in Backend.GemmArgs g, Action run)
    {
        backend.Synchronize();
        long t0 = Stopwatch.GetTimestamp();
        run();
        backend.Synchronize();
        _calls.Add(
            new GemmCall(
                g.M,
                g.K,
                g.N,
                g.TransA,
                g.TransB,
                g.Act,
                g.Accumulate,
                !g.Bias.IsEmpty,
                Stopwatch.GetElapsedTime(t0).TotalMilliseconds
            )
        );
    }
}
