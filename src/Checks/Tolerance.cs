namespace Untapped.Checks;

/// <summary>
/// The one elementwise criterion of every parity check: |actual - expected| &lt;= atol + rtol |expected|, NaN only
/// where expected is NaN.
/// </summary>
public static class Tolerance
{
    /// <summary>
    /// The outcome over a whole output: the largest absolute and relative (|diff| / |expected|, 0 where both are 0)
    /// errors, and the element that most exceeds the bound (-1 when none does).
    /// </summary>
    public readonly record struct Result(double MaxAbs, double MaxRel, int Worst, string? Problem)
    {
        public bool Pass => Problem is null;
    }

    public static Result Measure(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float atol, float rtol)
    {
        if (expected.Length != actual.Length)
            return new(double.NaN, double.NaN, -1, $"length {actual.Length}, expected {expected.Length}");
        double maxAbs = 0,
            maxRel = 0,
            excess = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i],
                a = actual[i];
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                if (double.IsNaN(e) != double.IsNaN(a))
                    return new(double.NaN, double.NaN, i, $"[{i}]: expected {e:R}, got {a:R}");
                continue;
            }
            double diff = e == a ? 0 : Math.Abs(a - e); // equal infinities differ by 0, not NaN
            maxAbs = Math.Max(maxAbs, diff);
            if (diff > 0)
                maxRel = Math.Max(maxRel, e == 0 ? double.PositiveInfinity : diff / Math.Abs(e));
            double over = diff - (atol + rtol * Math.Abs(e));
            if (over > excess)
            {
                excess = over;
                worst = i;
            }
        }
        return worst < 0
            ? new(maxAbs, maxRel, -1, null)
            : new(
                maxAbs,
                maxRel,
                worst,
                $"[{worst}]: expected {expected[worst]:R}, got {actual[worst]:R} (|diff| {Math.Abs(expected[worst] - actual[worst]):G3} > {atol} + {rtol}*|e|)"
            );
    }
}
