using System.Diagnostics;
using System.Text;

namespace Untapped.Graph;

/// <summary>
/// Wall time per op kind and direction ("dense", "dense backward"), collected when the executor synchronises
/// after every op, with the floating-point work of the ops that count it.
/// </summary>
public sealed class OpProfile
{
    readonly Dictionary<string, (int Count, double Ms, long Flops, double GemmMs)> _rows = new();

    /// <summary>One row per op (label and output shape) instead of one per kind: shows which layer is slow.</summary>
    public bool ByLayer { get; init; }

    /// <summary>
    /// The row an op's forward or backward time goes to; a dense layer's forward with an epilogue names the fused ops
    /// ("dense + bernoulli_loglik"; "bernoulli_loglik (and its backward)" where that runs in the forward), whose time
    /// it includes.
    /// </summary>
    public string Key(Op op, bool backward)
    {
        string kind =
            backward ? op.Kind + " backward"
            : op is DenseOp { Epilogue.Count: > 0 } d
                ? string.Join(
                    " + ",
                    d.Epilogue.Select(e => e.BackwardInForward ? $"{e.Kind} (and its backward)" : e.Kind)
                        .Prepend(op.Kind)
                )
            : op.Kind;
        return ByLayer ? $"{kind} {op.Label} [{op.Outputs[0].Rows},{op.Outputs[0].Cols}]" : kind;
    }

    /// <param name="gemmMs">Of <paramref name="ms"/>, the time of the GEMMs the op called, when a <see
    /// cref="Kernels.GemmTrace"/> timed them.</param>
    public void Add(string kind, double ms, long flops = 0, double gemmMs = 0)
    {
        _rows.TryGetValue(kind, out var r);
        _rows[kind] = (r.Count + 1, r.Ms + ms, r.Flops + flops, r.GemmMs + gemmMs);
    }

    public IReadOnlyDictionary<string, (int Count, double Ms, long Flops, double GemmMs)> Rows => _rows;
    public double TotalMs => _rows.Values.Sum(r => r.Ms);

    public void Clear() => _rows.Clear();

    /// <summary>
    /// A markdown table: kind, count, total ms, mean ms, share of the profiled time, GFLOP/s where counted; slowest
    /// first.
    /// </summary>
    public string ToTable()
    {
        var sb = new StringBuilder(
            "| op | count | total ms | mean ms | share | GFLOP/s |\n|---|---:|---:|---:|---:|---:|\n"
        );
        double total = Math.Max(TotalMs, 1e-9);
        foreach (var (k, r) in _rows.OrderByDescending(r => r.Value.Ms))
        {
            sb.Append(
                $"| {k} | {r.Count} | {r.Ms:F2} | {r.Ms / r.Count:F3} | {100 * r.Ms / total:F1}% | {(r.Flops > 0 ? $"{r.Flops / (r.Ms * 1e6):F1}" : "")} |\n"
            );
        }

        return sb.ToString();
    }

    internal static long Now() => Stopwatch.GetTimestamp();

    internal static double Ms(long since) => Stopwatch.GetElapsedTime(since).TotalMilliseconds;
}
