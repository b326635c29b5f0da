namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Reparameterised Gaussian sample and log-density: each kernel runs, per thread, the element or row function that the
/// managed CPU runs too (<see cref="GaussianRows"/>, this folder).
/// </summary>
static class DeviceGaussian
{
    /// <summary><see cref="GaussianRows.Sample"/>, one thread per element.</summary>
    public static void GaussianSample(
        Index1D i,
        ArrayView<float> mu, // [n]
        ArrayView<float> sigma, // [n]
        ArrayView<float> eps, // [n]
        ArrayView<float> zt // [n]
    ) => GaussianRows.Sample(i, F(mu), F(sigma), F(eps), F(zt));

    /// <summary><see cref="GaussianRows.SampleBackward"/>, one thread per element.</summary>
    public static void GaussianSampleBackward(
        Index1D i,
        ArrayView<float> eps, // [n]
        ArrayView<float> dzt, // [n]
        ArrayView<float> dmu, // [n]
        ArrayView<float> dsigma // [n]
    ) => GaussianRows.SampleBackward(i, F(eps), F(dzt), F(dmu), F(dsigma));

    /// <summary><see cref="GaussianRows.LogPdf"/>, one thread per row.</summary>
    public static void GaussianLogPdf(
        Index1D r,
        ArrayView<float> zt, // [m,d]
        ArrayView<float> mu, // [m,d]
        ArrayView<float> sigma, // [m,d]
        int d,
        ArrayView<float> logN // [m]
    ) => GaussianRows.LogPdf(r, F(zt), F(mu), F(sigma), d, F(logN));

    /// <summary><see cref="GaussianRows.LogPdfBackward"/>, one thread per element.</summary>
    public static void GaussianLogPdfBackward(
        Index1D i,
        ArrayView<float> zt, // [m,d]
        ArrayView<float> mu, // [m,d]
        ArrayView<float> sigma, // [m,d]
        ArrayView<float> g, // [m]
        int d,
        Flag hasDzt,
        ArrayView<float> dzt, // [m,d] or empty
        ArrayView<float> dmu, // [m,d]
        ArrayView<float> dsigma // [m,d]
    ) => GaussianRows.LogPdfBackward(i, F(zt), F(mu), F(sigma), F(g), d, hasDzt, F(dzt), F(dmu), F(dsigma));

    static DeviceFloats F(ArrayView<float> v) => new(v);
}
