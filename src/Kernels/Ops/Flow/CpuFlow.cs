namespace Untapped.Kernels.Cpu;

// The managed CPU side of the logistic flow: the rows of FlowRows.cs (this folder), which the device kernels run too,
// over chunks of rows, each chunk's sigmoids (and the exact form's softplus terms) computed first by one vector pass.
public sealed partial class CpuBackend
{
    protected override void LogisticFlowCore(in LogisticFlowArgs args)
    {
        var (zt, m, d, lo, hi, form, z, logdet) = args;
        Mem Zt = A(zt),
            Z = A(z),
            L = A(logdet);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            int first = s * d,
                n = (e - s) * d;
            var sig = Precomputed.Of<SigmoidOp>(Zt, first, n);
            bool exact = form == LogDetForm.Exact;
            var neg = exact ? Precomputed.Of<SoftplusNegOp>(Zt, first, n) : default;
            var pos = exact ? Precomputed.Of<SoftplusOp>(Zt, first, n) : default;
            for (int r = s; r < e; r++)
                FlowRows.Forward(r, sig, neg, pos, d, lo, hi, form, Z, L);
        });
    }

    protected override void LogisticFlowBackwardCore(in LogisticFlowBackwardArgs args)
    {
        var (zt, dz, dlogdet, m, d, lo, hi, form, dzt) = args;
        Mem Zt = A(zt),
            Dz = A(dz),
            Dl = A(dlogdet),
            Dzt = A(dzt);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            var sig = Precomputed.Of<SigmoidOp>(Zt, s * d, (e - s) * d);
            for (int r = s; r < e; r++)
                FlowRows.Backward(r, sig, Dz, Dl, d, lo, hi, form, Dzt);
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
