using System.Globalization;
using System.Text;
using Untapped.Training.Model;
using Untapped.Training.Runs;

namespace Untapped.Training.Experiments;

/// <summary>
/// A group's held-out metrics at one evaluation epoch, over its trials (mean, std, 95 % bootstrap CI).
/// </summary>
public sealed record EpochPoint(int Epoch, Summary Ce, Summary Acc, Summary Digits, Summary Entropy);

/// <summary>A group's held-out metrics by epoch (<c>--eval-every</c>), and each trial's records by seed.</summary>
public sealed record GroupCurve(
    GroupResult Group,
    IReadOnlyList<EpochPoint> Points,
    IReadOnlyDictionary<ulong, IReadOnlyDictionary<int, HeldOutMetrics>> BySeed
);

/// <summary>
/// The held-out metrics the trials logged while training, by epoch: per group the mean and 95 % CI at each epoch every
/// trial of the group evaluated; the paired Untapped - M2 tests of the report's comparisons at chosen epochs with the
/// smallest effect their pairs could detect; and how close any run came to a uniform guess (CE and entropy ln 10).
/// Empty for sweeps whose trials logged none (then the report is what it was).
/// </summary>
public static class HeldOutByEpoch
{
    /// <summary>
    /// The epochs of the paired tests: the paper's length, where the authors' decay starts, and their length.
    /// </summary>
    public static readonly int[] TestedAt = [150, 500, 1000];

    /// <summary>
    /// The first epoch of the search for a run near a uniform guess (the paper's whole length comes before it).
    /// </summary>
    public const int FromEpoch = 150;

    public static IReadOnlyList<GroupCurve> Of(string root, IReadOnlyList<GroupResult> groups)
    {
        var curves = new List<GroupCurve>();
        foreach (var g in groups)
        {
            var bySeed = new Dictionary<ulong, IReadOnlyDictionary<int, HeldOutMetrics>>();
            foreach (var t in g.Trials)
            {
                bySeed[t.Options.Seed] = MetricsJsonl
                    .Read(Path.Combine(root, t.Name, RunDirectory.MetricsFile))
                    .Where(m => m.HeldOut is not null)
                    .ToDictionary(m => m.Epoch, m => m.HeldOut!);
            }

            if (bySeed.Values.Any(d => d.Count == 0))
                continue; // a trial that logged none: no curve for the group
            var epochs = bySeed.Values.Select(d => d.Keys).Aggregate((a, b) => a.Intersect(b)).Order().ToList();
            var points = epochs
                .Select(e =>
                {
                    var at = bySeed.Values.Select(d => d[e]).ToList();
                    return new EpochPoint(
                        e,
                        Statistics.Summarise([.. at.Select(h => h.Ce)]),
                        Statistics.Summarise([.. at.Select(h => h.Accuracy)]),
                        Statistics.Summarise([.. at.Select(h => (double)h.DistinctDigits)]),
                        Statistics.Summarise([.. at.Select(h => h.Entropy)])
                    );
                })
                .ToList();
            curves.Add(new GroupCurve(g, points, bySeed));
        }
        return curves;
    }

    /// <summary>
    /// The smallest mean paired difference a two-sided paired t-test at 5 % detects with 80 % power, given the observed
    /// standard deviation of the differences: (t(0.975, n-1) + t(0.80, n-1)) sd / sqrt(n). NaN below 2 pairs.
    /// </summary>
    public static double DetectableAt80(IReadOnlyList<double> differences)
    {
        int n = differences.Count;
        if (n < 2)
            return double.NaN;
        double mean = differences.Average();
        double sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        var t = new MathNet.Numerics.Distributions.StudentT(0, 1, n - 1);
        return (t.InverseCumulativeDistribution(0.975) + t.InverseCumulativeDistribution(0.80)) * sd / Math.Sqrt(n);
    }

    static string F(double v, int d = 3) => v.ToString("F" + d, CultureInfo.InvariantCulture);

    public static string Markdown(IReadOnlyList<GroupCurve> curves, IReadOnlyList<Comparison> comparisons)
    {
        if (curves.Count == 0)
            return "";
        var sb = new StringBuilder("\n## Held-out metrics by epoch\n");
        foreach (var c in curves)
        {
            int last = c.Points[^1].Epoch;
            var shown = c
                .Points.Where(p =>
                    p.Epoch is 10 or 50 || p.Epoch % 100 == 0 || TestedAt.Contains(p.Epoch) || p.Epoch == last
                )
                .ToList();
            sb.Append($"\n{c.Group.Group} ({c.BySeed.Count} trials; mean [95 % bootstrap CI]):\n\n");
            sb.Append(
                "| epoch | held-out CE | held-out acc | distinct digits | entropy of q(y|x) |\n|---:|---|---|---:|---:|\n"
            );
            foreach (var p in shown)
            {
                sb.Append(
                    $"| {p.Epoch} | {F(p.Ce.Mean)} [{F(p.Ce.CiLow)}, {F(p.Ce.CiHigh)}] | {F(100 * p.Acc.Mean, 1)} % [{F(100 * p.Acc.CiLow, 1)}, {F(100 * p.Acc.CiHigh, 1)}] | {F(p.Digits.Mean, 1)} | {F(p.Entropy.Mean)} |\n"
                );
            }
        }
        var rows = new StringBuilder();
        foreach (var cmp in comparisons.Where(x => x.What == "Untapped - M2"))
        {
            var a = curves.FirstOrDefault(c => c.Group.Group == cmp.A);
            var b = curves.FirstOrDefault(c => c.Group.Group == cmp.B);
            if (a is null || b is null)
                continue;
            var seeds = a.BySeed.Keys.Intersect(b.BySeed.Keys).Order().ToList();
            foreach (int e in TestedAt)
            {
                var pairs = seeds.Where(s => a.BySeed[s].ContainsKey(e) && b.BySeed[s].ContainsKey(e)).ToList();
                if (pairs.Count == 0)
                    continue;
                var ce = Statistics.Paired(
                    [.. pairs.Select(s => a.BySeed[s][e].Ce)],
                    [.. pairs.Select(s => b.BySeed[s][e].Ce)],
                    lowerIsBetter: true
                );
                var d = pairs.Select(s => a.BySeed[s][e].Ce - b.BySeed[s][e].Ce).ToList();
                string ci = double.IsInfinity(ce.CiLow) ? "(unbounded)" : $"[{F(ce.CiLow)}, {F(ce.CiHigh)}]";
                string p = ce.PValue < 0.001 ? "< 0.001" : F(ce.PValue);
                rows.Append(
                    $"| {cmp.A} - {cmp.B} | {e} | {ce.Pairs} | {F(ce.MeanDiff)} {ci} | {p}{(ce.Pairs <= 5 ? " (descriptive: 5 pairs cannot reach 0.05)" : "")} | {ce.AWins}/{ce.Pairs} | {F(DetectableAt80(d))} |\n"
                );
            }
        }
        if (rows.Length > 0)
        {
            sb.Append(
                    "\nPaired by seed at fixed epochs (held-out CE, a - b; exact sign-flip p and the CI that inverts it; the last column, rough and post hoc: the smallest mean difference a paired t-test at 5 % would detect with 80 % power, with the differences' observed SD put in for the unknown one and a t formula standing in for the sign-flip test):\n\n"
                )
                .Append(
                    "| comparison | epoch | pairs | Δ CE [95 % CI] | p | seeds a better | detectable at 80 % power (rough) |\n|---|---:|---:|---|---:|---:|---:|\n"
                )
                .Append(rows);
        }
        // Early epochs of every run are far from trained; a collapse to a uniform guess is a question about the rest.
        var all = curves
            .SelectMany(c =>
                c.BySeed.SelectMany(s =>
                    s.Value.Where(kv => kv.Key >= FromEpoch)
                        .Select(kv => (c.Group.Group, Seed: s.Key, Epoch: kv.Key, H: kv.Value))
                )
            )
            .ToList();
        if (all.Count == 0)
            return sb.ToString();
        var worst = all.MaxBy(x => x.H.Ce);
        var flat = all.MaxBy(x => x.H.Entropy);
        sb.Append(
            $"\nA uniform guess over ten classes has cross-entropy and entropy ln 10 = {F(Math.Log(10))}. From epoch {FromEpoch} on, the highest held-out CE logged: {F(worst.H.Ce)} "
                + $"({worst.Group}, seed {worst.Seed}, epoch {worst.Epoch}; entropy {F(worst.H.Entropy)}). Highest mean entropy of q(y|x): {F(flat.H.Entropy)} "
                + $"({flat.Group}, seed {flat.Seed}, epoch {flat.Epoch}).\n"
        );
        return sb.ToString();
    }
}
