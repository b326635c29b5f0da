using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// Every forward case of the case table with its backward (<see cref="OpCase.Gradient"/>, at <see
/// cref="CaseSize.Gradient"/>): L = sum over outputs of &lt;g_out, out&gt; with random cotangents g_out; the backward,
/// fed the cotangents, must give dL/d(input) for every input it names (in "d_" + name).
/// </summary>
public sealed class GradientTests
{
    static IEnumerable<OpCase> Cases() => OpCases.At(CaseSize.Gradient).Where(c => c.Gradient is not null);

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases())
            d.Add(c.Name);
        return d;
    }

    /// <summary>The case's data with zeroed gradients "d_" + w and random cotangents "g_" + o added.</summary>
    static Dictionary<string, float[]> WithCotangents(OpCase c)
    {
        var d = OpCases.DataOf(c);
        var r = new Random(11);
        foreach (var w in c.Gradient!.Wrt)
            d["d_" + w] = new float[d[w].Length];
        foreach (var o in c.Outputs)
            d["g_" + o] = Gen.Uniform(r, d[o].Length);
        return d;
    }

    // An operation X with an XBackward in the catalogue is a forward op: its backward is checked here.
    [Fact]
    public void EveryForwardOperationHasAGradientPair()
    {
        var ops = Catalogue.Operations();
        var forward = ops.Where(o => ops.Contains(o + "Backward"))
            .Append(nameof(Backend.Gemm))
            .Order(StringComparer.Ordinal);
        Assert.Equal(forward, Cases().Select(c => c.Op).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Central differences (h = 1e-2, 1e-3 where curvature needs it) against the backward kernel: |fd - analytic| &lt;=
    /// 2e-3 + 1e-2 |fd|.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesCentralDifferences(string name)
    {
        var c = Cases().Single(x => x.Name == name);
        var data = WithCotangents(c);
        using var cpu = new CpuBackend(1);
        double Loss(Dictionary<string, float[]> d)
        {
            using var h = new Harness(cpu, d);
            c.Run(cpu, h);
            double s = 0;
            foreach (var o in c.Outputs)
            {
                var y = h.Read(o);
                var g = d["g_" + o];
                for (int i = 0; i < y.Length; i++)
                    s += (double)g[i] * y[i];
            }
            return s;
        }
        Dictionary<string, float[]> analytic;
        using (var h = new Harness(cpu, data))
        {
            c.Run(cpu, h);
            c.Gradient!.Backward(cpu, h);
            analytic = c.Gradient.Wrt.ToDictionary(w => w, w => h.Read("d_" + w));
        }
        float step = c.Gradient.Step;
        foreach (var w in c.Gradient.Wrt)
        {
            for (int i = 0; i < data[w].Length; i++)
            {
                var plus = data.ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Clone());
                var minus = data.ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Clone());
                plus[w][i] += step;
                minus[w][i] -= step;
                double fd = (Loss(plus) - Loss(minus)) / (2 * step);
                double an = analytic[w][i];
                Assert.True(
                    Math.Abs(fd - an) <= 2e-3 + 1e-2 * Math.Abs(fd),
                    $"{name}: d/d{w}[{i}] analytic {an:G6}, central difference {fd:G6}"
                );
            }
        }
    }
}
