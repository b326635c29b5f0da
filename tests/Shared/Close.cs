using Untapped.Checks;
using Xunit;

namespace Untapped.Tests;

public static class Close
{
    /// <summary>
    /// Asserts |a - e| &lt;= atol + rtol |e| elementwise (<see cref="Tolerance.Measure"/>), reporting the worst
    /// element.
    /// </summary>
    public static void All(float[] expected, float[] actual, float atol, float rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var r = Tolerance.Measure(expected, actual, atol, rtol);
        if (!r.Pass)
            Assert.Fail($"{what}{r.Problem}");
    }
}
