namespace Untapped.Checks;

/// <summary>
/// Named host arrays uploaded to an accelerator; a case runs against the views and reads back outputs.
/// </summary>
public sealed class Harness : IDisposable
{
    readonly Dictionary<string, BackendBuffer> _buffers = new();
    public Backend Acc { get; }

    public Harness(Backend acc, IReadOnlyDictionary<string, float[]> data)
    {
        Acc = acc;
        foreach (var (k, v) in data)
            _buffers[k] = acc.Upload(v);
    }

    public View this[string name] => _buffers[name].View;

    public float[] Read(string name)
    {
        Acc.Synchronize();
        return Acc.ToArray(_buffers[name]);
    }

    public void Dispose()
    {
        foreach (var b in _buffers.Values)
            b.Dispose();
    }
}

public static class Gen
{
    public static float[] Uniform(Random r, int n, float lo = -1f, float hi = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
            a[i] = lo + (hi - lo) * r.NextSingle();
        return a;
    }

    public static float[] Bits(Random r, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
            a[i] = r.Next(2);
        return a;
    }

    /// <summary>
    /// n floats that repeat <paramref name="period"/> (a periodic tensor's first period, <see cref="Backend"/>'s period
    /// promise): element i is period[i mod period.Length].
    /// </summary>
    public static float[] Tiled(float[] period, int n) =>
        Enumerable.Range(0, n).Select(i => period[i % period.Length]).ToArray();

    /// <summary>Rows on the simplex, bounded away from the faces.</summary>
    public static float[] Simplex(Random r, int m, int k)
    {
        var a = Uniform(r, m * k, 0.2f, 1f);
        for (int i = 0; i < m; i++)
        {
            float s = 0;
            for (int j = 0; j < k; j++)
                s += a[i * k + j];
            for (int j = 0; j < k; j++)
                a[i * k + j] /= s;
        }
        return a;
    }

    public static float[] OneHot(Random r, int m, int k)
    {
        var a = new float[m * k];
        for (int i = 0; i < m; i++)
            a[i * k + r.Next(k)] = 1f;
        return a;
    }
}
