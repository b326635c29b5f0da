using Xunit;

namespace Untapped.Tests;

public static class Close
{
    /// <summary>Asserts |a - e| &lt;= atol + rtol |e| elementwise, reporting the worst element.</summary>
    public static void All(float[] expected, float[] actual, float atol, float rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = -1; double excess = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) || double.IsNaN(a)) { if (double.IsNaN(e) != double.IsNaN(a)) Assert.Fail($"{what}[{i}]: expected {e}, got {a}"); continue; }
            double over = Math.Abs(a - e) - (atol + rtol * Math.Abs(e));
            if (over > excess) { excess = over; worst = i; }
        }
        if (worst >= 0)
            Assert.Fail($"{what}[{worst}]: expected {expected[worst]:R}, got {actual[worst]:R} (|diff| {Math.Abs(expected[worst] - actual[worst]):G3} > {atol} + {rtol}*|e|)");
    }
}
