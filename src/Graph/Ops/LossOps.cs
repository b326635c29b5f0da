namespace Untapped.Graph.Ops;

/// <summary>loss[r] = -log max(p_true, 1e-6) against one-hot targets.</summary>
public sealed class ClippedCrossEntropyOp(string label, Tensor p, Tensor target, Tensor loss) : Op(label, [p, target], [loss])
{
    public override string Kind => "clipped_ce";

    public override bool Differentiable(int index) => index == 0;

    public override void Forward(Executor ex) =>
        ex.Accelerator.ClippedCrossEntropy(ex.Value(Inputs[0]), ex.Value(Inputs[1]), Inputs[0].Rows, Inputs[0].Cols, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.ClippedCrossEntropyBackward(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Grad(Outputs[0]), Inputs[0].Rows, Inputs[0].Cols, ex.Grad(Inputs[0]));
}

/// <summary>dist[r] = ||a[r] - b[r]||; b is data.</summary>
public sealed class L2DistanceOp(string label, Tensor a, Tensor b, Tensor dist) : Op(label, [a, b], [dist])
{
    public override string Kind => "l2_distance";

    public override bool Differentiable(int index) => index == 0;

    public override void Forward(Executor ex) =>
        ex.Accelerator.L2Distance(ex.Value(Inputs[0]), ex.Value(Inputs[1]), Inputs[0].Rows, Inputs[0].Cols, ex.Value(Outputs[0]));

    public override void Backward(Executor ex)
    {
        var da = ex.GradForWrite(Inputs[0], out bool accumulate);
        ex.Accelerator.L2DistanceBackward(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Value(Outputs[0]), ex.Grad(Outputs[0]),
            Inputs[0].Rows, Inputs[0].Cols, accumulate, da);
    }
}
