using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the Gumbel-softmax and the Concrete log-density (Kernels/DeviceGumbel.cs).
public sealed partial class IlgpuBackend
{
    protected override void GumbelSoftmaxCore(View logits, View u, int m, int k, float tau, View y)
    {
        if (m > 0)
            Run(DeviceGumbel.GumbelSoftmax, (Index1D)m, Arr(logits), Arr(u), k, tau, (Flag)(!u.IsEmpty), Arr(y));
    }

    protected override void GumbelSoftmaxBackwardCore(View y, View dy, int m, int k, float tau, View dlogits)
    {
        if (m > 0)
            Run(DeviceGumbel.GumbelSoftmaxBackward, (Index1D)m, Arr(y), Arr(dy), k, tau, Arr(dlogits));
    }

    protected override void ConcreteLogPdfCore(View logits, View y, int m, int k, float tau, float logNorm, View lp)
    {
        if (m > 0)
            Run(DeviceGumbel.ConcreteLogPdf, (Index1D)m, Arr(logits), Arr(y), k, tau, logNorm, Arr(lp));
    }

    protected override void ConcreteLogPdfBackwardCore(
        View logits,
        View y,
        View g,
        int m,
        int k,
        float tau,
        View dlogits,
        View dy
    )
    {
        if (m > 0)
        {
            Run(
                DeviceGumbel.ConcreteLogPdfBackward,
                (Index1D)m,
                Arr(logits),
                Arr(y),
                Arr(g),
                k,
                tau,
                (Flag)(!dy.IsEmpty),
                Arr(dlogits),
                Arr(dy)
            );
        }
    }
}
