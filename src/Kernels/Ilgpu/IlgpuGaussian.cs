using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the Gaussian sample and log-density (Kernels/DeviceGaussian.cs).
public sealed partial class IlgpuBackend
{
    protected override void GaussianSampleCore(View mu, View sigma, View eps, int n, View zt)
    {
        if (n > 0)
            Run(DeviceGaussian.GaussianSample, (Index1D)n, Arr(mu), Arr(sigma), Arr(eps), Arr(zt));
    }

    protected override void GaussianSampleBackwardCore(View eps, View dzt, int n, View dmu, View dsigma)
    {
        if (n > 0)
            Run(DeviceGaussian.GaussianSampleBackward, (Index1D)n, Arr(eps), Arr(dzt), Arr(dmu), Arr(dsigma));
    }

    protected override void GaussianLogPdfCore(View zt, View mu, View sigma, int m, int d, View logN)
    {
        if (m > 0)
            Run(DeviceGaussian.GaussianLogPdf, (Index1D)m, Arr(zt), Arr(mu), Arr(sigma), d, Arr(logN));
    }

    protected override void GaussianLogPdfBackwardCore(
        View zt,
        View mu,
        View sigma,
        View g,
        int m,
        int d,
        View dzt,
        View dmu,
        View dsigma
    )
    {
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
