using System.Diagnostics;
using System.Text;

namespace Untapped.Graph;

/// <summary>Per-op-kind wall time, collected when the executor synchronises after every op.</summary>
public sealed class OpProfile
{
    readonly Dictionary<string, (int Count, double Ms)> _rows = new();

    public void Add(string kind, double ms)
    {
        _rows.TryGetValue(kind, out var r);
        _rows[kind] = (r.Count + 1, r.Ms + ms);
    }

    public IReadOnlyDictionary<string, (int Count, double Ms)> Rows => _rows;
    public double TotalMs => _rows.Values.Sum(r => r.Ms);

    public void Clear() => _rows.Clear();

    /// <summary>A markdown table: kind, count, total ms, mean ms, share of the profiled time; slowest first.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder("| op | count | total ms | mean ms | share |\n|---|---:|---:|---:|---:|\n");
        double total = Math.Max(TotalMs, 1e-9);
        foreach (var (k, r) in _rows.OrderByDescending(r => r.Value.Ms))
            sb.Append($"| {k} | {r.Count} | {r.Ms:F2} | {r.Ms / r.Count:F3} | {100 * r.Ms / total:F1}% |\n");
        return sb.ToString();
    }

    internal static long Now() => Stopwatch.GetTimestamp();
    internal static double Ms(long since) => Stopwatch.GetElapsedTime(since).TotalMilliseconds;
}
