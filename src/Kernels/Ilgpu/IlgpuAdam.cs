using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the gradient norm and Adam (Kernels/DeviceAdam.cs).
public sealed partial class IlgpuBackend
{
    protected override void SumSquaresPartialsCore(View x, int n, View partials) =>
        Run(DeviceAdam.SumSquaresPartials, Groups(1, NormPartials), Arr(x), n, Arr(partials));

    protected override void AdamCore(View partials, int n, AdamStep s, View parameters, View grads, View m, View v)
    {
        if (n == 0)
            return;
        Run(DeviceAdam.GlobalNorm, Groups(1, GroupSize), Arr(partials), (V)_norm.View);
        Run(DeviceAdam.Adam, Strided(n), (V)_norm.View, n, s, Arr(parameters), Arr(grads), Arr(m), Arr(v));
    }
}
