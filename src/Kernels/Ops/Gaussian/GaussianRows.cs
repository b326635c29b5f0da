namespace Untapped.Kernels;

/// <summary>
/// The Gaussian family's element and row functions, written once: the device kernels (DeviceGaussian.cs) run one per
/// thread, the managed CPU (CpuGaussian.cs) those of a chunk, with the same operations in the same order.
/// </summary>
static class GaussianRows
{
    /// <summary>zt = mu + sigma eps.</summary>
    public static void Sample<T>(int i, T mu, T sigma, T eps, T zt)
        where T : struct, IFloats => zt[i] = mu[i] + sigma[i] * eps[i];

    /// <summary>dmu += dzt; dsigma += dzt eps.</summary>
    public static void SampleBackward<T>(int i, T eps, T dzt, T dmu, T dsigma)
        where T : struct, IFloats
    {
        float g = dzt[i];
        dmu[i] += g;
        dsigma[i] += g * eps[i];
    }

    /// <summary>logN[r] = sum_d -q^2/2 - log s - log(2 pi)/2, q = (zt - mu) / s, s = sigma + SigmaEps.</summary>
    public static void LogPdf<T>(int r, T zt, T mu, T sigma, int d, T logN)
        where T : struct, IFloats
    {
        float acc = 0f;
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = sigma[i] + SigmaEps,
                q = (zt[i] - mu[i]) / s;
            acc += -0.5f * q * q - Fn.Log(s) - LogTwoPiHalf;
        }
        logN[r] = acc;
    }

    /// <summary>
    /// Element i of the backward: dzt (when <paramref name="hasDzt"/>), dmu, dsigma += g[i/d] times the partial
    /// derivatives of logN[i/d].
    /// </summary>
    public static void LogPdfBackward<T>(int i, T zt, T mu, T sigma, T g, int d, bool hasDzt, T dzt, T dmu, T dsigma)
        where T : struct, IFloats
    {
        float gr = g[i / d],
            s = sigma[i] + SigmaEps,
            q = (zt[i] - mu[i]) / s;
        if (hasDzt)
            dzt[i] += -gr * q / s;
        dmu[i] += gr * q / s;
        dsigma[i] += gr * (q * q - 1f) / s;
    }
}
