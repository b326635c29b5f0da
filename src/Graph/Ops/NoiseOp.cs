using Untapped.Kernels;

namespace Untapped.Graph;

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
