namespace Untapped.Kernels.Cpu;

// Twin of Device/DeviceRandom.cs.
public sealed partial class CpuBackend
{
    protected override void PhiloxUniformCore(ulong seed, uint stream, uint step, int n, View output)
    {
        var o = A(output);
        Chunks(n, 1 << 14, (s, e) => Philox.Uniform(seed, stream, step, s, o.Span(s, e - s)));
    }

    protected override void PhiloxNormalCore(ulong seed, uint stream, uint step, int n, View output)
    {
        var o = A(output);
        Chunks(n, 1 << 14, (s, e) => Philox.Normal(seed, stream, step, s, o.Span(s, e - s)));
    }
}
