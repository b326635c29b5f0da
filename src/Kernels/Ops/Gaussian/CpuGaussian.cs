namespace Untapped.Kernels.Cpu;

// The managed CPU side of the Gaussian family: the element and row functions of GaussianRows.cs (this folder), which
// the device kernels run too, one per thread; here each chunk loops over its own, so the JIT inlines the function
// into the loop (a delegate per element, with the buffers looked up in it, cost 3-6x: gaussian_sample at the model's
// size 225 -> 39 us on the Zen 3).
public sealed partial class CpuBackend
{
    protected override void GaussianSampleCore(in GaussianSampleArgs args)
    {
        var (mu, sigma, eps, n, zt) = args;
        Mem M = A(mu),
            S = A(sigma),
            E = A(eps),
            Z = A(zt);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++)
                GaussianRows.Sample(i, M, S, E, Z);
        });
    }

    protected override void GaussianSampleBackwardCore(in GaussianSampleBackwardArgs args)
    {
        var (eps, dzt, n, dmu, dsigma) = args;
        Mem E = A(eps),
            DZ = A(dzt),
            DM = A(dmu),
            DS = A(dsigma);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++)
                GaussianRows.SampleBackward(i, E, DZ, DM, DS);
        });
    }

    protected override void GaussianLogPdfCore(in GaussianLogPdfArgs args)
    {
        var (zt, mu, sigma, m, d, logN) = args;
        Mem Z = A(zt),
            M = A(mu),
            S = A(sigma),
            O = A(logN);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
                GaussianRows.LogPdf(r, Z, M, S, d, O);
        });
    }

    protected override void GaussianLogPdfBackwardCore(in GaussianLogPdfBackwardArgs args)
    {
        var (zt, mu, sigma, g, m, d, dzt, dmu, dsigma) = args;
        bool hasDz = !dzt.IsEmpty;
        Mem Z = A(zt),
            M = A(mu),
            S = A(sigma),
            G = A(g),
            DZ = A(dzt),
            DM = A(dmu),
            DS = A(dsigma);
        Chunks(m * d, Grain(16, 1 << 15), (s, e) =>
        {
            for (int i = s; i < e; i++)
                GaussianRows.LogPdfBackward(i, Z, M, S, G, d, hasDz, DZ, DM, DS);
        });
    }
}
