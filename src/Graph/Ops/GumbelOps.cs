namespace Untapped.Graph.Ops;

/// <summary>y = softmax((logits + gumbel(u)) / tau); without <c>u</c>, softmax(logits / tau).</summary>
public sealed class GumbelSoftmaxOp(string label, Tensor logits, Tensor? u, float tau, Tensor y)
    : Op(label, u is null ? [logits] : [logits, u], [y])
{
    public override string Kind => u is null ? "softmax" : "gumbel_softmax";

    public override bool Differentiable(int index) => index == 0;

    public override void Forward(Executor ex) =>
        ex.Accelerator.GumbelSoftmax(ex.Value(Inputs[0]), u is null ? default : ex.Value(u), Inputs[0].Rows, Inputs[0].Cols, tau, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.GumbelSoftmaxBackward(ex.Value(Outputs[0]), ex.Grad(Outputs[0]), Inputs[0].Rows, Inputs[0].Cols, tau, ex.Grad(Inputs[0]));
}

/// <summary>lp[r] = Concrete(softmax(logits[r]), tau) log-density of y[r].</summary>
public sealed class ConcreteLogPdfOp(string label, Tensor logits, Tensor y, float tau, Tensor lp) : Op(label, [logits, y], [lp])
{
    public override string Kind => "concrete_logpdf";

    public override void Forward(Executor ex) =>
        ex.Accelerator.ConcreteLogPdf(ex.Value(Inputs[0]), ex.Value(Inputs[1]), Inputs[0].Rows, Inputs[0].Cols, tau, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.ConcreteLogPdfBackward(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Grad(Outputs[0]), Inputs[0].Rows, Inputs[0].Cols, tau,
            ex.Grad(Inputs[0]), ex.Grad(Inputs[1]));
}
