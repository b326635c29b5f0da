using ILGPU;
using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// The logistic flow onto the box [lo, hi]^d, its log-determinant and inverse; twin of Cpu/CpuFlow.cs.
/// </summary>
static class DeviceFlow
{
    /// <summary>
    /// z = lo + (hi-lo) sigmoid(zt); logdet[r] = log(FlowEps + prod_d (hi-lo) s (1-s)) (original) or
    /// sum_d log(hi-lo) - softplus(-zt) - softplus(zt) (exact). One thread per row.
    /// </summary>
    public static void LogisticFlow(
        Index1D r,
        ArrayView<float> zt, // [m,d]
        int d,
        float lo,
        float hi,
        LogDetForm form,
        ArrayView<float> z, // [m,d]
        ArrayView<float> logdet // [m]
    )
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
        logdet[r] = form == LogDetForm.Exact ? sum : MathF.Log(FlowEps + prod);
    }

    /// <summary>dzt += dz (hi-lo) s (1-s) + dlogdet[r] d logdet / d zt. One thread per row.</summary>
    public static void LogisticFlowBackward(
        Index1D r,
        ArrayView<float> zt, // [m,d]
        ArrayView<float> dz, // [m,d]
        ArrayView<float> dlogdet, // [m]
        int d,
        float lo,
        float hi,
        LogDetForm form,
        ArrayView<float> dzt // [m,d]
    )
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

    /// <summary>zt = logit(clip((z - lo) / (hi - lo), FlowEps, 1 - FlowEps)).</summary>
    public static void LogisticFlowInverse(
        Index1D i,
        ArrayView<float> z, // [n]
        float lo,
        float hi,
        ArrayView<float> zt // [n]
    ) => zt[i] = Fn.FlowInverse(z[i], lo, hi);
}
