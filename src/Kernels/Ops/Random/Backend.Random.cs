namespace Untapped.Kernels;

// The Random family's validated entries (Philox4x32-10 draws: uniform and normal by Box-Muller): each public method
// checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the ILGPU launch in Ilgpu*.cs of
// this folder).
public abstract partial class Backend
{
    /// <summary>
    /// out[i] ~ U(0,1) from Philox4x32-10: word i%4 of block i/4, counter {i/4, 0, step, stream}, key = seed.
    /// </summary>
    public void PhiloxUniform(PhiloxStream key, int n, View output) => PhiloxUniformCore(PhiloxFill(key, n, output));

    protected abstract void PhiloxUniformCore(in PhiloxFillArgs args);

    /// <summary>out[i] ~ N(0,1): Box-Muller on the same Philox blocks as <see cref="PhiloxUniform"/>.</summary>
    public void PhiloxNormal(PhiloxStream key, int n, View output) => PhiloxNormalCore(PhiloxFill(key, n, output));

    protected abstract void PhiloxNormalCore(in PhiloxFillArgs args);

    // Both fills' arguments, validated: n not negative, output [n] on this backend.
    PhiloxFillArgs PhiloxFill(PhiloxStream key, int n, View output)
    {
        Sizes(n).All(output);
        return new(key, n, output);
    }

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct PhiloxFillArgs(PhiloxStream Key, int N, View Output);
    // csharpier-ignore-end
}
