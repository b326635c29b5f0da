namespace Untapped.Kernels.Ilgpu;

// The launches of the logistic flow (DeviceFlow.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void LogisticFlowCore(in LogisticFlowArgs args)
    {
        var (zt, m, d, lo, hi, form, z, logdet) = args;
        if (m > 0)
            Run(DeviceFlow.LogisticFlow, (Index1D)m, Arr(zt), d, lo, hi, form, Arr(z), Arr(logdet));
    }

    protected override void LogisticFlowBackwardCore(in LogisticFlowBackwardArgs args)
    {
        var (zt, dz, dlogdet, m, d, lo, hi, form, dzt) = args;
        if (m > 0)
            Run(DeviceFlow.LogisticFlowBackward, (Index1D)m, Arr(zt), Arr(dz), Arr(dlogdet), d, lo, hi, form, Arr(dzt));
    }

    protected override void LogisticFlowInverseCore(in LogisticFlowInverseArgs args)
    {
        var (z, n, lo, hi, zt) = args;
        if (n > 0)
            Run(DeviceFlow.LogisticFlowInverse, (Index1D)n, Arr(z), lo, hi, Arr(zt));
    }
}
