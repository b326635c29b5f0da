using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the losses, the batch mean and fill (Kernels/DeviceLosses.cs).
public sealed partial class IlgpuBackend
{
    protected override void ClippedCrossEntropyCore(View p, View target, int m, int k, View loss)
    {
        if (m > 0)
            Run(DeviceLosses.ClippedCrossEntropy, (Index1D)m, Arr(p), Arr(target), k, Arr(loss));
    }

    protected override void ClippedCrossEntropyBackwardCore(View p, View target, View g, int m, int k, View dp)
    {
        if (m > 0)
            Run(DeviceLosses.ClippedCrossEntropyBackward, (Index1D)m, Arr(p), Arr(target), Arr(g), k, Arr(dp));
    }

    protected override void L2DistanceCore(View a, View b, int m, int d, View dist)
    {
        if (m > 0)
            Run(DeviceLosses.L2Distance, Groups(m, RowGroup), Arr(a), Arr(b), d, Arr(dist));
    }

    protected override void L2DistanceBackwardCore(
        View a,
        View b,
        View dist,
        View g,
        int m,
        int d,
        bool accumulate,
        View da
    )
    {
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

    protected override void RowMeanAccumulateCore(View v, int m, float coef, View output) =>
        Run(DeviceLosses.RowMeanAccumulate, Groups(1, GroupSize), Arr(v), m, coef, Arr(output));

    protected override void FillCore(int n, float value, View output)
    {
        if (n > 0)
            Run(DeviceLosses.Fill, Strided(n), n, value, Arr(output));
    }
}
