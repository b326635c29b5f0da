namespace Untapped.Kernels;

/// <summary>
/// One row of the logistic flow and of its backward, written once: the device kernel (DeviceFlow.cs) runs a row per
/// thread, the managed CPU (CpuFlow.cs) the rows of a chunk, so both sides do the same operations in the same order.
/// The elementwise transcendentals (sigmoid, and the exact form's softplus(-zt), softplus(zt)) come in as <see
/// cref="IFloatSource"/>s: the device computes them as it reads, the CPU with one vector pass per chunk.
/// </summary>
static class FlowRows
{
    /// <summary>
    /// z = lo + (hi-lo) s with s = sigmoid(zt) (<paramref name="sig"/>); logdet[r] = log(FlowEps + prod_d (hi-lo) s (1-s))
    /// (original) or sum_d log(hi-lo) - softplus(-zt) - softplus(zt) (exact; <paramref name="spNeg"/>,
    /// <paramref name="spPos"/>, read only in that form).
    /// </summary>
    public static void Forward<T, TSig, TNeg, TPos>(
        int r,
        TSig sig,
        TNeg spNeg,
        TPos spPos,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        T z,
        T logdet
    )
        where T : struct, IFloats
        where TSig : struct, IFloatSource
        where TNeg : struct, IFloatSource
        where TPos : struct, IFloatSource
    {
        float prod = 1f,
            sum = 0f,
            w = hi - lo,
            logW = Fn.Log(w);
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = sig[i];
            z[i] = lo + w * s;
            // Only the form's own accumulator: the other would be discarded.
            if (form == LogDetForm.Exact)
                sum += logW - spNeg[i] - spPos[i];
            else
                prod *= w * s * (1f - s);
        }
        logdet[r] = form == LogDetForm.Exact ? sum : Fn.Log(FlowEps + prod);
    }

    /// <summary>dzt += dz (hi-lo) s (1-s) + dlogdet[r] d logdet / d zt, s = sigmoid(zt) (<paramref name="sig"/>).</summary>
    public static void Backward<T, TSig>(
        int r,
        TSig sig,
        T dz,
        T dlogdet,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        T dzt
    )
        where T : struct, IFloats
        where TSig : struct, IFloatSource
    {
        float w = hi - lo,
            prod = 1f;
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = sig[i];
            prod *= w * s * (1f - s);
        }
        float gl = dlogdet[r];
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = sig[i];
            float dld = form == LogDetForm.Exact ? 1f - 2f * s : prod * (1f - 2f * s) / (FlowEps + prod);
            dzt[i] += dz[i] * w * s * (1f - s) + gl * dld;
        }
    }
}

/// <summary>softplus(-x) = log(1 + e^-x): the exact log-det's first term.</summary>
internal readonly struct SoftplusNegOp : Cpu.IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, Cpu.ISimd<T> => Cpu.VectorMath.Softplus(-x);
}
