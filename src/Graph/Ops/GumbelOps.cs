namespace Untapped.Graph;

/// <summary>y = softmax((logits + gumbel(u)) / tau); without <c>u</c>, softmax(logits / tau).</summary>
public sealed class GumbelSoftmaxOp(string label, Tensor logits, Tensor? u, float tau, Tensor y)
    : Op(label, u is null ? [logits] : [logits, u], [y])
{
    public override string Kind => u is null ? "softmax" : "gumbel_softmax";

    public override bool Differentiable(int index) => index == 0;

    public override void Forward(IOpContext c) =>
        c.Backend.GumbelSoftmax(
            c.Value(logits),
            u is null ? default : c.Value(u),
            logits.Rows,
            logits.Cols,
            tau,
            c.Value(y)
        );

    public override void Backward(IOpContext c) =>
        c.Backend.GumbelSoftmaxBackward(c.Value(y), c.Grad(y), logits.Rows, logits.Cols, tau, c.Grad(logits));
}

/// <summary>lp[r] = Concrete(softmax(logits[r]), tau) log-density of y[r].</summary>
public sealed class ConcreteLogPdfOp(string label, Tensor logits, Tensor y, float tau, Tensor lp)
    : Op(label, [logits, y], [lp])
{
    public override string Kind => "concrete_logpdf";

    public override void Forward(IOpContext c) =>
        c.Backend.ConcreteLogPdf(c.Value(logits), c.Value(y), logits.Rows, logits.Cols, tau, c.Value(lp));

    public override void Backward(IOpContext c) =>
        c.Backend.ConcreteLogPdfBackward(
            c.Value(logits),
            c.Value(y),
            c.Grad(lp),
            logits.Rows,
            logits.Cols,
            tau,
            c.Grad(logits),
            c.Grad(y)
        );
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    public Tensor GumbelSoftmax(string label, Tensor logits, Tensor? u, float tau)
    {
        var y = Out(label, logits.Rows, logits.Cols, logits);
        Add(new GumbelSoftmaxOp(label, logits, u, tau, y));
        return y;
    }

    public Tensor ConcreteLogPdf(string label, Tensor logits, Tensor y, float tau)
    {
        var o = Out(label, logits.Rows, 1, logits, y);
        Add(new ConcreteLogPdfOp(label, logits, y, tau, o));
        return o;
    }
}
