using Untapped.Kernels.Cpu;

namespace Untapped.Kernels;

/// <summary>
/// One row of each Gumbel-family operation, written once over a lane type <c>TV</c>: the device kernel
/// (DeviceGumbel.cs) runs a row per thread on <see cref="Lane"/>, the managed CPU (CpuGumbel.cs) as many rows at once
/// as a vector has lanes, transposed so that lane i holds row i (<see cref="RowBlock{TV}"/>). Each lane does the
/// scalar row's operations in its order, so both sides, and every width, give each row the same bits; the vector form
/// runs the row's exps and logs 16 (AVX-512) or 8 (AVX2) rows at a time, where a row of ten classes fills no vector.
/// Rows of k &lt;= <see cref="Backend.MaxClasses"/>; the element accessors (<see cref="IRowSource{TV}"/>, <see
/// cref="IRows{TV}"/>) index a row's class j; a per-row value (lp, g) is its accessor's element 0. The scratch holds k
/// elements (device local memory, or a CPU block). Inputs that are elementwise functions of an array (the Gumbel
/// noise, log y) come through <see cref="RowThrough{TOp, TV, TS}"/> of <see cref="GumbelNoiseOp"/> or <see
/// cref="LogFlooredOp"/>, computed as they are read.
/// </summary>
static class GumbelRows
{
    /// <summary>
    /// y = softmax((logits + g) / tau), g = <see cref="GumbelNoiseOp"/>(u) read from <paramref name="g"/>; without
    /// noise g = 0 (and <paramref name="g"/> is not read).
    /// </summary>
    public static void Softmax<TV, TR, TS, TG>(TS logits, TG g, int k, float tau, bool hasNoise, TR y, TR a)
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TS : struct, IRowSource<TV>
        where TG : struct, IRowSource<TV>
    {
        var mx = TV.Create(float.MinValue);
        for (int j = 0; j < k; j++)
        {
            var v = logits[j];
            if (hasNoise)
                v += g[j];
            a[j] = v / TV.Create(tau);
            mx = TV.Max(mx, a[j]);
        }
        var s = TV.Create(0f);
        for (int j = 0; j < k; j++)
        {
            a[j] = VectorMath.Exp(a[j] - mx);
            s += a[j];
        }
        for (int j = 0; j < k; j++)
            y[j] = a[j] / s;
    }

    /// <summary>dlogits += y (dy - &lt;dy, y&gt;) / tau.</summary>
    public static void SoftmaxBackward<TV, TR, TS>(TS y, TS dy, int k, float tau, TR dlogits)
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TS : struct, IRowSource<TV>
    {
        var s = TV.Create(0f);
        for (int j = 0; j < k; j++)
            s += dy[j] * y[j];
        for (int j = 0; j < k; j++)
            dlogits[j] += y[j] * (dy[j] - s) / TV.Create(tau);
    }

    /// <summary>
    /// Concrete log-density of y under p = softmax(logits) at temperature tau, in log space:
    /// lp = logNorm - k LSE_j(lsm_j - tau log y_j) + sum_j (lsm_j - (tau+1) log y_j), lsm = log_softmax(logits),
    /// logNorm = log (k-1)! + (k-1) log tau from the host; log y floored at LogFloor (<paramref name="logY"/>:
    /// <see cref="LogFlooredOp"/> of y).
    /// </summary>
    public static void ConcreteLogPdf<TV, TR, TS, TL>(TS logits, TL logY, int k, float tau, float logNorm, TR lp, TR t)
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TS : struct, IRowSource<TV>
        where TL : struct, IRowSource<TV>
    {
        var tm = Terms<TV, TR, TS, TL>(logits, logY, k, tau, t, out var lse);
        TV lin = TV.Create(0f),
            st = TV.Create(0f);
        for (int j = 0; j < k; j++)
        {
            lin += logits[j] - lse - TV.Create(tau + 1f) * logY[j];
            st += VectorMath.Exp(t[j] - tm);
        }
        lp[0] = TV.Create(logNorm) - TV.Create(k) * (tm + VectorMath.Log(st)) + lin;
    }

    /// <summary>
    /// With w = softmax_j(lsm_j - tau log y_j): dlogits += g (1 - k w); dy += g (k tau w - tau - 1) / max(y, LogFloor)
    /// (when hasDy). <paramref name="logY"/> is <see cref="LogFlooredOp"/> of y.
    /// </summary>
    public static void ConcreteLogPdfBackward<TV, TR, TS, TL>(
        TS logits,
        TS y,
        TL logY,
        TS g,
        int k,
        float tau,
        bool hasDy,
        TR dlogits,
        TR dy,
        TR t
    )
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TS : struct, IRowSource<TV>
        where TL : struct, IRowSource<TV>
    {
        var tm = Terms<TV, TR, TS, TL>(logits, logY, k, tau, t, out _);
        var st = TV.Create(0f);
        for (int j = 0; j < k; j++)
        {
            t[j] = VectorMath.Exp(t[j] - tm);
            st += t[j];
        }
        var gr = g[0];
        for (int j = 0; j < k; j++)
        {
            var w = t[j] / st;
            dlogits[j] += gr * (TV.Create(1f) - TV.Create(k) * w);
            // max(LogFloor, y): a NaN y stays NaN (the native max returns its second operand).
            if (hasDy)
            {
                dy[j] +=
                    gr * (TV.Create(k * tau) * w - TV.Create(tau) - TV.Create(1f)) / TV.Max(TV.Create(LogFloor), y[j]);
            }
        }
    }

    // t[j] = lsm_j - tau log y_j; returns max_j t[j] and the row's log-sum-exp of the logits.
    static TV Terms<TV, TR, TS, TL>(TS l, TL logY, int k, float tau, TR t, out TV lse)
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TS : struct, IRowSource<TV>
        where TL : struct, IRowSource<TV>
    {
        var mx = TV.Create(float.MinValue);
        for (int j = 0; j < k; j++)
            mx = TV.Max(mx, l[j]);
        var se = TV.Create(0f);
        for (int j = 0; j < k; j++)
            se += VectorMath.Exp(l[j] - mx);
        lse = mx + VectorMath.Log(se);
        var tm = TV.Create(float.MinValue);
        for (int j = 0; j < k; j++)
        {
            t[j] = l[j] - lse - TV.Create(tau) * logY[j];
            tm = TV.Max(tm, t[j]);
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
