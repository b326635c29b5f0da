namespace Untapped.Kernels;

// The Dense family's validated entries (the dense layer: the GEMM with bias and activation, and its elementwise
// backward): each public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the
// ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>C = act(op(A) op(B) + bias + (accumulate ? C : 0)); op transposes when the flag is set.</summary>
    public void Gemm(
        View a, // [m,k] or [k,m]
        View b, // [k,n] or [n,k]
        View bias, // [n] or empty
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate,
        View c // [m,n]
    )
    {
        NotNegative(k, nameof(k));
        Sizes(m, n).Holds(a, (long)m * k).Holds(b, (long)k * n).HoldsOrEmpty(bias, n).All(c);
        var call = new GemmArgs(a, b, bias, m, k, n, transA, transB, act, accumulate, c);
        if (GemmTrace is { } trace)
            trace.Record(this, call, () => GemmCore(call));
        else
            GemmCore(call);
    }

    protected abstract void GemmCore(in GemmArgs args);

    /// <summary>
    /// The dense layer's elementwise backward in one pass over dY: dZ[i,j] = dY[i,j] act'(x) computed from the
    /// layer output Y = act(x) (act' = 1 for none), and db[j] += sum_i dZ[i,j]. dZ may be dY itself (in place).
    /// </summary>
    public void ActBiasBackward(
        View y, // [m,n]
        View dy, // [m,n]
        int m,
        int n,
        Activation act,
        View dz, // [m,n]
        View db // [n]
    )
    {
        Sizes(m, n).All(y).All(dy).All(dz).Holds(db, n);
        ActBiasBackwardCore(new(y, dy, m, n, act, dz, db));
    }

    protected abstract void ActBiasBackwardCore(in ActBiasBackwardArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected internal readonly record struct GemmArgs(View A, View B, View Bias, int M, int K, int N, bool TransA, bool TransB, Activation Act, bool Accumulate, View C);
    protected readonly record struct ActBiasBackwardArgs(View Y, View Dy, int M, int N, Activation Act, View Dz, View Db);
    // csharpier-ignore-end
}
