namespace Untapped.Checks;

public static partial class OpCases
{
    const long F = sizeof(float);

    /// <summary>Counter-based draws: exact on every backend (the normal's Box-Muller within 2e-6).</summary>
    static IEnumerable<OpCase> Philox(CaseSize s)
    {
        if (s == CaseSize.Gradient)
            yield break;
        // Odd counts at test size reach the tail of the last 4-draw block; the model's are the step's.
        int nu = s == CaseSize.Model ? s.M * s.D : 1001;
        int nn = s == CaseSize.Model ? s.M * s.Z : 1003;
        yield return new(
            "philox_uniform",
            nameof(Backend.PhiloxUniform),
            r => OpCase.Buffers(("o", new float[nu])),
            ["o"],
            (a, h) => a.PhiloxUniform(new(0x1234_5678_9abc_def0UL, 7, 3), nu, h["o"])
        )
        {
            Bytes = nu * F,
        };
        yield return new(
            "philox_normal",
            nameof(Backend.PhiloxNormal),
            r => OpCase.Buffers(("o", new float[nn])),
            ["o"],
            (a, h) => a.PhiloxNormal(new(42, 9, 1), nn, h["o"])
        )
        {
            Bytes = nn * F,
        };
        if (s != CaseSize.Test)
            yield break;
        // A fill that starts inside a 4-draw block and ends inside another (first = 4 x 250 + 3): what a fused
        // epilogue's block of rows draws.
        foreach (bool normal in new[] { false, true })
        {
            yield return new(
                normal ? "philox_normal_from_1003" : "philox_uniform_from_1003",
                normal ? nameof(Backend.PhiloxNormal) : nameof(Backend.PhiloxUniform),
                r => OpCase.Buffers(("o", new float[998])),
                ["o"],
                (a, h) =>
                {
                    if (normal)
                        a.PhiloxNormal(new(42, 9, 1), 998, h["o"], first: 1003);
                    else
                        a.PhiloxUniform(new(0x1234_5678_9abc_def0UL, 7, 3), 998, h["o"], first: 1003);
                }
            )
            {
                Bytes = 998 * F,
            };
        }
    }
}
