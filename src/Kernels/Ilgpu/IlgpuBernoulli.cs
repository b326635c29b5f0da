using ILGPU;
using ILGPU.Runtime;
using Untapped.Kernels.Ilgpu.Kernels;
using static Untapped.Kernels.LaunchShape;
using V = ILGPU.ArrayView<float>;

namespace Untapped.Kernels.Ilgpu;

// The launches of the Bernoulli likelihood and sample (Kernels/DeviceBernoulli.cs).
public sealed partial class IlgpuBackend
{
    protected override void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp)
    {
        if (m > 0)
            Run(DeviceBernoulli.BernoulliLogLik, Groups(m, RowGroup), Arr(x), Arr(logits), d, form, Arr(logp));
    }

    protected override void BernoulliLogLikBackwardCore(
        View x,
        View logits,
        View g,
        int m,
        int d,
        BernoulliForm form,
        bool accumulate,
        View dlogits,
        View dx
    )
    {
        if (m * d > 0)
        {
            Run(
                DeviceBernoulli.BernoulliLogLikBackward,
                (Index1D)(m * d),
                Arr(x),
                Arr(logits),
                Arr(g),
                d,
                form,
                (Flag)accumulate,
                (Flag)(!dx.IsEmpty),
                Arr(dlogits),
                Arr(dx)
            );
        }
    }

    protected override void BernoulliSampleCore(
        View logits,
        View u,
        int n,
        float tau,
        bool relaxed,
        BernoulliForm form,
        View xs
    )
    {
        if (n > 0)
            Run(DeviceBernoulli.BernoulliSample, (Index1D)n, Arr(logits), Arr(u), tau, (Flag)relaxed, form, Arr(xs));
    }

    protected override void BernoulliSampleBackwardCore(View xs, View dxs, int n, float tau, View dlogits)
    {
        if (n > 0)
            Run(DeviceBernoulli.BernoulliSampleBackward, (Index1D)n, Arr(xs), Arr(dxs), tau, Arr(dlogits));
    }
}
