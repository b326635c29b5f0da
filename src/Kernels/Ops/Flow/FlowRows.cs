using Untapped.Kernels.Cpu;

namespace Untapped.Kernels;

/// <summary>
/// One row of the logistic flow and of its backward, written once over a lane type <c>TV</c>, as <see
/// cref="GumbelRows"/> is: the device kernel (DeviceFlow.cs) runs a row per thread on <see cref="Lane"/>, the managed
/// CPU (CpuFlow.cs) a vector's lanes' worth of rows per call on transposed blocks (<see cref="RowBlock{TV}"/>); each
/// lane does the scalar row's operations in its order. The elementwise transcendentals (sigmoid, and the exact form's
/// softplus(-zt), softplus(zt)) come through <see cref="RowThrough{TOp, TV, TS}"/>, computed as they are read.
/// </summary>
static class FlowRows
{
    /// <summary>
    /// z = lo + (hi-lo) s with s = sigmoid(zt) (<paramref name="sig"/>); logdet = log(FlowEps + prod_d (hi-lo) s (1-s))
    /// (original) or sum_d log(hi-lo) - softplus(-zt) - softplus(zt) (exact; <paramref name="spNeg"/>,
    /// <paramref name="spPos"/>, read only in that form). logdet is its accessor's element 0.
    /// </summary>
    public static void Forward<TV, TR, TSig, TNeg, TPos>(
        TSig sig,
        TNeg spNeg,
        TPos spPos,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        TR z,
        TR logdet
    )
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TSig : struct, IRowSource<TV>
        where TNeg : struct, IRowSource<TV>
        where TPos : struct, IRowSource<TV>
    {
        float w = hi - lo;
        TV prod = TV.Create(1f),
            sum = TV.Create(0f),
            wv = TV.Create(w),
            logW = TV.Create(Fn.Log(w));
        for (int j = 0; j < d; j++)
        {
            var s = sig[j];
            z[j] = TV.Create(lo) + wv * s;
            // Only the form's own accumulator: the other would be discarded.
            if (form == LogDetForm.Exact)
                sum += logW - spNeg[j] - spPos[j];
            else
                prod *= wv * s * (TV.Create(1f) - s);
        }
        logdet[0] = form == LogDetForm.Exact ? sum : VectorMath.Log(TV.Create(FlowEps) + prod);
    }

    /// <summary>dzt += dz (hi-lo) s (1-s) + dlogdet d logdet / d zt, s = sigmoid(zt) (<paramref name="sig"/>).</summary>
    public static void Backward<TV, TR, TS, TSig>(
        TSig sig,
        TS dz,
        TS dlogdet,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        TR dzt
    )
        where TV : struct, ISimd<TV>
        where TR : struct, IRows<TV>
        where TS : struct, IRowSource<TV>
        where TSig : struct, IRowSource<TV>
    {
        TV w = TV.Create(hi - lo),
            one = TV.Create(1f),
            prod = one;
        for (int j = 0; j < d; j++)
        {
            var s = sig[j];
            prod *= w * s * (one - s);
        }
        var gl = dlogdet[0];
        for (int j = 0; j < d; j++)
        {
            var s = sig[j];
            var dld =
                form == LogDetForm.Exact
                    ? one - TV.Create(2f) * s
                    : prod * (one - TV.Create(2f) * s) / (TV.Create(FlowEps) + prod);
            dzt[j] += dz[j] * w * s * (one - s) + gl * dld;
        }
    }
}

/// <summary>softplus(-x) = log(1 + e^-x): the exact log-det's first term.</summary>
internal readonly struct SoftplusNegOp : Cpu.IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, Cpu.ISimd<T> => Cpu.VectorMath.Softplus(-x);
}
