namespace Untapped.Kernels;

// The Random family's validated entries (Philox4x32-10 draws: uniform and normal by Box-Muller): each public method
// checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the ILGPU launch in Ilgpu*.cs of
// this folder).
public abstract partial class Backend
{
    /// <summary>
    /// out[i] ~ U(0,1) from Philox4x32-10, draw j = <paramref name="first"/> + i of the stream: word j%4 of block j/4,
    /// counter {j/4, 0, step, stream}, key = seed. A fill of rows [r0, r1) of a [rows, cols] tensor (first = r0 cols)
    /// draws exactly what the whole tensor's fill draws there.
    /// </summary>
    public void PhiloxUniform(PhiloxStream key, int n, View output, int first = 0) =>
        PhiloxUniformCore(PhiloxFill(key, first, n, output));

    protected abstract void PhiloxUniformCore(in PhiloxFillArgs args);

    /// <summary>out[i] ~ N(0,1): Box-Muller on the same Philox blocks as <see cref="PhiloxUniform"/>.</summary>
    public void PhiloxNormal(PhiloxStream key, int n, View output, int first = 0) =>
        PhiloxNormalCore(PhiloxFill(key, first, n, output));

    protected abstract void PhiloxNormalCore(in PhiloxFillArgs args);

    // Both fills' arguments, validated: n and first not negative, first + n within an int, output [n] on this backend.
    PhiloxFillArgs PhiloxFill(PhiloxStream key, int first, int n, View output)
    {
        NotNegative(first, nameof(first));
        if ((long)first + n > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(n), $"draws {first}..{(long)first + n} pass the int range");
        Sizes(n).All(output);
        return new(key, first, n, output);
    }

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct PhiloxFillArgs(PhiloxStream Key, int First, int N, View Output);
    // csharpier-ignore-end
}
