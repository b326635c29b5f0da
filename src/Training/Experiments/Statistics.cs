using MathNet.Numerics.Statistics;

namespace Untapped.Training.Experiments;

/// <summary>Mean, sample standard deviation and a 95 % bootstrap confidence interval of the mean.</summary>
public sealed record Summary(int N, double Mean, double Std, double CiLow, double CiHigh);

/// <summary>
/// A paired comparison (a - b per seed): the mean difference, its 95 % CI from inverting the sign-flip test (infinite
/// ends when too few pairs can reject anything), the exact sign-flip p-value, and how many pairs favour a.
/// </summary>
public sealed record PairedComparison(
    int Pairs,
    double MeanDiff,
    double CiLow,
    double CiHigh,
    double PValue,
    int AWins
);

/// <summary>
/// The sweep report's statistics. Descriptive statistics and quantiles come from MathNet.Numerics; the resampling
/// methods (percentile bootstrap, sign-flip permutation test and its inversion) are a few lines each and are written
/// here (MathNet has none of them), with fixed seeds,
/// so a report is reproducible bit for bit.
/// </summary>
public static class Statistics
{
    public const int BootstrapResamples = 10_000;
    const int BootstrapSeed = 20_240_601;

    public static Summary Summarise(IReadOnlyList<double> x)
    {
        if (x.Count == 0)
            throw new ArgumentException("no values to summarise");
        double mean = x.Mean();
        double std = x.Count > 1 ? x.StandardDeviation() : 0;
        var (lo, hi) = BootstrapMeanCi(x);
        return new Summary(x.Count, mean, std, lo, hi);
    }

    /// <summary>
    /// Percentile bootstrap: the 2.5 % and 97.5 % quantiles of the means of resamples with replacement.
    /// </summary>
    public static (double Low, double High) BootstrapMeanCi(IReadOnlyList<double> x, int resamples = BootstrapResamples)
    {
        if (x.Count == 1)
            return (x[0], x[0]);
        var rng = new Random(BootstrapSeed);
        var means = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double s = 0;
            for (int i = 0; i < x.Count; i++)
                s += x[rng.Next(x.Count)];
            means[b] = s / x.Count;
        }
        return (means.Quantile(0.025), means.Quantile(0.975));
    }

    /// <summary>
    /// Two-sided sign-flip permutation test of mean(d) = 0 for paired differences d: the share of the 2^n sign
    /// assignments whose |mean| is at least the observed one (exact up to n = 20, else 100,000 random flips).
    /// </summary>
    public static double SignFlipP(IReadOnlyList<double> d)
    {
        int n = d.Count;
        double observed = Math.Abs(d.Sum()) - 1e-12 * (1 + d.Sum(Math.Abs));
        long hits = 0,
            total;
        if (n <= 20)
        {
            total = 1L << n;
            for (long mask = 0; mask < total; mask++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                    s += (mask >> i & 1) == 1 ? -d[i] : d[i];
                if (Math.Abs(s) >= observed)
                    hits++;
            }
        }
        else
        {
            var rng = new Random(BootstrapSeed);
            total = 100_000;
            for (long k = 0; k < total; k++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                    s += rng.Next(2) == 0 ? -d[i] : d[i];
                if (Math.Abs(s) >= observed)
                    hits++;
            }
        }
        return (double)hits / total;
    }

    /// <summary>
    /// The 95 % CI of the mean of paired differences d that agrees with <see cref="SignFlipP"/>: the shifts δ whose
    /// test of d - δ gives p &gt; alpha (test inversion; each end found by bisection between the mean, p = 1, and a
    /// shift beyond every d). It excludes 0 exactly when p(0) &lt;= alpha, which a percentile bootstrap of few pairs
    /// does not: it under-covers. When even a shift beyond every d is not rejected (n &lt;= 5 pairs: p &gt;= 2/2^n) the
    /// data cannot bound the difference and both ends are infinite.
    /// </summary>
    public static (double Low, double High) SignFlipCi(IReadOnlyList<double> d, double alpha = 0.05)
    {
        double mean = d.Average(),
            far = d.Max() - d.Min() + 1;
        bool Accepted(double delta) => SignFlipP(d.Select(v => v - delta).ToArray()) > alpha;
        if (Accepted(d.Min() - far))
            return (double.NegativeInfinity, double.PositiveInfinity);
        double End(double rejected)
        {
            double accepted = mean;
            for (int i = 0; i < 60; i++)
            {
                double mid = 0.5 * (accepted + rejected);
                if (Accepted(mid))
                    accepted = mid;
                else
                    rejected = mid;
            }
            return accepted;
        }
        return (End(d.Min() - far), End(d.Max() + far));
    }

    /// <param name="a">a's value per pair.</param>
    /// <param name="b">b's value per pair, in the same order.</param>
    /// <param name="lowerIsBetter">Whether a pair favours a when a &lt; b (a loss) rather than a &gt; b (an
    /// accuracy).</param>
    public static PairedComparison Paired(IReadOnlyList<double> a, IReadOnlyList<double> b, bool lowerIsBetter)
    {
        if (a.Count != b.Count || a.Count == 0)
            throw new ArgumentException("paired samples need equal, non-zero lengths");
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var (lo, hi) = SignFlipCi(d);
        return new PairedComparison(
            d.Length,
            d.Average(),
            lo,
            hi,
            SignFlipP(d),
            d.Count(v => lowerIsBetter ? v < 0 : v > 0)
        );
    }
}
