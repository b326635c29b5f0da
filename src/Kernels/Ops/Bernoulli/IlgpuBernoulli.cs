namespace Untapped.Kernels.Ilgpu;

// The launches of the Bernoulli likelihood and sample (DeviceBernoulli.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void BernoulliLogLikCore(in BernoulliLogLikArgs args)
    {
        var (x, logits, m, d, form, logp, _) = args; // the period is not used: each element computes its own
        if (m > 0)
            Run(DeviceBernoulli.BernoulliLogLik, Groups(m, RowGroup), Arr(x), Arr(logits), d, form, Arr(logp));
    }

    protected override void BernoulliLogLikAndGradCore(in BernoulliLogLikAndGradArgs args)
    {
        var (x, logits, g, m, d, form, logp, dlogits) = args;
        if (m > 0)
        {
            Run(
                DeviceBernoulli.BernoulliLogLikAndGrad,
                Groups(m, RowGroup),
                Arr(x),
                Arr(logits),
                Arr(g),
                d,
                form,
                Arr(logp),
                Arr(dlogits)
            );
        }
    }

    protected override void BernoulliLogLikBackwardCore(in BernoulliLogLikBackwardArgs args)
    {
        var (x, logits, g, m, d, form, accumulate, dlogits, dx, _) = args;
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
                (Flag)(!dlogits.IsEmpty),
                (Flag)(!dx.IsEmpty),
                Arr(dlogits),
                Arr(dx)
            );
        }
    }

    protected override void BernoulliLogLikBackwardFoldedCore(in BernoulliLogLikBackwardFoldedArgs args)
    {
        var (x, logits, g, m, d, form, p, accumulate, dlogits) = args;
        if (p * d > 0)
        {
            Run(
                DeviceBernoulli.BernoulliLogLikBackwardFolded,
                (Index1D)(p * d),
                Arr(x),
                Arr(logits),
                Arr(g),
                m,
                d,
                p,
                form,
                (Flag)accumulate,
                Arr(dlogits)
            );
        }
    }

    protected override void BernoulliSampleCore(in BernoulliSampleArgs args)
    {
        var (logits, u, n, tau, relaxed, form, xs, _) = args;
        if (n > 0)
            Run(DeviceBernoulli.BernoulliSample, (Index1D)n, Arr(logits), Arr(u), tau, (Flag)relaxed, form, Arr(xs));
    }

    protected override void BernoulliSampleBackwardCore(in BernoulliSampleBackwardArgs args)
    {
        var (xs, dxs, n, tau, accumulate, dlogits) = args;
        if (n > 0)
        {
            Run(
                DeviceBernoulli.BernoulliSampleBackward,
                (Index1D)n,
                Arr(xs),
                Arr(dxs),
                tau,
                (Flag)accumulate,
                Arr(dlogits)
            );
        }
    }
}
