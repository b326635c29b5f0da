using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>z = lo + (hi-lo) sigmoid(zt) and its log-determinant per row.</summary>
public sealed class LogisticFlowOp(
    string label,
    Tensor zt,
    float lo,
    float hi,
    LogDetForm form,
    Tensor z,
    Tensor logdet
) : Op(label, [zt], [z, logdet])
{
    public override string Kind => "logistic_flow";

    public override void Forward(IOpContext c) =>
        c.Backend.LogisticFlow(c.Value(zt), zt.Rows, zt.Cols, lo, hi, form, c.Value(z), c.Value(logdet));

    public override void Backward(IOpContext c) =>
        c.Backend.LogisticFlowBackward(
            c.Value(zt),
            c.Grad(z),
            c.Grad(logdet),
            zt.Rows,
            zt.Cols,
            lo,
            hi,
            form,
            c.Grad(zt)
        );
}

/// <summary>zt = logit(clip((z - lo)/(hi - lo), 1e-5, 1 - 1e-5)); z is data, so there is no gradient.</summary>
public sealed class FlowInverseOp(string label, Tensor z, float lo, float hi, Tensor zt) : Op(label, [z], [zt])
{
    public override string Kind => "logistic_flow_inverse";

    public override void Forward(IOpContext c) =>
        c.Backend.LogisticFlowInverse(c.Value(z), z.Length, lo, hi, c.Value(zt));

    public override void Backward(IOpContext c) { }
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    public (Tensor Z, Tensor LogDet) LogisticFlow(string label, Tensor zt, float lo, float hi, LogDetForm form)
    {
        var z = Out(label + ".z", zt.Rows, zt.Cols, zt);
        var ld = Out(label + ".logdet", zt.Rows, 1, zt);
        Add(new LogisticFlowOp(label, zt, lo, hi, form, z, ld));
        return (z, ld);
    }

    public Tensor FlowInverse(string label, Tensor z, float lo, float hi)
    {
        var zt = Out(label, z.Rows, z.Cols);
        Add(new FlowInverseOp(label, z, lo, hi, zt));
        return zt;
    }
}
