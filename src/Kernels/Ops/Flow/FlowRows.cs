namespace Untapped.Kernels;

/// <summary>
/// One row of the logistic flow and of its backward, written once: the device kernel (DeviceFlow.cs) runs a row per
/// thread, the managed CPU (CpuFlow.cs) the rows of a chunk, so both sides do the same operations in the same order.
/// </summary>
static class FlowRows
{
    /// <summary>
    /// z = lo + (hi-lo) sigmoid(zt); logdet[r] = log(FlowEps + prod_d (hi-lo) s (1-s)) (original) or
    /// sum_d log(hi-lo) - softplus(-zt) - softplus(zt) (exact).
    /// </summary>
    public static void Forward<T>(int r, T zt, int d, float lo, float hi, LogDetForm form, T z, T logdet)
        where T : struct, IFloats
    {
        float prod = 1f,
            sum = 0f,
            w = hi - lo;
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float t = zt[i],
                s = Fn.Sigmoid(t);
            z[i] = lo + w * s;
            prod *= w * s * (1f - s);
            sum += Fn.FlowLogDetTerm(t, w);
        }
        logdet[r] = form == LogDetForm.Exact ? sum : Fn.Log(FlowEps + prod);
    }

    /// <summary>dzt += dz (hi-lo) s (1-s) + dlogdet[r] d logdet / d zt.</summary>
    public static void Backward<T>(int r, T zt, T dz, T dlogdet, int d, float lo, float hi, LogDetForm form, T dzt)
        where T : struct, IFloats
    {
        float w = hi - lo,
            prod = 1f;
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = Fn.Sigmoid(zt[i]);
            prod *= w * s * (1f - s);
        }
        float gl = dlogdet[r];
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = Fn.Sigmoid(zt[i]);
            float dld = form == LogDetForm.Exact ? 1f - 2f * s : prod * (1f - 2f * s) / (FlowEps + prod);
            dzt[i] += dz[i] * w * s * (1f - s) + gl * dld;
        }
    }
}
