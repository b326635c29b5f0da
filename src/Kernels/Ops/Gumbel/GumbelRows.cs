namespace Untapped.Kernels;

/// <summary>
/// One row of each Gumbel-family operation, written once: the device kernel (DeviceGumbel.cs) runs a row per thread,
/// the managed CPU (CpuGumbel.cs) the rows of a chunk, so both sides do the same operations in the same order. Rows of
/// k &lt;= <see cref="Backend.MaxClasses"/>; the last argument, scratch, holds k floats (device local memory, or
/// a CPU array per chunk). The elementwise transcendentals that need no row reduction (the Gumbel noise, log y) come
/// in as an <see cref="IFloatSource"/> of <see cref="GumbelNoiseOp"/> or <see cref="LogFlooredOp"/>: the device
/// computes them as it reads, the CPU with one vector pass per chunk.
/// </summary>
static class GumbelRows
{
    /// <summary>
    /// y[r] = softmax((logits[r] + g[r]) / tau), g = <see cref="GumbelNoiseOp"/>(u) read from <paramref name="g"/>;
    /// without noise g = 0 (and <paramref name="g"/> is not read).
    /// </summary>
    public static void Softmax<T, TG>(int r, T logits, TG g, int k, float tau, bool hasNoise, T y, T a)
        where T : struct, IFloats
        where TG : struct, IFloatSource
    {
        float mx = float.MinValue;
        for (int j = 0; j < k; j++)
        {
            float v = logits[r * k + j];
            if (hasNoise)
                v += g[r * k + j];
            a[j] = v / tau;
            mx = MathF.Max(mx, a[j]);
        }
        float s = 0f;
        for (int j = 0; j < k; j++)
        {
            a[j] = Fn.Exp(a[j] - mx);
            s += a[j];
        }
        for (int j = 0; j < k; j++)
            y[r * k + j] = a[j] / s;
    }

    /// <summary>dlogits += y (dy - &lt;dy, y&gt;) / tau.</summary>
    public static void SoftmaxBackward<T>(int r, T y, T dy, int k, float tau, T dlogits)
        where T : struct, IFloats
    {
        float s = 0f;
        for (int j = 0; j < k; j++)
            s += dy[r * k + j] * y[r * k + j];
        for (int j = 0; j < k; j++)
        {
            int i = r * k + j;
            dlogits[i] += y[i] * (dy[i] - s) / tau;
        }
    }

    /// <summary>
    /// Concrete log-density of y[r] under p = softmax(logits[r]) at temperature tau, in log space:
    /// lp = logNorm - k LSE_j(lsm_j - tau log y_j) + sum_j (lsm_j - (tau+1) log y_j), lsm = log_softmax(logits),
    /// logNorm = log (k-1)! + (k-1) log tau from the host; log y floored at LogFloor (<paramref name="logY"/>:
    /// <see cref="LogFlooredOp"/> of y).
    /// </summary>
    public static void ConcreteLogPdf<T, TL>(int r, T logits, TL logY, int k, float tau, float logNorm, T lp, T t)
        where T : struct, IFloats
        where TL : struct, IFloatSource
    {
        float tm = Terms(logits, logY, r * k, k, tau, t, out float lse);
        float lin = 0f,
            st = 0f;
        for (int j = 0; j < k; j++)
        {
            lin += logits[r * k + j] - lse - (tau + 1f) * logY[r * k + j];
            st += Fn.Exp(t[j] - tm);
        }
        lp[r] = logNorm - k * (tm + Fn.Log(st)) + lin;
    }

    /// <summary>
    /// With w = softmax_j(lsm_j - tau log y_j): dlogits += g (1 - k w); dy += g (k tau w - tau - 1) / y (when hasDy).
    /// <paramref name="logY"/> is <see cref="LogFlooredOp"/> of y.
    /// </summary>
    public static void ConcreteLogPdfBackward<T, TL>(
        int r,
        T logits,
        T y,
        TL logY,
        T g,
        int k,
        float tau,
        bool hasDy,
        T dlogits,
        T dy,
        T t
    )
        where T : struct, IFloats
        where TL : struct, IFloatSource
    {
        float tm = Terms(logits, logY, r * k, k, tau, t, out _);
        float st = 0f;
        for (int j = 0; j < k; j++)
        {
            t[j] = Fn.Exp(t[j] - tm);
            st += t[j];
        }
        float gr = g[r];
        for (int j = 0; j < k; j++)
        {
            int i = r * k + j;
            float w = t[j] / st;
            dlogits[i] += gr * (1f - k * w);
            if (hasDy)
                dy[i] += gr * (k * tau * w - tau - 1f) / MathF.Max(y[i], LogFloor);
        }
    }

    // t[j] = lsm_j - tau log y_j for the row at offset o; returns max_j t[j] and the row's log-sum-exp of the logits.
    static float Terms<T, TL>(T l, TL logY, int o, int k, float tau, T t, out float lse)
        where T : struct, IFloats
        where TL : struct, IFloatSource
    {
        float mx = float.MinValue;
        for (int j = 0; j < k; j++)
            mx = MathF.Max(mx, l[o + j]);
        float se = 0f;
        for (int j = 0; j < k; j++)
            se += Fn.Exp(l[o + j] - mx);
        lse = mx + Fn.Log(se);
        float tm = float.MinValue;
        for (int j = 0; j < k; j++)
        {
            t[j] = l[o + j] - lse - tau * logY[o + j];
            tm = MathF.Max(tm, t[j]);
        }
        return tm;
    }
}

/// <summary>Gumbel noise from a uniform u: g = -log(max(-log(u + GumbelShift) + GumbelShift, GumbelFloor)).</summary>
internal readonly struct GumbelNoiseOp : Cpu.IUnaryOp
{
    public static T Invoke<T>(T u)
        where T : struct, Cpu.ISimd<T> =>
        -Cpu.VectorMath.Log(
            T.Max(
                -Cpu.VectorMath.Log(u + T.Create(KernelConstants.GumbelShift)) + T.Create(KernelConstants.GumbelShift),
                T.Create(KernelConstants.GumbelFloor)
            )
        );
}

/// <summary>The Concrete density's log y: log max(y, LogFloor).</summary>
internal readonly struct LogFlooredOp : Cpu.IUnaryOp
{
    public static T Invoke<T>(T y)
        where T : struct, Cpu.ISimd<T> => Cpu.VectorMath.Log(T.Max(y, T.Create(KernelConstants.LogFloor)));
}
