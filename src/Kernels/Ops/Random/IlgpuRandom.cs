namespace Untapped.Kernels.Ilgpu;

// The launches of Philox draws (DeviceRandom.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void PhiloxUniformCore(in PhiloxFillArgs args)
    {
        var (key, first, n, output) = args;
        if (n > 0)
            Run(DeviceRandom.PhiloxUniform, (Index1D)(DeviceRandom.Blocks(first, n)), first, n, key, Arr(output));
    }

    protected override void PhiloxNormalCore(in PhiloxFillArgs args)
    {
        var (key, first, n, output) = args;
        if (n > 0)
            Run(DeviceRandom.PhiloxNormal, (Index1D)(DeviceRandom.Blocks(first, n)), first, n, key, Arr(output));
    }
}
