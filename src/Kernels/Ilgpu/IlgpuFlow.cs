using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the logistic flow (Kernels/DeviceFlow.cs).
public sealed partial class IlgpuBackend
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
        if (m > 0)
            Run(DeviceFlow.LogisticFlow, (Index1D)m, Arr(zt), d, lo, hi, form, Arr(z), Arr(logdet));
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
        if (m > 0)
            Run(DeviceFlow.LogisticFlowBackward, (Index1D)m, Arr(zt), Arr(dz), Arr(dlogdet), d, lo, hi, form, Arr(dzt));
    }

    protected override void LogisticFlowInverseCore(View z, int n, float lo, float hi, View zt)
    {
        if (n > 0)
            Run(DeviceFlow.LogisticFlowInverse, (Index1D)n, Arr(z), lo, hi, Arr(zt));
    }
}
