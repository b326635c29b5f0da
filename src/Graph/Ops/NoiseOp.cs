using Untapped.Kernels;

namespace Untapped.Graph.Ops;

/// <summary>
/// Fills a tensor with Philox draws keyed by (run seed, tensor id, executor step, element).
/// </summary>
public sealed class NoiseOp(string label, Tensor output, bool normal) : Op(label, [], [output])
{
    public override string Kind => normal ? "noise_normal" : "noise_uniform";

    public override void Forward(Executor ex)
    {
        var o = Outputs[0];
        if (normal) ex.Accelerator.PhiloxNormal(ex.Seed, (uint)o.Id, (uint)ex.Step, o.Length, ex.Value(o));
        else ex.Accelerator.PhiloxUniform(ex.Seed, (uint)o.Id, (uint)ex.Step, o.Length, ex.Value(o));
    }

    public override void Backward(Executor ex) { }
}
