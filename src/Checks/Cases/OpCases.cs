using Untapped.Kernels.Cpu;

namespace Untapped.Checks;

/// <summary>
/// The one case table: every operation of the catalogue, one entry per family (the files beside this one, as
/// Kernels/Cpu keeps its partial files), each stating its test, model and gradient sizes. The parity tests, the
/// thread-count and vector-path tests, the gradient tests, `bench kernels`, `bench parity` and the GPU check all
/// iterate it (a test holds it to <see cref="Catalogue.Operations"/> at every size).
/// </summary>
public static partial class OpCases
{
    public static IEnumerable<OpCase> At(CaseSize s) =>
        Philox(s)
            .Concat(Dense(s))
            .Concat(Bernoulli(s))
            .Concat(Gaussian(s))
            .Concat(Flow(s))
            .Concat(Gumbel(s))
            .Concat(Losses(s))
            .Concat(Arena(s));

    public static OpCase Get(CaseSize s, string name) => At(s).Single(c => c.Name == name);

    /// <summary>A case's data seed: from its name, so adding a case changes no other case's data.</summary>
    static int StableSeed(string s)
    {
        uint h = 2166136261;
        foreach (char ch in s)
            h = (h ^ ch) * 16777619;
        return (int)(h & 0x7fffffff);
    }

    /// <summary>A case's seeded data.</summary>
    public static Dictionary<string, float[]> DataOf(OpCase c) => c.Data(new Random(StableSeed(c.Name)));

    /// <summary>Runs a case on a backend from its seeded data; returns each output.</summary>
    public static Dictionary<string, float[]> Execute(OpCase c, Backend acc)
    {
        using var h = new Harness(acc, DataOf(c));
        c.Run(acc, h);
        return c.Outputs.ToDictionary(o => o, h.Read);
    }

    /// <summary>
    /// Runs every case at <paramref name="s"/> on <paramref name="device"/> and on a one-thread managed CPU reference
    /// (the same seeded data) and compares each output bit for bit.
    /// </summary>
    public static IEnumerable<(OpCase Case, string Output, Tolerance.Result Result)> Parity(
        Backend device,
        CaseSize s,
        Func<OpCase, bool>? filter = null
    )
    {
        using var cpu = new CpuBackend(1);
        foreach (var c in At(s).Where(c => filter?.Invoke(c) ?? true))
        {
            var expected = Execute(c, cpu);
            var actual = Execute(c, device);
            foreach (var o in c.Outputs)
                yield return (c, o, Tolerance.Exact(expected[o], actual[o]));
        }
    }

    /// <summary>
    /// Runs a case on <paramref name="acc"/> and on <paramref name="reference"/>, throws unless every output has the
    /// same bits, and returns the case's buffers on <paramref name="acc"/> (the caller times and disposes it).
    /// </summary>
    public static Harness Validate(OpCase c, Backend acc, Backend reference)
    {
        var want = Execute(c, reference);
        var h = new Harness(acc, DataOf(c));
        c.Run(acc, h);
        foreach (var o in c.Outputs)
        {
            var r = Tolerance.Exact(want[o], h.Read(o));
            if (r.Pass)
                continue;
            h.Dispose();
            throw new InvalidOperationException($"{c.Name}.{o}: output differs from the CPU reference at {r.Problem}");
        }
        return h;
    }
}

/// <summary>The catalogue's operations: the Backend's abstract *Core methods, one per public operation.</summary>
public static class Catalogue
{
    public static IReadOnlyList<string> Operations() =>
        typeof(Backend)
            .GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .Where(m => m.IsAbstract && m.Name.EndsWith("Core", StringComparison.Ordinal))
            .Where(m => !m.Name.StartsWith("CopyFromHost", StringComparison.Ordinal))
            .Where(m => !m.Name.StartsWith("CopyToHost", StringComparison.Ordinal))
            .Select(m => m.Name[..^4])
            .Order(StringComparer.Ordinal)
            .ToArray();
}
