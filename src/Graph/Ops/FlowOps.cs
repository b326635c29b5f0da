using Untapped.Kernels;

namespace Untapped.Graph.Ops;

/// <summary>z = lo + (hi-lo) sigmoid(zt) and its log-determinant per row.</summary>
public sealed class LogisticFlowOp(string label, Tensor zt, float lo, float hi, LogDetForm form, Tensor z, Tensor logdet)
    : Op(label, [zt], [z, logdet])
{
    public override string Kind => "logistic_flow";

    public override void Forward(Executor ex) =>
        ex.Accelerator.LogisticFlow(ex.Value(Inputs[0]), Inputs[0].Rows, Inputs[0].Cols, lo, hi, form, ex.Value(Outputs[0]), ex.Value(Outputs[1]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.LogisticFlowBackward(ex.Value(Inputs[0]), ex.Grad(Outputs[0]), ex.Grad(Outputs[1]),
            Inputs[0].Rows, Inputs[0].Cols, lo, hi, form, ex.Grad(Inputs[0]));
}

/// <summary>zt = logit(clip((z - lo)/(hi - lo), 1e-5, 1 - 1e-5)); z is data, so there is no gradient.</summary>
public sealed class FlowInverseOp(string label, Tensor z, float lo, float hi, Tensor zt) : Op(label, [z], [zt])
{
    public override string Kind => "logistic_flow_inverse";

    public override void Forward(Executor ex) =>
        ex.Accelerator.LogisticFlowInverse(ex.Value(Inputs[0]), Inputs[0].Length, lo, hi, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) { }
}
