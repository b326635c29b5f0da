namespace Untapped.Kernels.Cpu;

// The managed CPU side of the logistic flow: the rows of FlowRows.cs (this folder), which the device kernels run too.
public sealed partial class CpuBackend
{
    protected override void LogisticFlowCore(in LogisticFlowArgs args)
    {
        var (zt, m, d, lo, hi, form, z, logdet) = args;
        ForEach(m, Grain(d * 16), r => FlowRows.Forward(r, A(zt), d, lo, hi, form, A(z), A(logdet)));
    }

    protected override void LogisticFlowBackwardCore(in LogisticFlowBackwardArgs args)
    {
        var (zt, dz, dlogdet, m, d, lo, hi, form, dzt) = args;
        ForEach(m, Grain(d * 16), r => FlowRows.Backward(r, A(zt), A(dz), A(dlogdet), d, lo, hi, form, A(dzt)));
    }

    protected override void LogisticFlowInverseCore(in LogisticFlowInverseArgs args)
    {
        var (z, n, lo, hi, zt) = args;
        Mem Z = A(z),
            O = A(zt);
        Chunks(n, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++)
                O[i] = Fn.FlowInverse(Z[i], lo, hi);
        });
    }
}
