namespace Untapped.Kernels;

/// <summary>
/// Work on rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of a result that are final: a GEMM's
/// epilogue (<see cref="Backend.Gemm"/>), or a block of <see cref="Backend.ForRows"/>. It may call the backend's
/// kernels on views of those rows; the managed CPU runs it on the thread that finished the rows, while they are in
/// its cache, and runs the kernels it calls on that thread alone.
/// </summary>
public delegate void RowsReady(int rowStart, int rowEnd);

/// <summary>
/// One product of <see cref="Backend.Gemms"/>: C = act(op(A) op(B) + bias + (accumulate ? C : 0)) with its row-wise
/// epilogue and the sums of B, as <see cref="Backend.Gemm"/> takes them.
/// </summary>
public readonly record struct GemmOutput(
    View B, // [k,n] or [n,k]
    View Bias, // [n] or empty
    int N,
    Activation Act,
    bool Accumulate,
    View C, // [m,n]
    RowsReady? RowsReady = null,
    View SumsOfB = default // [n] or empty
);

// The Dense family's validated entries (the dense layer: the GEMM with bias and activation, and its elementwise
// backward): each public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the
// ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>
    /// C = act(op(A) op(B) + bias + (accumulate ? C : 0)); op transposes when the flag is set. <paramref
    /// name="rowsReady"/>, when given, runs once on every row of C after it is final, in blocks that cover [0, m)
    /// exactly once: the managed CPU calls it from each row chunk of its tall schedule as soon as the chunk's last K
    /// block is done (while the chunk's C rows are in cache), a device after the GEMM over all rows. Row-wise work
    /// gives the same bits whatever the blocks. <paramref name="sumsOfB"/>, when given (B not transposed), also gets
    /// B's column sums added, exactly what <see cref="ActBiasBackward"/> with act none over B as dZ adds to its db:
    /// the dense layer's bias gradient from the dZ its weight gradient reads (the managed CPU's deep schedule sums the
    /// panels it has just packed; elsewhere the sums run as that call after the GEMM).
    /// </summary>
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
        View c, // [m,n]
        RowsReady? rowsReady = null,
        View sumsOfB = default // [n] or empty
    ) => Gemms(a, m, k, transA, transB, new GemmOutput(b, bias, n, act, accumulate, c, rowsReady, sumsOfB));

    /// <summary>
    /// Several GEMMs of one A: for each output o, exactly <c>Gemm(a, o.B, o.Bias, m, k, o.N, transA, transB, o.Act,
    /// o.Accumulate, o.C, o.RowsReady, o.SumsOfB)</c>, bit for bit, in one call: the managed CPU reads and packs A once
    /// for all of them (a batch of images feeds both the classifier's and the z-encoder's first layer, and both
    /// layers' weight gradients read it again); a device runs them one by one. Traced, they are timed as one GEMM of
    /// the outputs' columns together, which is what OpenBLAS then runs.
    /// </summary>
    public void Gemms(
        View a, // [m,k] or [k,m]
        int m,
        int k,
        bool transA,
        bool transB,
        params GemmOutput[] outputs
    )
    {
        NotNegative(k, nameof(k));
        for (int i = 0; i < outputs.Length; i++)
        {
            // Named as Gemm's parameters, with the output's index when there are several.
            var o = outputs[i];
            string of = outputs.Length == 1 ? "" : $" of output {i}";
            Sizes(m, o.N, "m", "n" + of)
                .Holds(a, (long)m * k, "a")
                .Holds(o.B, (long)k * o.N, "b" + of)
                .HoldsOrEmpty(o.Bias, o.N, "bias" + of)
                .All(o.C, "c" + of)
                .HoldsOrEmpty(o.SumsOfB, o.N, "sumsOfB" + of);
            if (transB && !o.SumsOfB.IsEmpty)
            {
                throw new ArgumentException(
                    "the column sums of B are for B stored [k,n] (not transposed)",
                    "sumsOfB" + of
                );
            }
        }
        if (GemmTrace is not { } trace)
        {
            GemmsCore(a, m, k, transA, transB, outputs);
            return;
        }
        // Traced, the GEMMs are timed alone (what `bench limit` compares with OpenBLAS: one output as its own call,
        // several as one GEMM of their columns together), and the epilogues and the sums of B run after them.
        var bare = outputs.Select(o => o with { RowsReady = null, SumsOfB = default }).ToArray();
        var shape =
            outputs.Length == 1
                ? Args(a, m, k, transA, transB, bare[0])
                : Args(
                    a,
                    m,
                    k,
                    transA,
                    transB,
                    new(default, default, outputs.Sum(o => o.N), Activation.None, false, default)
                );
        trace.Record(this, shape, () => GemmsCore(a, m, k, transA, transB, bare));
        foreach (var o in outputs)
        {
            if (!o.SumsOfB.IsEmpty)
                SumsOfB(Args(a, m, k, transA, transB, o));
            if (o.RowsReady is not null)
                ForRows(m, o.RowsReady);
        }
    }

    /// <summary>The outputs one by one (a backend that shares A overrides this).</summary>
    protected virtual void GemmsCore(View a, int m, int k, bool transA, bool transB, GemmOutput[] outputs)
    {
        foreach (var o in outputs)
            GemmCore(Args(a, m, k, transA, transB, o));
    }

    /// <summary>Output <paramref name="o"/> of <see cref="Gemms"/> as the one <see cref="Gemm"/> call it stands for.</summary>
    protected static GemmArgs Args(View a, int m, int k, bool transA, bool transB, in GemmOutput o) =>
        new(a, o.B, o.Bias, m, k, o.N, transA, transB, o.Act, o.Accumulate, o.C, o.RowsReady, o.SumsOfB);

    /// <summary>
    /// The GEMM's sums of B as their own call: <see cref="ActBiasBackward"/> with act none over B as dZ (none over
    /// zero rows).
    /// </summary>
    protected void SumsOfB(in GemmArgs g)
    {
        if (g.K > 0 && g.N > 0)
            ActBiasBackwardCore(new(g.B, g.B, g.K, g.N, Activation.None, g.B, g.SumsOfB));
    }

    protected abstract void GemmCore(in GemmArgs args);

    /// <summary>
    /// Runs <paramref name="body"/> over rows [0, m) in blocks that cover them exactly once: on the managed CPU in
    /// parallel blocks (each on one thread, as a GEMM epilogue runs), on a device once over all rows.
    /// </summary>
    public void ForRows(int m, RowsReady body)
    {
        NotNegative(m, nameof(m));
        if (m > 0)
            ForRowsCore(m, body);
    }

    // Not a kernel (no case of its own): a device runs the body's kernels over all rows at once.
    protected virtual void ForRowsCore(int m, RowsReady body) => body(0, m);

    /// <summary>
    /// The dense layer's elementwise backward in one pass over dY: dZ[i,j] = dY[i,j] act'(x) computed from the
    /// layer output Y = act(x) (act' = 1 for none), and db[j] += sum_i dZ[i,j]. dZ may be dY itself (in place).
    /// With <paramref name="db"/> empty only dZ is formed: on any block of rows (the epilogue of the GEMM that
    /// finishes dY); a later call with act none over the whole of dZ then adds the same db, bit for bit.
    /// </summary>
    public void ActBiasBackward(
        View y, // [m,n]
        View dy, // [m,n]
        int m,
        int n,
        Activation act,
        View dz, // [m,n]
        View db // [n] or empty
    )
    {
        Sizes(m, n).All(y).All(dy).All(dz).HoldsOrEmpty(db, n);
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
    protected internal readonly record struct GemmArgs(View A, View B, View Bias, int M, int K, int N, bool TransA, bool TransB, Activation Act, bool Accumulate, View C, RowsReady? RowsReady, View SumsOfB);
    protected readonly record struct ActBiasBackwardArgs(View Y, View Dy, int M, int N, Activation Act, View Dz, View Db);
    protected readonly record struct FoldRowsArgs(View X, int M, int N, int P, View Y);
    // csharpier-ignore-end
}
