using ILGPU;
using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>Reparameterised Gaussian sample and log-density; twin of Cpu/CpuGaussian.cs.</summary>
static class DeviceGaussian
{
    /// <summary>zt = mu + sigma eps.</summary>
    public static void GaussianSample(
        Index1D i,
        ArrayView<float> mu, // [n]
        ArrayView<float> sigma, // [n]
        ArrayView<float> eps, // [n]
        ArrayView<float> zt // [n]
    ) => zt[i] = mu[i] + sigma[i] * eps[i];

    /// <summary>dmu += dzt; dsigma += dzt eps.</summary>
    public static void GaussianSampleBackward(
        Index1D i,
        ArrayView<float> eps, // [n]
        ArrayView<float> dzt, // [n]
        ArrayView<float> dmu, // [n]
        ArrayView<float> dsigma // [n]
    )
    {
        float g = dzt[i];
        dmu[i] += g;
        dsigma[i] += g * eps[i];
    }

    /// <summary>
    /// logN[r] = sum_d -q^2/2 - log s - log(2 pi)/2, q = (zt - mu) / s, s = sigma + SigmaEps. One thread per row.
    /// </summary>
    public static void GaussianLogPdf(
        Index1D r,
        ArrayView<float> zt, // [m,d]
        ArrayView<float> mu, // [m,d]
        ArrayView<float> sigma, // [m,d]
        int d,
        ArrayView<float> logN // [m]
    )
    {
        float acc = 0f;
        for (int i = r * d; i < (r + 1) * d; i++)
        {
            float s = sigma[i] + SigmaEps,
                q = (zt[i] - mu[i]) / s;
            acc += -0.5f * q * q - MathF.Log(s) - LogTwoPiHalf;
        }
        logN[r] = acc;
    }

    /// <summary>
    /// dzt (when <paramref name="hasDzt"/>), dmu, dsigma += g[r] times the partial derivatives of logN[r]. One thread
    /// per element.
    /// </summary>
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
    )
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
