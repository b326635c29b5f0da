namespace Untapped.Kernels.Cpu;

// The managed CPU side of the Gaussian family: the element and row functions of GaussianRows.cs (this folder), which
// the device kernels run too, over chunks.
public sealed partial class CpuBackend
{
    protected override void GaussianSampleCore(in GaussianSampleArgs args)
    {
        var (mu, sigma, eps, n, zt) = args;
        Mem MU = A(mu),
            SG = A(sigma),
            EP = A(eps),
            Z = A(zt);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++)
                GaussianRows.Sample(i, MU, SG, EP, Z);
        });
    }

    protected override void GaussianSampleBackwardCore(in GaussianSampleBackwardArgs args)
    {
        var (eps, dzt, n, dmu, dsigma) = args;
        Mem EP = A(eps),
            DZ = A(dzt),
            DM = A(dmu),
            DS = A(dsigma);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++)
                GaussianRows.SampleBackward(i, EP, DZ, DM, DS);
        });
    }

    protected override void GaussianLogPdfCore(in GaussianLogPdfArgs args)
    {
        var (zt, mu, sigma, m, d, logN) = args;
        Mem Z = A(zt),
            MU = A(mu),
            SG = A(sigma),
            O = A(logN);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
                GaussianRows.LogPdf(r, Z, MU, SG, d, O);
        });
    }

    protected override void GaussianLogPdfBackwardCore(in GaussianLogPdfBackwardArgs args)
    {
        var (zt, mu, sigma, g, m, d, dzt, dmu, dsigma) = args;
        Mem Z = A(zt),
            MU = A(mu),
            SG = A(sigma),
            G = A(g),
            DZ = A(dzt),
            DM = A(dmu),
            DS = A(dsigma);
        bool hasDz = !dzt.IsEmpty;
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int i = s * d; i < e * d; i++)
                GaussianRows.LogPdfBackward(i, Z, MU, SG, G, d, hasDz, DZ, DM, DS);
        });
    }
}
