namespace Untapped.Kernels.Ilgpu;

// The launches of the losses (DeviceLosses.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void ClippedCrossEntropyCore(in ClippedCrossEntropyArgs args)
    {
        var (p, target, m, k, loss) = args;
        if (m > 0)
            Run(DeviceLosses.ClippedCrossEntropy, (Index1D)m, Arr(p), Arr(target), k, Arr(loss));
    }

    protected override void ClippedCrossEntropyBackwardCore(in ClippedCrossEntropyBackwardArgs args)
    {
        var (p, target, g, m, k, dp) = args;
        if (m > 0)
            Run(DeviceLosses.ClippedCrossEntropyBackward, (Index1D)m, Arr(p), Arr(target), Arr(g), k, Arr(dp));
    }

    protected override void L2DistanceCore(in L2DistanceArgs args)
    {
        var (a, b, m, d, dist) = args;
        if (m > 0)
            Run(DeviceLosses.L2Distance, Groups(m, RowGroup), Arr(a), Arr(b), d, Arr(dist));
    }

    protected override void L2DistanceBackwardCore(in L2DistanceBackwardArgs args)
    {
        var (a, b, dist, g, m, d, accumulate, da) = args;
        if (m * d > 0)
        {
            Run(
                DeviceLosses.L2DistanceBackward,
                (Index1D)(m * d),
                Arr(a),
                Arr(b),
                Arr(dist),
                Arr(g),
                d,
                (Flag)accumulate,
                Arr(da)
            );
        }
    }
}
