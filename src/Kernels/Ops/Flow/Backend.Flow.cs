namespace Untapped.Kernels;

// The Flow family's validated entries (the logistic flow onto the box: forward with its log-determinant, backward,
// inverse): each public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the
// ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>z = lo + (hi-lo) sigmoid(zt); logdet[r] per <paramref name="form"/> (docs/model.md §3).</summary>
    public void LogisticFlow(
        View zt, // [m,d]
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View z, // [m,d]
        View logdet // [m]
    )
    {
        Box(lo, hi);
        Sizes(m, d).All(zt).All(z).Rows(logdet);
        LogisticFlowCore(new(zt, m, d, lo, hi, form, z, logdet));
    }

    protected abstract void LogisticFlowCore(in LogisticFlowArgs args);

    /// <summary>dzt += dz * dz/dzt + dlogdet[r] * dlogdet/dzt.</summary>
    public void LogisticFlowBackward(
        View zt, // [m,d]
        View dz, // [m,d]
        View dlogdet, // [m]
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View dzt // [m,d]
    )
    {
        Box(lo, hi);
        Sizes(m, d).All(zt).All(dz).Rows(dlogdet).All(dzt);
        LogisticFlowBackwardCore(new(zt, dz, dlogdet, m, d, lo, hi, form, dzt));
    }

    protected abstract void LogisticFlowBackwardCore(in LogisticFlowBackwardArgs args);

    /// <summary>zt = logit(clip((z - lo)/(hi - lo), 1e-5, 1 - 1e-5)).</summary>
    public void LogisticFlowInverse(
        View z, // [n]
        int n,
        float lo,
        float hi,
        View zt // [n]
    )
    {
        Box(lo, hi);
        Sizes(n).All(z).All(zt);
        LogisticFlowInverseCore(new(z, n, lo, hi, zt));
    }

    protected abstract void LogisticFlowInverseCore(in LogisticFlowInverseArgs args);

    static void Box(float lo, float hi)
    {
        if (!(hi > lo) || float.IsInfinity(hi - lo))
            throw new ArgumentOutOfRangeException(nameof(hi), $"flow box ({lo}, {hi}) must have lo < hi");
    }

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct LogisticFlowArgs(View Zt, int M, int D, float Lo, float Hi, LogDetForm Form, View Z, View Logdet);
    protected readonly record struct LogisticFlowBackwardArgs(View Zt, View Dz, View Dlogdet, int M, int D, float Lo, float Hi, LogDetForm Form, View Dzt);
    protected readonly record struct LogisticFlowInverseArgs(View Z, int N, float Lo, float Hi, View Zt);
    // csharpier-ignore-end
}
