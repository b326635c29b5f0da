namespace Untapped.Kernels.Ilgpu;

// The launches of the Gaussian sample and log-density (DeviceGaussian.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void GaussianSampleCore(in GaussianSampleArgs args)
    {
        var (mu, sigma, eps, n, zt) = args;
        if (n > 0)
            Run(DeviceGaussian.GaussianSample, (Index1D)n, Arr(mu), Arr(sigma), Arr(eps), Arr(zt));
    }

    protected override void GaussianSampleBackwardCore(in GaussianSampleBackwardArgs args)
    {
        var (eps, dzt, n, dmu, dsigma) = args;
        if (n > 0)
            Run(DeviceGaussian.GaussianSampleBackward, (Index1D)n, Arr(eps), Arr(dzt), Arr(dmu), Arr(dsigma));
    }

    protected override void GaussianLogPdfCore(in GaussianLogPdfArgs args)
    {
        var (zt, mu, sigma, m, d, logN) = args;
        if (m > 0)
            Run(DeviceGaussian.GaussianLogPdf, (Index1D)m, Arr(zt), Arr(mu), Arr(sigma), d, Arr(logN));
    }

    protected override void GaussianLogPdfBackwardCore(in GaussianLogPdfBackwardArgs args)
    {
        var (zt, mu, sigma, g, m, d, dzt, dmu, dsigma) = args;
        if (m * d > 0)
        {
            Run(
                DeviceGaussian.GaussianLogPdfBackward,
                (Index1D)(m * d),
                Arr(zt),
                Arr(mu),
                Arr(sigma),
                Arr(g),
                d,
                (Flag)(!dzt.IsEmpty),
                Arr(dzt),
                Arr(dmu),
                Arr(dsigma)
            );
        }
    }
}
