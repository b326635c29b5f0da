using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>
/// Fills a tensor with Philox draws keyed by (run seed, stream, step, element), where the stream is a hash of the
/// tensor's name (<see cref="RandomStreams.Of"/>): adding, removing or reordering other nodes leaves every draw
/// unchanged.
/// </summary>
public sealed class NoiseOp(string label, Tensor output, bool normal) : Op(label, [], [output]), IRowWiseOp
{
    readonly uint _stream = RandomStreams.Of(output.Name);

    public override string Kind => normal ? "noise_normal" : "noise_uniform";

    public override void Forward(IOpContext ctx) => ForwardRows(ctx, 0, output.Rows);

    // Rows [r0, r1) are draws r0 cols .. r1 cols of the stream, what the whole tensor's fill draws there.
    public void ForwardRows(IOpContext ctx, int r0, int r1)
    {
        var key = new PhiloxStream(ctx.Seed, _stream, (uint)ctx.Step);
        var o = ctx.ValueRows(output, r0, r1);
        if (normal)
            ctx.Backend.PhiloxNormal(key, o.Length, o, first: r0 * output.Cols);
        else
            ctx.Backend.PhiloxUniform(key, o.Length, o, first: r0 * output.Cols);
    }

    public override void Backward(IOpContext ctx) { }
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    /// <summary>
    /// Philox noise whose stream is keyed by <paramref name="name"/>, which must therefore be unique among noise
    /// tensors.
    /// </summary>
    public Tensor Noise(string name, int rows, int cols, bool normal)
    {
        if (_ops.OfType<NoiseOp>().Any(o => o.Outputs[0].Name == name))
        {
            throw new ArgumentException(
                $"noise tensor '{name}' is defined twice: its name keys its random stream, so it must be unique"
            );
        }

        var t = Out(name, rows, cols);
        Add(new NoiseOp(name, t, normal));
        return t;
    }
}
