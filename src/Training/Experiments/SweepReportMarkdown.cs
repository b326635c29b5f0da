using System.Globalization;
using System.Text;

namespace Untapped.Training.Experiments;

/// <summary>results.md: the group table and the paired comparisons of a <see cref="SweepReport"/>, then the held-out
/// metrics by epoch (<see cref="HeldOutByEpoch.Markdown"/>).</summary>
public static class SweepReportMarkdown
{
    public static string Of(SweepReport r) =>
        Render(r.Groups, r.Comparisons) + HeldOutByEpoch.Markdown(r.Curves, r.Comparisons);

    static string F(double v, int d = 3) => v.ToString("F" + d, CultureInfo.InvariantCulture);

    static string P(double p) => p < 0.001 ? "< 0.001" : F(p, 3);

    /// <summary>
    /// A paired CI in brackets, scaled (100 for percentage points); "(unbounded)" when too few pairs bound it.
    /// </summary>
    static string Ci(PairedComparison c, double scale = 1, int d = 3) =>
        double.IsInfinity(c.CiLow) ? "(unbounded)" : $"[{F(scale * c.CiLow, d)}, {F(scale * c.CiHigh, d)}]";

    static string Render(IReadOnlyList<GroupResult> groups, IReadOnlyList<Comparison> comparisons)
    {
        var sb = new StringBuilder();
        sb.Append(
            "| group | n | held-out CE: mean ± std [95 % CI] | paper CE | held-out acc: mean [95 % CI] | labelled acc | distinct digits: mean (per seed) | paper digits | train time per run |\n"
        );
        sb.Append("|---|---:|---|---:|---|---:|---|---:|---:|\n");
        foreach (var g in groups)
        {
            sb.Append(
                $"| {g.Group} | {g.Ce.N} | {F(g.Ce.Mean)} ± {F(g.Ce.Std)} [{F(g.Ce.CiLow)}, {F(g.Ce.CiHigh)}] | {F(SweepReport.PaperCe(g.Model), 2)} | "
                    + $"{F(100 * g.Acc.Mean, 1)} % [{F(100 * g.Acc.CiLow, 1)}, {F(100 * g.Acc.CiHigh, 1)}] | {F(100 * g.Trials.Average(t => t.AccLabelled), 1)} % | "
                    + $"{F(g.Digits.Mean, 1)} ({string.Join(" ", g.Trials.Select(t => t.Digits))}) | {SweepReport.PaperDigits(g.Model)} | {F(g.Trials.Average(t => t.TrainSeconds) / 60, 1)} min |\n"
            );
        }

        if (comparisons.Count > 0)
        {
            sb.Append(
                "\nPaired by seed (a - b; negative CE = a is better). p: exact two-sided sign-flip permutation test of the mean difference; CI: the differences that test does not reject at 5 % (so it excludes 0 exactly when p <= 0.05; unbounded with 5 pairs or fewer, which cannot reach p <= 0.05).\n\n"
            );
            sb.Append(
                "| comparison | a | b | pairs | Δ CE [95 % CI] | p (CE) | seeds a better (CE) | Δ acc [95 % CI] | p (acc) |\n|---|---|---|---:|---|---:|---:|---|---:|\n"
            );
            foreach (var c in comparisons)
            {
                sb.Append(
                    $"| {c.What} | {c.A} | {c.B} | {c.Ce.Pairs} | {F(c.Ce.MeanDiff)} {Ci(c.Ce)} | {P(c.Ce.PValue)} | {c.Ce.AWins}/{c.Ce.Pairs} | "
                        + $"{F(100 * c.Acc.MeanDiff, 1)} pp {Ci(c.Acc, 100, 1)} | {P(c.Acc.PValue)} |\n"
                );
            }
        }
        double total = groups.SelectMany(g => g.Trials).Sum(t => t.TrainSeconds);
        sb.Append(
            $"\n{groups.Sum(g => g.Trials.Count)} trials; training time {F(total / 3600, 2)} h in all (sum of the epochs' wall time in metrics.jsonl).\n"
        );
        return sb.ToString();
    }
}
