namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// The classifier's relaxed one-hot: the Gumbel-softmax sample (and plain softmax, no noise), its backward, and the
    /// Concrete log-density with its backward, over rows of K classes.
    /// </summary>
    static IEnumerable<OpCase> Gumbel(CaseSize s)
    {
        int m = s.M,
            k = s.K,
            n = m * k;
        long mk = (long)n * F,
            mf = m * F;
        bool grad = s == CaseSize.Gradient;
        float l = grad ? 2 : 3;
        yield return new(
            "gumbel_softmax_noise",
            nameof(Backend.GumbelSoftmax),
            r =>
                OpCase.Buffers(
                    ("l", Gen.Uniform(r, n, -l, l)),
                    ("u", Gen.Uniform(r, n, 0.05f, 0.95f)),
                    ("y", new float[n])
                ),
            ["y"],
            (a, h) => a.GumbelSoftmax(h["l"], h["u"], m, k, 0.8f, h["y"])
        )
        {
            Bytes = 3 * mk,
            Gradient = new(["l"], (a, h) => a.GumbelSoftmaxBackward(h["y"], h["g_y"], m, k, 0.8f, h["d_l"])),
        };
        yield return new(
            "concrete_logpdf",
            nameof(Backend.ConcreteLogPdf),
            r => OpCase.Buffers(("l", Gen.Uniform(r, n, -l, l)), ("y", Gen.Simplex(r, m, k)), ("o", new float[m])),
            ["o"],
            (a, h) => a.ConcreteLogPdf(h["l"], h["y"], m, k, 0.9f, h["o"])
        )
        {
            Bytes = 2 * mk + mf,
            Gradient = new(
                ["l", "y"],
                (a, h) => a.ConcreteLogPdfBackward(h["l"], h["y"], h["g_o"], m, k, 0.9f, h["d_l"], h["d_y"]),
                Step: 1e-3f
            ),
        };
        if (grad)
            yield break;
        yield return new(
            "softmax",
            nameof(Backend.GumbelSoftmax),
            r => OpCase.Buffers(("l", Gen.Uniform(r, n, -3, 3)), ("y", new float[n])),
            ["y"],
            (a, h) => a.GumbelSoftmax(h["l"], default, m, k, 1f, h["y"])
        )
        {
            Bytes = 2 * mk,
        };
        yield return new(
            "gumbel_softmax_backward",
            nameof(Backend.GumbelSoftmaxBackward),
            r => OpCase.Buffers(("y", Gen.Simplex(r, m, k)), ("dy", Gen.Uniform(r, n)), ("o", Gen.Uniform(r, n))),
            ["o"],
            (a, h) => a.GumbelSoftmaxBackward(h["y"], h["dy"], m, k, 0.8f, h["o"])
        )
        {
            Bytes = 4 * mk,
        };
        yield return new(
            "concrete_logpdf_backward",
            nameof(Backend.ConcreteLogPdfBackward),
            r =>
                OpCase.Buffers(
                    ("l", Gen.Uniform(r, n, -3, 3)),
                    ("y", Gen.Simplex(r, m, k)),
                    ("g", Gen.Uniform(r, m)),
                    ("dl", Gen.Uniform(r, n)),
                    ("dy", Gen.Uniform(r, n))
                ),
            ["dl", "dy"],
            (a, h) => a.ConcreteLogPdfBackward(h["l"], h["y"], h["g"], m, k, 0.9f, h["dl"], h["dy"])
        )
        {
            Bytes = 6 * mk + mf,
        };
    }
}
