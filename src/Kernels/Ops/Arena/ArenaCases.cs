namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// Operations over the flat parameter arena and the loss accumulators: copy, fill, the batch mean, the squared
    /// gradient norm's partials and the clipped Adam update. Test: views at odd offsets and every clipping mode;
    /// model: the model's 571,948 parameters and a 10,000-row mean.
    /// </summary>
    static IEnumerable<OpCase> Arena(CaseSize s)
    {
        if (s == CaseSize.Gradient)
            yield break;
        bool model = s == CaseSize.Model;
        int p = s.P,
            n = model ? s.M * s.D : 777,
            rows = model ? s.M : 10007;
        yield return new(
            "row_mean_accumulate",
            nameof(Backend.RowMeanAccumulate),
            r => OpCase.Buffers(("v", Gen.Uniform(r, rows)), ("o", Gen.Uniform(r, 3))),
            ["o"],
            (a, h) => a.RowMeanAccumulate(h["v"], rows, 0.1f, h["o"].Slice(1, 1))
        )
        {
            Bytes = rows * F,
        };
        yield return new(
            "copy",
            nameof(Backend.Copy),
            r => OpCase.Buffers(("a", Gen.Uniform(r, n + 3)), ("o", Gen.Uniform(r, n + 100))),
            ["o"],
            (a, h) => a.Copy(h["a"].Slice(3, n), h["o"].Slice(100, n))
        )
        {
            Bytes = 2L * n * F,
        };
        yield return new(
            "fill",
            nameof(Backend.Fill),
            r => OpCase.Buffers(("o", Gen.Uniform(r, (model ? p : n) + 100))),
            ["o"],
            (a, h) => a.Fill(model ? p : n, 2.5f, h["o"].Slice(100, model ? p : n))
        )
        {
            Bytes = (model ? p : n) * F,
        };
        int q = model ? p : 100_003;
        yield return new(
            "sum_squares_partials",
            nameof(Backend.SumSquaresPartials),
            r => OpCase.Buffers(("x", Gen.Uniform(r, q)), ("p", new float[Backend.NormPartials])),
            ["p"],
            (a, h) => a.SumSquaresPartials(h["x"], q, h["p"])
        )
        {
            Bytes = q * F,
        };
        // At the model's size the norm's partials are given, so that the case times the update alone.
        foreach (var (clipNorm, clipValue) in model ? new[] { (5f, 1f) } : [(5f, 1f), (0f, 1f), (1000f, 0f)])
        {
            yield return new(
                $"adam_clip_{clipNorm}_{clipValue}",
                nameof(Backend.Adam),
                r =>
                    OpCase.Buffers(
                        ("p", Gen.Uniform(r, p)),
                        ("g", Gen.Uniform(r, p, -3, 3)),
                        ("m", Gen.Uniform(r, p, -0.1f, 0.1f)),
                        ("v", Gen.Uniform(r, p, 0, 0.1f)),
                        ("s", model ? Gen.Uniform(r, Backend.NormPartials, 0, 1e-3f) : new float[Backend.NormPartials])
                    ),
                ["p", "m", "v"],
                (a, h) =>
                {
                    if (!model)
                        a.SumSquaresPartials(h["g"], p, h["s"]);
                    a.Adam(
                        h["s"],
                        p,
                        AdamStep.At(3, 0.01, 0.9, 0.999, 1e-4, clipNorm, clipValue),
                        h["p"],
                        h["g"],
                        h["m"],
                        h["v"]
                    );
                }
            )
            {
                Bytes = 7L * p * F,
            };
        }
    }
}
