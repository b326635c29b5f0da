using Untapped.Kernels;

namespace Untapped.Graph.Ops;

/// <summary>logp[r] = log p(x[r] | logits[r]) under a factorised Bernoulli.</summary>
public sealed class BernoulliLogLikOp(string label, Tensor x, Tensor logits, BernoulliForm form, Tensor logp) : Op(label, [x, logits], [logp])
{
    public override string Kind => "bernoulli_loglik";

    public override void Forward(Executor ex) =>
        ex.Accelerator.BernoulliLogLik(ex.Value(Inputs[0]), ex.Value(Inputs[1]), Inputs[0].Rows, Inputs[0].Cols, form, ex.Value(Outputs[0]));

    public override void Backward(Executor ex)
    {
        var dlogits = ex.GradForWrite(Inputs[1], out bool accumulate);
        ex.Accelerator.BernoulliLogLikBackward(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Grad(Outputs[0]), Inputs[0].Rows, Inputs[0].Cols,
            form, accumulate, dlogits, ex.Grad(Inputs[0]));
    }
}

/// <summary>
/// x~ ~ Bernoulli(sigmoid(logits)) from uniforms u: hard [u &lt; m], whose derivative is zero almost
/// everywhere (no gradient), or relaxed at temperature tau with a pathwise gradient to the logits.
/// </summary>
public sealed class BernoulliSampleOp(string label, Tensor logits, Tensor u, float tau, bool relaxed, BernoulliForm form, Tensor xs)
    : Op(label, [logits, u], [xs])
{
    public override string Kind => "bernoulli_sample";

    public override bool Differentiable(int index) => relaxed && index == 0;

    public override void Forward(Executor ex) =>
        ex.Accelerator.BernoulliSample(ex.Value(Inputs[0]), ex.Value(Inputs[1]), Outputs[0].Length, tau, relaxed, form, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.BernoulliSampleBackward(ex.Value(Outputs[0]), ex.Grad(Outputs[0]), Outputs[0].Length, tau, ex.Grad(Inputs[0]));
}
