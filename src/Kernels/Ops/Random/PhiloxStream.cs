namespace Untapped.Kernels;

/// <summary>
/// Which Philox4x32-10 draws a fill reads: key = <see cref="Seed"/>, counter {block, 0, <see cref="Step"/>, <see
/// cref="Stream"/>}. Passed whole to the device kernel (a blittable struct, as <see cref="AdamStep"/>).
/// </summary>
public readonly struct PhiloxStream(ulong seed, uint stream, uint step)
{
    public readonly ulong Seed = seed;
    public readonly uint Stream = stream;
    public readonly uint Step = step;
}
