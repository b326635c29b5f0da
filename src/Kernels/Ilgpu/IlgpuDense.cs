using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the GEMM and the activation backward (Kernels/DeviceGemm.cs, Kernels/DeviceDense.cs).
public sealed partial class IlgpuBackend
{
    protected override void GemmCore(
        View a,
        View b,
        View bias,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate,
        View c
    )
    {
        if (m == 0 || n == 0)
            return;
        var grid = new Index2D((n + GemmTile - 1) / GemmTile, (m + GemmTile - 1) / GemmTile);
        Run(
            DeviceGemm.Gemm,
            new KernelConfig(grid, new Index2D(GemmThreads, GemmThreads)),
            Arr(a),
            Arr(b),
            Arr(bias),
            new GemmArgs(m, k, n, transA, transB, !bias.IsEmpty, act, accumulate),
            Arr(c)
        );
    }

    // dZ is written unless it is dY itself and there is no activation to apply.
    protected override void ActBiasBackwardCore(View y, View dy, int m, int n, Activation act, View dz, View db)
    {
        if (n == 0)
            return;
        var config = new KernelConfig(new Index2D((n + BiasCols - 1) / BiasCols, 1), new Index2D(BiasCols, BiasRows));
        Run(
            DeviceDense.ActBiasBackward,
            config,
            Arr(y),
            Arr(dy),
            m,
            n,
            act,
            (Flag)(act != Activation.None || !dz.Equals(dy)),
            Arr(dz),
            Arr(db)
        );
    }
}
