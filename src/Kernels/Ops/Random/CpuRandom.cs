namespace Untapped.Kernels.Cpu;

// The managed CPU twin of DeviceRandom.cs (this folder).
public sealed partial class CpuBackend
{
    protected override void PhiloxUniformCore(in PhiloxUniformArgs args)
    {
        var (seed, stream, step, n, output) = args;
        var o = A(output);
        Chunks(n, 1 << 14, (s, e) => Philox.Uniform(seed, stream, step, s, o.Span(s, e - s)));
    }

    protected override void PhiloxNormalCore(in PhiloxNormalArgs args)
    {
        var (seed, stream, step, n, output) = args;
        var o = A(output);
        Chunks(n, 1 << 14, (s, e) => Philox.Normal(seed, stream, step, s, o.Span(s, e - s)));
    }
}
