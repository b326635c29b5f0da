namespace Untapped.Kernels;

// The Gaussian family's validated entries (the Gaussian encoder: the reparameterised sample and the log-density, with
// backwards): each public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs,
// the ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>zt = mu + sigma * eps.</summary>
    public void GaussianSample(
        View mu, // [n]
        View sigma, // [n]
        View eps, // [n]
        int n,
        View zt // [n]
    )
    {
        Sizes(n).All(mu).All(sigma).All(eps).All(zt);
        GaussianSampleCore(new(mu, sigma, eps, n, zt));
    }

    protected abstract void GaussianSampleCore(in GaussianSampleArgs args);

    /// <summary>dmu += dzt; dsigma += dzt * eps.</summary>
    public void GaussianSampleBackward(
        View eps, // [n]
        View dzt, // [n]
        int n,
        View dmu, // [n]
        View dsigma // [n]
    )
    {
        Sizes(n).All(eps).All(dzt).All(dmu).All(dsigma);
        GaussianSampleBackwardCore(new(eps, dzt, n, dmu, dsigma));
    }

    protected abstract void GaussianSampleBackwardCore(in GaussianSampleBackwardArgs args);

    /// <summary>logN[r] = sum_d log N(zt; mu, sigma + 1e-5).</summary>
    public void GaussianLogPdf(
        View zt, // [m,d]
        View mu, // [m,d]
        View sigma, // [m,d]
        int m,
        int d,
        View logN // [m]
    )
    {
        Sizes(m, d).All(zt).All(mu).All(sigma).Rows(logN);
        GaussianLogPdfCore(new(zt, mu, sigma, m, d, logN));
    }

    protected abstract void GaussianLogPdfCore(in GaussianLogPdfArgs args);

    /// <summary>dzt (optional), dmu, dsigma += g[r] * partial derivatives of logN[r].</summary>
    public void GaussianLogPdfBackward(
        View zt, // [m,d]
        View mu, // [m,d]
        View sigma, // [m,d]
        View g, // [m]
        int m,
        int d,
        View dzt, // [m,d] or empty
        View dmu, // [m,d]
        View dsigma // [m,d]
    )
    {
        Sizes(m, d).All(zt).All(mu).All(sigma).Rows(g).AllOrEmpty(dzt).All(dmu).All(dsigma);
        GaussianLogPdfBackwardCore(new(zt, mu, sigma, g, m, d, dzt, dmu, dsigma));
    }

    protected abstract void GaussianLogPdfBackwardCore(in GaussianLogPdfBackwardArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct GaussianSampleArgs(View Mu, View Sigma, View Eps, int N, View Zt);
    protected readonly record struct GaussianSampleBackwardArgs(View Eps, View Dzt, int N, View Dmu, View Dsigma);
    protected readonly record struct GaussianLogPdfArgs(View Zt, View Mu, View Sigma, int M, int D, View LogN);
    protected readonly record struct GaussianLogPdfBackwardArgs(View Zt, View Mu, View Sigma, View G, int M, int D, View Dzt, View Dmu, View Dsigma);
    // csharpier-ignore-end
}
