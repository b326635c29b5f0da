namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// The clipped cross-entropy of the classifier and the L2 distance of the reconstruction term, with backwards.
    /// </summary>
    static IEnumerable<OpCase> Losses(CaseSize s)
    {
        int m = s.M,
            k = s.K,
            d = s.D;
        long mk = (long)m * k * F,
            md = (long)m * d * F,
            mf = m * F;
        bool grad = s == CaseSize.Gradient,
            model = s == CaseSize.Model;
        yield return new(
            "clipped_ce",
            nameof(Backend.ClippedCrossEntropy),
            r => OpCase.Buffers(("p", Gen.Simplex(r, m, k)), ("t", Gen.OneHot(r, m, k)), ("o", new float[m])),
            ["o"],
            (a, h) => a.ClippedCrossEntropy(h["p"], h["t"], m, k, h["o"])
        )
        {
            Bytes = 2 * mk + mf,
            Gradient = new(["p"], (a, h) => a.ClippedCrossEntropyBackward(h["p"], h["t"], h["g_o"], m, k, h["d_p"])),
        };
        yield return new(
            "l2_distance",
            nameof(Backend.L2Distance),
            r => OpCase.Buffers(("a", Gen.Uniform(r, m * d)), ("b", Gen.Bits(r, m * d)), ("o", new float[m])),
            ["o"],
            (a, h) => a.L2Distance(h["a"], h["b"], m, d, h["o"])
        )
        {
            Bytes = 2 * md,
            Gradient = new(["a"], (a, h) =>
                a.L2DistanceBackward(h["a"], h["b"], h["o"], h["g_o"], m, d, true, h["d_a"])
            ),
        };
        if (grad)
            yield break;
        yield return new(
            "clipped_ce_backward",
            nameof(Backend.ClippedCrossEntropyBackward),
            r =>
                OpCase.Buffers(
                    ("p", Gen.Simplex(r, m, k)),
                    ("t", Gen.OneHot(r, m, k)),
                    ("g", Gen.Uniform(r, m)),
                    ("o", Gen.Uniform(r, m * k))
                ),
            ["o"],
            (a, h) => a.ClippedCrossEntropyBackward(h["p"], h["t"], h["g"], m, k, h["o"])
        )
        {
            Bytes = 4 * mk + mf,
        };
        if (!model)
        {
            yield return new(
                "l2_distance_backward",
                nameof(Backend.L2DistanceBackward),
                r =>
                    OpCase.Buffers(
                        ("a", Gen.Uniform(r, m * d)),
                        ("b", Gen.Bits(r, m * d)),
                        ("n", Gen.Uniform(r, m, 1, 10)),
                        ("g", Gen.Uniform(r, m)),
                        ("o", Gen.Uniform(r, m * d))
                    ),
                ["o"],
                (a, h) => a.L2DistanceBackward(h["a"], h["b"], h["n"], h["g"], m, d, true, h["o"])
            );
        }
        // Overwriting, as in the step: the old contents are NaN; every fifth row has distance 0 and must come out as
        // zeros.
        yield return new(
            "l2_distance_backward_overwrite",
            nameof(Backend.L2DistanceBackward),
            r =>
                OpCase.Buffers(
                    ("a", Gen.Uniform(r, m * d)),
                    ("b", Gen.Bits(r, m * d)),
                    ("n", Enumerable.Range(0, m).Select(i => i % 5 == 0 ? 0f : 1 + i % 7).ToArray()),
                    ("g", Gen.Uniform(r, m)),
                    ("o", Enumerable.Repeat(float.NaN, m * d).ToArray())
                ),
            ["o"],
            (a, h) => a.L2DistanceBackward(h["a"], h["b"], h["n"], h["g"], m, d, false, h["o"])
        )
        {
            Bytes = 3 * md,
        };
    }
}
