namespace Untapped.Kernels.Ilgpu;

// The launches of the Gumbel-softmax and the Concrete log-density (DeviceGumbel.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void GumbelSoftmaxCore(in GumbelSoftmaxArgs args)
    {
        var (logits, u, m, k, tau, y) = args;
        if (m > 0)
            Run(DeviceGumbel.GumbelSoftmax, (Index1D)m, Arr(logits), Arr(u), k, tau, (Flag)(!u.IsEmpty), Arr(y));
    }

    protected override void GumbelSoftmaxBackwardCore(in GumbelSoftmaxBackwardArgs args)
    {
        var (y, dy, m, k, tau, dlogits) = args;
        if (m > 0)
            Run(DeviceGumbel.GumbelSoftmaxBackward, (Index1D)m, Arr(y), Arr(dy), k, tau, Arr(dlogits));
    }

    protected override void ConcreteLogPdfCore(in ConcreteLogPdfArgs args)
    {
        var (logits, y, m, k, tau, logNorm, lp) = args;
        if (m > 0)
            Run(DeviceGumbel.ConcreteLogPdf, (Index1D)m, Arr(logits), Arr(y), k, tau, logNorm, Arr(lp));
    }

    protected override void ConcreteLogPdfBackwardCore(in ConcreteLogPdfBackwardArgs args)
    {
        var (logits, y, g, m, k, tau, dlogits, dy) = args;
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
