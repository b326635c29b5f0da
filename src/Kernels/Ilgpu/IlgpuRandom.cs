using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of Philox draws (Kernels/DeviceRandom.cs).
public sealed partial class IlgpuBackend
{
    protected override void PhiloxUniformCore(ulong seed, uint stream, uint step, int n, View output)
    {
        if (n > 0)
            Run(DeviceRandom.PhiloxUniform, (Index1D)((n + 3) / 4), n, seed, stream, step, Arr(output));
    }

    protected override void PhiloxNormalCore(ulong seed, uint stream, uint step, int n, View output)
    {
        if (n > 0)
            Run(DeviceRandom.PhiloxNormal, (Index1D)((n + 3) / 4), n, seed, stream, step, Arr(output));
    }
}
