namespace Untapped.Kernels.Cpu;

// The managed CPU side of the Gaussian family: the element and row functions of GaussianRows.cs (this folder), which
// the device kernels run too, one per thread.
public sealed partial class CpuBackend
{
    protected override void GaussianSampleCore(in GaussianSampleArgs args)
    {
        var (mu, sigma, eps, n, zt) = args;
        ForEach(n, 1 << 15, i => GaussianRows.Sample(i, A(mu), A(sigma), A(eps), A(zt)));
    }

    protected override void GaussianSampleBackwardCore(in GaussianSampleBackwardArgs args)
    {
        var (eps, dzt, n, dmu, dsigma) = args;
        ForEach(n, 1 << 15, i => GaussianRows.SampleBackward(i, A(eps), A(dzt), A(dmu), A(dsigma)));
    }

    protected override void GaussianLogPdfCore(in GaussianLogPdfArgs args)
    {
        var (zt, mu, sigma, m, d, logN) = args;
        ForEach(m, Grain(d * 16), r => GaussianRows.LogPdf(r, A(zt), A(mu), A(sigma), d, A(logN)));
    }

    protected override void GaussianLogPdfBackwardCore(in GaussianLogPdfBackwardArgs args)
    {
        var (zt, mu, sigma, g, m, d, dzt, dmu, dsigma) = args;
        bool hasDz = !dzt.IsEmpty;
        ForEach(m * d, Grain(16, 1 << 15), i =>
            GaussianRows.LogPdfBackward(i, A(zt), A(mu), A(sigma), A(g), d, hasDz, A(dzt), A(dmu), A(dsigma))
        );
    }
}
