using System.Runtime.CompilerServices;

namespace Untapped.Kernels;

// The Bernoulli family's validated entries (the Bernoulli decoder: log-likelihood, hard and relaxed samples, and their
// backwards): each public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs,
// the ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>
    /// logp[r] = sum_d x log m + (1-x) log(1-m), m = sigmoid(logits) (clipped to [1e-5, 1-1e-5] in the original form).
    /// <paramref name="period"/> &gt; 0 promises logits whose rows repeat with that period (row r bitwise equal to row
    /// r mod period, <see cref="CheckPeriod"/>): a backend may then compute the logits' functions once per distinct row
    /// (the same bits).
    /// </summary>
    public void BernoulliLogLik(
        View x, // [m,d]
        View logits, // [m,d], rows repeating every period when period > 0
        int m,
        int d,
        BernoulliForm form,
        View logp, // [m]
        int period = 0
    )
    {
        Sizes(m, d).All(x).All(logits).Rows(logp);
        CheckPeriod(period);
        BernoulliLogLikCore(new(x, logits, m, d, form, logp, period));
    }

    /// <summary>
    /// A period promise: 0 (none) or positive (one of count or more promises nothing: an epilogue's last block may be
    /// shorter than a period). The caller keeps it (the graph's periodic tensors: the executor checks a periodic input's
    /// data, the dense layer's copy makes its output periodic bit for bit); a backend that uses it reads only the first
    /// period's logits.
    /// </summary>
    static void CheckPeriod(int period, [CallerArgumentExpression(nameof(period))] string name = "")
    {
        if (period < 0)
            throw new ArgumentOutOfRangeException(name, $"period {period} is negative");
    }

    protected abstract void BernoulliLogLikCore(in BernoulliLogLikArgs args);

    /// <summary>
    /// dlogits (+)= g[r] d logp/d logits, added when <paramref name="accumulate"/>, else written without reading the
    /// old contents (which may be anything, NaN included); dx += g[r] d logp/d x (always added). Either gradient may
    /// be empty (not wanted): dlogits when the logits are data (the reverse ELBO's q(x)), dx when x is.
    /// <paramref name="period"/>: as for <see cref="BernoulliLogLik"/>.
    /// </summary>
    public void BernoulliLogLikBackward(
        View x, // [m,d]
        View logits, // [m,d], rows repeating every period when period > 0
        View g, // [m]
        int m,
        int d,
        BernoulliForm form,
        bool accumulate,
        View dlogits, // [m,d] or empty
        View dx, // [m,d] or empty
        int period = 0
    )
    {
        Sizes(m, d).All(x).All(logits).Rows(g).AllOrEmpty(dlogits).AllOrEmpty(dx);
        CheckPeriod(period);
        BernoulliLogLikBackwardCore(new(x, logits, g, m, d, form, accumulate, dlogits, dx, period));
    }

    protected abstract void BernoulliLogLikBackwardCore(in BernoulliLogLikBackwardArgs args);

    /// <summary>
    /// <see cref="BernoulliLogLik"/> and the logits' gradient of <see cref="BernoulliLogLikBackward"/> in one pass, for
    /// a gradient g known when the log-likelihood is made (a loss seed): logp[r] as BernoulliLogLik gives it and
    /// dlogits[r] = g[r] d logp[r] / d logits[r], written without reading (no dx): the bits of the two calls. A
    /// backend may share e^-|lc| between the two (the managed CPU does; each is an exp per element).
    /// </summary>
    public void BernoulliLogLikAndGrad(
        View x, // [m,d]
        View logits, // [m,d]
        View g, // [m]
        int m,
        int d,
        BernoulliForm form,
        View logp, // [m]
        View dlogits // [m,d]
    )
    {
        Sizes(m, d).All(x).All(logits).Rows(g).Rows(logp).All(dlogits);
        BernoulliLogLikAndGradCore(new(x, logits, g, m, d, form, logp, dlogits));
    }

    protected abstract void BernoulliLogLikAndGradCore(in BernoulliLogLikAndGradArgs args);

    /// <summary>
    /// The logits' gradient of <see cref="BernoulliLogLikBackward"/> folded onto their first period, for logits whose
    /// rows repeat every <paramref name="period"/>: dlogits[c] (+)= sum over rows r = c, c + p, ... in that order of
    /// g[r] d logp[r] / d logits[r], each row's term rounded as the whole-row kernel writes it, so the result is the
    /// bits of the whole-row gradient folded by <see cref="FoldRows"/> (added to the old contents after the fold when
    /// <paramref name="accumulate"/>). No dx: the whole-row kernel gives it.
    /// </summary>
    public void BernoulliLogLikBackwardFolded(
        View x, // [m,d]
        View logits, // [m,d], rows repeating every period
        View g, // [m]
        int m,
        int d,
        BernoulliForm form,
        int period,
        bool accumulate,
        View dlogits // [period,d]
    )
    {
        if (period < 1 || period > m)
            throw new ArgumentOutOfRangeException(nameof(period), $"period {period} must be in 1..m = {m}");
        Sizes(m, d).All(x).All(logits).Rows(g).Holds(dlogits, (long)period * d);
        BernoulliLogLikBackwardFoldedCore(new(x, logits, g, m, d, form, period, accumulate, dlogits));
    }

    protected abstract void BernoulliLogLikBackwardFoldedCore(in BernoulliLogLikBackwardFoldedArgs args);

    /// <summary>
    /// Hard: xs = [u &lt; m]; relaxed: xs = sigmoid((logits + log u - log(1-u)) / tau), for uniform draws u in (0, 1) with
    /// u and 1 - u at least 2^-126 (<see cref="PhiloxUniform"/>'s are in [2^-25, 1 - 2^-25]; outside that the relaxed
    /// sample is unspecified). <paramref name="period"/> &gt; 0 promises logits that repeat every period elements (rows
    /// x width of a periodic [rows, width] tensor): a backend may then compute the hard sample's mean once per distinct
    /// logit (the same bits).
    /// </summary>
    public void BernoulliSample(
        View logits, // [n], repeating every period elements when period > 0
        View u, // [n]
        int n,
        float tau,
        bool relaxed,
        BernoulliForm form,
        View xs, // [n]
        int period = 0
    )
    {
        if (relaxed)
            Temperature(tau);
        Sizes(n).All(logits).All(u).All(xs);
        CheckPeriod(period);
        BernoulliSampleCore(new(logits, u, n, tau, relaxed, form, xs, period));
    }

    protected abstract void BernoulliSampleCore(in BernoulliSampleArgs args);

    /// <summary>
    /// Relaxed sample: dlogits (+)= dxs * xs (1 - xs) / tau, added when <paramref name="accumulate"/>, else written
    /// without reading the old contents (the first write of the labelled logits' gradient: no zero fill).
    /// </summary>
    public void BernoulliSampleBackward(
        View xs, // [n]
        View dxs, // [n]
        int n,
        float tau,
        bool accumulate,
        View dlogits // [n]
    )
    {
        Temperature(tau);
        Sizes(n).All(xs).All(dxs).All(dlogits);
        BernoulliSampleBackwardCore(new(xs, dxs, n, tau, accumulate, dlogits));
    }

    protected abstract void BernoulliSampleBackwardCore(in BernoulliSampleBackwardArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct BernoulliLogLikArgs(View X, View Logits, int M, int D, BernoulliForm Form, View Logp, int Period);
    protected readonly record struct BernoulliLogLikBackwardArgs(View X, View Logits, View G, int M, int D, BernoulliForm Form, bool Accumulate, View Dlogits, View Dx, int Period);
    protected readonly record struct BernoulliLogLikAndGradArgs(View X, View Logits, View G, int M, int D, BernoulliForm Form, View Logp, View Dlogits);
    protected readonly record struct BernoulliLogLikBackwardFoldedArgs(View X, View Logits, View G, int M, int D, BernoulliForm Form, int Period, bool Accumulate, View Dlogits);
    protected readonly record struct BernoulliSampleArgs(View Logits, View U, int N, float Tau, bool Relaxed, BernoulliForm Form, View Xs, int Period);
    protected readonly record struct BernoulliSampleBackwardArgs(View Xs, View Dxs, int N, float Tau, bool Accumulate, View Dlogits);
    // csharpier-ignore-end
}
