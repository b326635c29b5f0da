using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Cpu;

// Twin of Device/DeviceFlow.cs.
public sealed partial class CpuBackend
{
    protected override void LogisticFlowCore(
        View zt,
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View z,
        View logdet
    )
    {
        Mem ZT = A(zt),
            Z = A(z),
            LD = A(logdet);
        float w = hi - lo;
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float prod = 1f,
                    sum = 0f;
                for (int i = r * d; i < (r + 1) * d; i++)
                {
                    float t = ZT[i],
                        sg = Fn.Sigmoid(t);
                    Z[i] = lo + w * sg;
                    prod *= w * sg * (1f - sg);
                    sum += Fn.FlowLogDetTerm(t, w);
                }
                LD[r] = form == LogDetForm.Exact ? sum : MathF.Log(FlowEps + prod);
            }
        });
    }

    protected override void LogisticFlowBackwardCore(
        View zt,
        View dz,
        View dlogdet,
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View dzt
    )
    {
        Mem ZT = A(zt),
            DZ = A(dz),
            DLD = A(dlogdet),
            O = A(dzt);
        float w = hi - lo;
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float prod = 1f;
                for (int i = r * d; i < (r + 1) * d; i++)
                {
                    float sg = Fn.Sigmoid(ZT[i]);
                    prod *= w * sg * (1f - sg);
                }
                float gl = DLD[r];
                for (int i = r * d; i < (r + 1) * d; i++)
                {
                    float sg = Fn.Sigmoid(ZT[i]);
                    float dld = form == LogDetForm.Exact ? 1f - 2f * sg : prod * (1f - 2f * sg) / (FlowEps + prod);
                    O[i] += DZ[i] * w * sg * (1f - sg) + gl * dld;
                }
            }
        });
    }

    protected override void LogisticFlowInverseCore(View z, int n, float lo, float hi, View zt)
    {
        Mem Z = A(z),
            O = A(zt);
        Chunks(n, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++)
                O[i] = Fn.FlowInverse(Z[i], lo, hi);
        });
    }
}
