using Untapped.Kernels;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>Named host arrays uploaded to an accelerator; a case runs against the views and reads back outputs.</summary>
public sealed class Harness : IDisposable
{
    readonly Dictionary<string, DeviceBuffer> _buffers = new();
    public Accelerator Acc { get; }

    public Harness(Accelerator acc, IReadOnlyDictionary<string, float[]> data)
    {
        Acc = acc;
        foreach (var (k, v) in data) _buffers[k] = acc.Upload(v);
    }

    public View this[string name] => _buffers[name].View;

    public float[] Read(string name) { Acc.Synchronize(); return Acc.ToArray(_buffers[name]); }

    public void Dispose()
    {
        foreach (var b in _buffers.Values) b.Dispose();
    }
}

public static class Gen
{
    public static float[] Uniform(Random r, int n, float lo = -1f, float hi = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.NextSingle();
        return a;
    }

    public static float[] Bits(Random r, int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = r.Next(2); return a; }

    /// <summary>Rows on the simplex, bounded away from the faces.</summary>
    public static float[] Simplex(Random r, int m, int k)
    {
        var a = Uniform(r, m * k, 0.2f, 1f);
        for (int i = 0; i < m; i++)
        {
            float s = 0; for (int j = 0; j < k; j++) s += a[i * k + j];
            for (int j = 0; j < k; j++) a[i * k + j] /= s;
        }
        return a;
    }

    public static float[] OneHot(Random r, int m, int k)
    {
        var a = new float[m * k];
        for (int i = 0; i < m; i++) a[i * k + r.Next(k)] = 1f;
        return a;
    }
}

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
