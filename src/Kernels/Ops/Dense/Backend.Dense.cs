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

    /// <summary>
    /// y[c,j] = x[c,j] + x[c+p,j] + x[c+2p,j] + ... over the rows r &lt; m with r = c (mod p), added in that order: the
    /// rows of x folded onto one period, what the gradient of a tensor whose rows repeat with period p sums to per
    /// distinct row (the dense layer's backward then runs on p rows). y may be x's own first p rows (in place).
    /// </summary>
    public void FoldRows(
        View x, // [m,n]
        int m,
        int n,
        int p,
        View y // [p,n]
    )
    {
        if (p < 1 || p > m)
            throw new ArgumentOutOfRangeException(nameof(p), $"period {p} must be in 1..m = {m}");
        Sizes(m, n).All(x).Holds(y, (long)p * n);
        FoldRowsCore(new(x, m, n, p, y));
    }

    protected abstract void FoldRowsCore(in FoldRowsArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected internal readonly record struct GemmArgs(View A, View B, View Bias, int M, int K, int N, bool TransA, bool TransB, Activation Act, bool Accumulate, View C);
    protected readonly record struct ActBiasBackwardArgs(View Y, View Dy, int M, int N, Activation Act, View Dz, View Db);
    protected readonly record struct FoldRowsArgs(View X, int M, int N, int P, View Y);
    // csharpier-ignore-end
}
