using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>
/// logp[r] = log p(x[r] | logits[r]) under a factorised Bernoulli. Periodic logits (<see cref="Tensor.RowPeriod"/>: the
/// fixed-z decoder's) pass their period on, forward and backward, so that a backend computes their functions once per
/// distinct row. In a decoder's epilogue whose logp only a loss reads, its backward runs in the forward (<see
/// cref="Op.BackwardInForward"/>): dlogits is written while the logits are in cache, not by a pass of its own over
/// x, the logits and dlogits.
/// </summary>
public sealed class BernoulliLogLikOp(string label, Tensor x, Tensor logits, BernoulliForm form, Tensor logp)
    : Op(label, [x, logits], [logp]),
        IRowWiseBackward
{
    public override string Kind => "bernoulli_loglik";

    public override void Forward(IOpContext c) => ForwardRows(c, 0, x.Rows);

    public void ForwardRows(IOpContext c, int r0, int r1) =>
        c.Backend.BernoulliLogLik(
            c.ValueRows(x, r0, r1),
            c.ValueRows(logits, r0, r1),
            r1 - r0,
            x.Cols,
            form,
            c.ValueRows(logp, r0, r1),
            logits.RowPeriod
        );

    public override bool WritesFoldedGrad(Tensor t) => t == logits && logits.RowPeriod > 0;

    // Only where x takes no gradient and the logits are not periodic (ComputeGraph.PlanEpilogues: one input gradient,
    // of a tensor whose rows do not repeat): logp and dlogits, overwritten, in one kernel that may share each logit's
    // exp between the two.
    public void ForwardAndBackwardRows(IOpContext c, int r0, int r1) =>
        c.Backend.BernoulliLogLikAndGrad(
            c.ValueRows(x, r0, r1),
            c.ValueRows(logits, r0, r1),
            c.GradRows(logp, r0, r1),
            r1 - r0,
            x.Cols,
            form,
            c.ValueRows(logp, r0, r1),
            c.GradRows(logits, r0, r1)
        );

    // The same, backward alone (where x takes no gradient and the logits are not periodic): dlogits on the rows.
    public void BackwardRows(IOpContext c, int r0, int r1, bool accumulate) =>
        c.Backend.BernoulliLogLikBackward(
            c.ValueRows(x, r0, r1),
            c.ValueRows(logits, r0, r1),
            c.GradRows(logp, r0, r1),
            r1 - r0,
            x.Cols,
            form,
            accumulate,
            c.GradRows(logits, r0, r1),
            default
        );

    // A folded logits gradient (the fixed-z decoder's: its output layer runs backward on one period) is summed over
    // each period row's rows as it is made, never written whole: the bits of writing it whole and folding after.
    public override void Backward(IOpContext c)
    {
        var dlogits = c.GradForWrite(logits, out bool accumulate);
        View xv = c.Value(x),
            lv = c.Value(logits),
            g = c.Grad(logp);
        int m = x.Rows,
            d = x.Cols,
            p = logits.RowPeriod;
        if (logits.FoldedGrad)
        {
            c.Backend.BernoulliLogLikBackwardFolded(xv, lv, g, m, d, form, p, accumulate, dlogits.Slice(0, p * d));
            if (!x.RequiresGrad)
                return;
            dlogits = default; // the whole-row kernel gives only dx
        }
        c.Backend.BernoulliLogLikBackward(xv, lv, g, m, d, form, accumulate, dlogits, c.Grad(x), p);
    }
}

/// <summary>
/// x~ ~ Bernoulli(sigmoid(logits)) from uniforms u: hard [u &lt; m], whose derivative is zero almost
/// everywhere (no gradient), or relaxed at temperature tau with a pathwise gradient to the logits. Periodic logits pass
/// their period on (the hard sample's mean once per distinct logit).
/// </summary>
public sealed class BernoulliSampleOp(
    string label,
    Tensor logits,
    Tensor u,
    float tau,
    bool relaxed,
    BernoulliForm form,
    Tensor xs
) : Op(label, [logits, u], [xs]), IRowWiseBackward
{
    public override string Kind => "bernoulli_sample";

    public override bool Differentiable(int index) => relaxed && index == 0;

    // The relaxed sample's gradient is a function of x~ alone: neither the logits nor the noise need to outlive the
    // forward for it.
    public override bool BackwardReads(Tensor t) => t == xs;

    public override void Forward(IOpContext c) => ForwardRows(c, 0, xs.Rows);

    public void ForwardRows(IOpContext c, int r0, int r1) =>
        c.Backend.BernoulliSample(
            c.ValueRows(logits, r0, r1),
            c.ValueRows(u, r0, r1),
            (r1 - r0) * xs.Cols,
            tau,
            relaxed,
            form,
            c.ValueRows(xs, r0, r1),
            logits.RowPeriod * logits.Cols
        );

    public override void Backward(IOpContext c)
    {
        c.GradForWrite(logits, out bool accumulate);
        BackwardRows(c, 0, xs.Rows, accumulate);
    }

    // The relaxed sample's backward on rows (in the reconstruction's epilogue, after the distance's backward has
    // written dx~ there), or on all of them.
    public void BackwardRows(IOpContext c, int r0, int r1, bool accumulate) =>
        c.Backend.BernoulliSampleBackward(
            c.ValueRows(xs, r0, r1),
            c.GradRows(xs, r0, r1),
            (r1 - r0) * xs.Cols,
            tau,
            accumulate,
            c.GradRows(logits, r0, r1)
        );
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    public Tensor BernoulliLogLik(string label, Tensor x, Tensor logits, BernoulliForm form)
    {
        var o = Out(label, x.Rows, 1, x, logits);
        Add(new BernoulliLogLikOp(label, x, logits, form, o));
        return o;
    }

    public Tensor BernoulliSample(string label, Tensor logits, Tensor u, float tau, bool relaxed, BernoulliForm form)
    {
        var o = relaxed ? Out(label, logits.Rows, logits.Cols, logits) : Out(label, logits.Rows, logits.Cols);
        Add(new BernoulliSampleOp(label, logits, u, tau, relaxed, form, o));
        return o;
    }
}
