namespace Untapped.Checks;

/// <summary>
/// The sizes the case table is built at. <see cref="Test"/>: off every tile (37 rows, 301 columns) and small enough for
/// ILGPU's CPU accelerator, which runs each GPU thread as an OS thread; the parity tests and the GPU check run these.
/// <see cref="Model"/>: the model's (batch 10,000; 784 pixels; 10 classes; 2 latent dimensions; 571,948 parameters),
/// what `bench kernels` times and the GPU check's model-size stage compares. <see cref="Gradient"/>: a few rows, for
/// central differences against each forward case's backward.
/// </summary>
public sealed record CaseSize(string Name, int M, int D, int K, int Z, int P)
{
    public static readonly CaseSize Test = new("test", 37, 301, 10, 2, 5003);
    public static readonly CaseSize Model = new("model", 10_000, 784, 10, 2, 571_948);
    public static readonly CaseSize Gradient = new("gradient", 3, 7, 10, 2, 13);

    public override string ToString() => Name;
}

/// <summary>
/// A forward case's backward: with random cotangents g_o for each output o and L = sum_o &lt;g_o, o&gt;,
/// <paramref name="Backward"/> (run after the forward, reading "g_" + o) writes dL/dw into "d_" + w for every w in
/// <paramref name="Wrt"/>. The gradient test checks it by central differences of step <paramref name="Step"/>.
/// </summary>
public sealed record GradientPair(string[] Wrt, Action<Backend, Harness> Backward, float Step = 1e-2f);

/// <summary>
/// One kernel invocation on seeded data: <paramref name="Op"/> names the <see cref="Backend"/> operation it exercises,
/// <paramref name="Data"/> builds its named buffers, <paramref name="Outputs"/> are compared across backends bit for
/// bit (<see cref="Tolerance.Exact"/>: every backend computes the CPU's operations in the CPU's order). <see cref="Bytes"/> is its compulsory
/// memory traffic (for GB/s), <see cref="Gradient"/> its backward pair where it is a forward op.
/// </summary>
public sealed record OpCase(
    string Name,
    string Op,
    Func<Random, Dictionary<string, float[]>> Data,
    string[] Outputs,
    Action<Backend, Harness> Run
)
{
    public long Bytes { get; init; }
    public GradientPair? Gradient { get; init; }

    public override string ToString() => Name;

    /// <summary>Named buffers, in the order given.</summary>
    public static Dictionary<string, float[]> Buffers(params (string Name, float[] Data)[] items) =>
        items.ToDictionary(i => i.Name, i => i.Data);
}
