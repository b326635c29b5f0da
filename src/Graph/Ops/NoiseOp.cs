using Untapped.Kernels;

namespace Untapped.Graph.Ops;

/// <summary>
/// Fills a tensor with Philox draws keyed by (run seed, stream, step, element), where the stream is a hash of the
/// tensor's name (<see cref="RandomStreams.Of"/>): adding, removing or reordering other nodes leaves every draw
/// unchanged.
/// </summary>
public sealed class NoiseOp(string label, Tensor output, bool normal) : Op(label, [], [output])
{
    readonly uint _stream = RandomStreams.Of(output.Name);

    public override string Kind => normal ? "noise_normal" : "noise_uniform";

    public override void Forward(IOpContext ctx)
    {
        var key = new PhiloxStream(ctx.Seed, _stream, (uint)ctx.Step);
        if (normal)
            ctx.Backend.PhiloxNormal(key, output.Length, ctx.Value(output));
        else
            ctx.Backend.PhiloxUniform(key, output.Length, ctx.Value(output));
    }

    public override void Backward(IOpContext ctx) { }
}
