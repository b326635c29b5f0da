namespace Untapped.Kernels;

// The Random family's validated entries (Philox4x32-10 draws: uniform and normal (Box-Muller)): each public method checks its views once,
// then calls its backend's Core (the managed CPU's in Cpu*.cs, the ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>
    /// out[i] ~ U(0,1) from Philox4x32-10: word i%4 of block i/4, counter {i/4, 0, step, stream}, key = seed.
    /// </summary>
    public void PhiloxUniform(
        ulong seed,
        uint stream,
        uint step,
        int n,
        View output // [n]
    )
    {
        Sizes(n).All(output);
        PhiloxUniformCore(new(seed, stream, step, n, output));
    }

    protected abstract void PhiloxUniformCore(in PhiloxUniformArgs args);

    /// <summary>out[i] ~ N(0,1): Box-Muller on the same Philox blocks as <see cref="PhiloxUniform"/>.</summary>
    public void PhiloxNormal(
        ulong seed,
        uint stream,
        uint step,
        int n,
        View output // [n]
    )
    {
        Sizes(n).All(output);
        PhiloxNormalCore(new(seed, stream, step, n, output));
    }

    protected abstract void PhiloxNormalCore(in PhiloxNormalArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct PhiloxUniformArgs(ulong Seed, uint Stream, uint Step, int N, View Output);
    protected readonly record struct PhiloxNormalArgs(ulong Seed, uint Stream, uint Step, int N, View Output);
    // csharpier-ignore-end
}
