namespace Untapped.Kernels.Cpu;

// The managed CPU side of the logistic flow: the rows of FlowRows.cs (this folder), which the device kernels run too.
public sealed partial class CpuBackend
{
    protected override void LogisticFlowCore(in LogisticFlowArgs args)
    {
        var (zt, m, d, lo, hi, form, z, logdet) = args;
        Mem ZT = A(zt),
            Z = A(z),
            LD = A(logdet);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
                FlowRows.Forward(r, ZT, d, lo, hi, form, Z, LD);
        });
    }

    protected override void LogisticFlowBackwardCore(in LogisticFlowBackwardArgs args)
    {
        var (zt, dz, dlogdet, m, d, lo, hi, form, dzt) = args;
        Mem ZT = A(zt),
            DZ = A(dz),
            DLD = A(dlogdet),
            O = A(dzt);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
                FlowRows.Backward(r, ZT, DZ, DLD, d, lo, hi, form, O);
        });
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
