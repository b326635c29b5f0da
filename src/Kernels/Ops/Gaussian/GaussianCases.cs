namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// The reparameterised Gaussian sample and the diagonal Gaussian log-density, with their backwards, over rows of
    /// Z latent dimensions; at gradient size the scales stay in [0.3, 1.5], where log s is gentle.
    /// </summary>
    static IEnumerable<OpCase> Gaussian(CaseSize s)
    {
        int m = s.M,
            z = s.Z,
            n = m * z;
        long mz = (long)n * F,
            mf = m * F;
        bool grad = s == CaseSize.Gradient;
        float lo = grad ? 0.3f : 0.1f,
            hi = grad ? 1.5f : 2f,
            e = grad ? 2 : 3;
        yield return new(
            "gaussian_sample",
            nameof(Backend.GaussianSample),
            r =>
                OpCase.Buffers(
                    ("mu", Gen.Uniform(r, n)),
                    ("s", Gen.Uniform(r, n, lo, hi)),
                    ("e", Gen.Uniform(r, n, -e, e)),
                    ("z", new float[n])
                ),
            ["z"],
            (a, h) => a.GaussianSample(h["mu"], h["s"], h["e"], n, h["z"])
        )
        {
            Bytes = 4 * mz,
            Gradient = new(["mu", "s"], (a, h) => a.GaussianSampleBackward(h["e"], h["g_z"], n, h["d_mu"], h["d_s"])),
        };
        yield return new(
            "gaussian_logpdf",
            nameof(Backend.GaussianLogPdf),
            r =>
                OpCase.Buffers(
                    ("z", Gen.Uniform(r, n, -e, e)),
                    ("mu", Gen.Uniform(r, n)),
                    ("s", Gen.Uniform(r, n, lo, hi)),
                    ("o", new float[m])
                ),
            ["o"],
            (a, h) => a.GaussianLogPdf(h["z"], h["mu"], h["s"], m, z, h["o"])
        )
        {
            Bytes = 3 * mz + mf,
            Gradient = new(["z", "mu", "s"], (a, h) =>
                a.GaussianLogPdfBackward(h["z"], h["mu"], h["s"], h["g_o"], m, z, h["d_z"], h["d_mu"], h["d_s"])
            ),
        };
        if (grad)
            yield break;
        yield return new(
            "gaussian_sample_backward",
            nameof(Backend.GaussianSampleBackward),
            r =>
                OpCase.Buffers(
                    ("e", Gen.Uniform(r, n)),
                    ("dz", Gen.Uniform(r, n)),
                    ("dm", Gen.Uniform(r, n)),
                    ("ds", Gen.Uniform(r, n))
                ),
            ["dm", "ds"],
            (a, h) => a.GaussianSampleBackward(h["e"], h["dz"], n, h["dm"], h["ds"])
        )
        {
            Bytes = 6 * mz,
        };
        yield return new(
            "gaussian_logpdf_backward",
            nameof(Backend.GaussianLogPdfBackward),
            r =>
                OpCase.Buffers(
                    ("z", Gen.Uniform(r, n, -3, 3)),
                    ("mu", Gen.Uniform(r, n)),
                    ("s", Gen.Uniform(r, n, 0.1f, 2)),
                    ("g", Gen.Uniform(r, m)),
                    ("dz", Gen.Uniform(r, n)),
                    ("dm", Gen.Uniform(r, n)),
                    ("ds", Gen.Uniform(r, n))
                ),
            ["dz", "dm", "ds"],
            (a, h) => a.GaussianLogPdfBackward(h["z"], h["mu"], h["s"], h["g"], m, z, h["dz"], h["dm"], h["ds"])
        )
        {
            Bytes = 9 * mz + mf,
        };
    }
}
