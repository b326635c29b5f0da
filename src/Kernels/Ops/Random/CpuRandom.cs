namespace Untapped.Kernels.Cpu;

// The managed CPU twin of DeviceRandom.cs (this folder).
public sealed partial class CpuBackend
{
    protected override void PhiloxUniformCore(in PhiloxFillArgs args)
    {
        var (key, first, n, output) = args;
        var o = A(output);
        Chunks(n, 1 << 14, (s, e) => Philox.Uniform(key.Seed, key.Stream, key.Step, first + s, o.Span(s, e - s)));
    }

    protected override void PhiloxNormalCore(in PhiloxFillArgs args)
    {
        var (key, first, n, output) = args;
        var o = A(output);
        Chunks(n, 1 << 14, (s, e) => Philox.Normal(key.Seed, key.Stream, key.Step, first + s, o.Span(s, e - s)));
    }
}
