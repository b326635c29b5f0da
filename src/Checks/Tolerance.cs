namespace Untapped.Checks;

/// <summary>
/// The criteria of the parity checks: <see cref="Exact"/> (the bits: every kernel and the training step on every
/// backend), and <see cref="Measure"/>, |actual - expected| &lt;= atol + rtol |expected| with NaN only where expected is
/// NaN, for what has no bitwise twin (a reference in other arithmetic: the float64 oracle, finite differences).
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

    /// <summary>
    /// Bit-for-bit equality (any NaN equals any NaN: payloads are not compared), with the largest absolute and relative
    /// differences for the report, and a problem naming the first differing element, both values, their distance in
    /// units in the last place and how many elements differ.
    /// </summary>
    public static Result Exact(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
            return new(double.NaN, double.NaN, -1, $"length {actual.Length}, expected {expected.Length}");
        double maxAbs = 0,
            maxRel = 0;
        int first = -1,
            count = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i],
                a = actual[i];
            if (
                BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a)
                || (float.IsNaN(e) && float.IsNaN(a))
            )
            {
                continue;
            }

            count++;
            if (first < 0)
                first = i;
            double diff = Math.Abs((double)a - e);
            if (!double.IsNaN(diff))
            {
                maxAbs = Math.Max(maxAbs, diff);
                maxRel = Math.Max(maxRel, e == 0 ? double.PositiveInfinity : diff / Math.Abs(e));
            }
        }
        if (first < 0)
            return new(0, 0, -1, null);
        float x = expected[first],
            y = actual[first];
        return new(
            maxAbs,
            maxRel,
            first,
            $"[{first}]: expected {x:R}, got {y:R} ({UlpDistance(x, y)} ulp apart; {count} of {expected.Length} elements differ)"
        );
    }

    /// <summary>How many floats lie between a and b, counting across zero (the order of their bit patterns).</summary>
    public static long UlpDistance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
            return long.MaxValue;
        static long Ordered(float f)
        {
            int bits = BitConverter.SingleToInt32Bits(f);
            return bits < 0 ? -(long)(bits & int.MaxValue) : bits;
        }
        return Math.Abs(Ordered(a) - Ordered(b));
    }
}
