namespace Untapped.Graph;

/// <summary>loss[r] = -log max(p_true, 1e-6) against one-hot targets.</summary>
public sealed class ClippedCrossEntropyOp(string label, Tensor p, Tensor target, Tensor loss)
    : Op(label, [p, target], [loss])
{
    public override string Kind => "clipped_ce";

    public override bool Differentiable(int index) => index == 0;

    public override void Forward(IOpContext c) =>
        c.Backend.ClippedCrossEntropy(c.Value(p), c.Value(target), p.Rows, p.Cols, c.Value(loss));

    public override void Backward(IOpContext c) =>
        c.Backend.ClippedCrossEntropyBackward(c.Value(p), c.Value(target), c.Grad(loss), p.Rows, p.Cols, c.Grad(p));
}

/// <summary>dist[r] = ||a[r] - b[r]||; b is data.</summary>
public sealed class L2DistanceOp(string label, Tensor a, Tensor b, Tensor dist)
    : Op(label, [a, b], [dist]),
        IRowWiseBackward
{
    public override string Kind => "l2_distance";

    public override bool Differentiable(int index) => index == 0;

    public override void Forward(IOpContext c) => ForwardRows(c, 0, a.Rows);

    public void ForwardRows(IOpContext c, int r0, int r1) =>
        c.Backend.L2Distance(
            c.ValueRows(a, r0, r1),
            c.ValueRows(b, r0, r1),
            r1 - r0,
            a.Cols,
            c.ValueRows(dist, r0, r1)
        );

    public override void Backward(IOpContext c)
    {
        c.GradForWrite(a, out bool accumulate);
        BackwardRows(c, 0, a.Rows, accumulate);
    }

    public void BackwardRows(IOpContext c, int r0, int r1, bool accumulate) =>
        c.Backend.L2DistanceBackward(
            c.ValueRows(a, r0, r1),
            c.ValueRows(b, r0, r1),
            c.ValueRows(dist, r0, r1),
            c.GradRows(dist, r0, r1),
            r1 - r0,
            a.Cols,
            accumulate,
            c.GradRows(a, r0, r1)
        );
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    public Tensor ClippedCrossEntropy(string label, Tensor p, Tensor target)
    {
        var o = Out(label, p.Rows, 1, p);
        Add(new ClippedCrossEntropyOp(label, p, target, o));
        return o;
    }

    public Tensor L2Distance(string label, Tensor a, Tensor b)
    {
        var o = Out(label, a.Rows, 1, a);
        Add(new L2DistanceOp(label, a, b, o));
        return o;
    }
}
