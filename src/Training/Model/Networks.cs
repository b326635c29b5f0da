using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Data;

namespace Untapped.Training.Model;

/// <summary>
/// The three networks of docs/model.md §2 as parameters of a graph (names and [fan_in, fan_out] shapes fixed by the
/// checkpoint format) and builders that apply them to tensors. Every graph of the project declares the
/// parameters through <see cref="Declare"/>, so all share one flat layout.
/// </summary>
public sealed class Networks
{
    public const int ZDim = 2;

    public static readonly (string Name, int Rows, int Cols)[] Layout =
    [
        ("classifier.l0.w", Mnist.Pixels, 50),
        ("classifier.l0.b", 1, 50),
        ("classifier.l1.w", 50, 50),
        ("classifier.l1.b", 1, 50),
        ("classifier.out.w", 50, Mnist.Classes),
        ("classifier.out.b", 1, Mnist.Classes),
        ("zencoder.l0.w", Mnist.Pixels + Mnist.Classes, 10),
        ("zencoder.l0.b", 1, 10),
        ("zencoder.l1.w", 10, 10),
        ("zencoder.l1.b", 1, 10),
        ("zencoder.mu.w", 10, ZDim),
        ("zencoder.mu.b", 1, ZDim),
        ("zencoder.sigma.w", 10, ZDim),
        ("zencoder.sigma.b", 1, ZDim),
        ("decoder.l0.w", Mnist.Classes + ZDim, 250),
        ("decoder.l0.b", 1, 250),
        ("decoder.l1.w", 250, 500),
        ("decoder.l1.b", 1, 500),
        ("decoder.out.w", 500, Mnist.Pixels),
        ("decoder.out.b", 1, Mnist.Pixels),
    ];

    /// <summary>Initialised to zero rather than Glorot (docs/model.md §2: the sigma head).</summary>
    public static readonly IReadOnlySet<string> ZeroInit = new HashSet<string>
    {
        "zencoder.sigma.w",
        "zencoder.sigma.b",
    };

    readonly ComputeGraph _g;
    readonly Dictionary<string, Tensor> _p;

    Networks(ComputeGraph g)
    {
        _g = g;
        _p = Layout.ToDictionary(l => l.Name, l => g.Parameter(l.Name, l.Rows, l.Cols));
    }

    public static Networks Declare(ComputeGraph g) => new(g);

    /// <summary>The flat parameter layout every graph of the project shares (for loading checkpoints).</summary>
    public static ParameterSet ParameterLayout()
    {
        var g = new ComputeGraph();
        Declare(g);
        return g.Parameters;
    }

    public static float[] Initialise(ParameterSet set, ulong seed) => set.Initialise(seed, Math.Sqrt(2), ZeroInit);

    Tensor Layer(string net, string layer, string tag, Tensor[] xs, Activation act) =>
        _g.Dense($"{net}.{layer} ({tag})", xs, _p[$"{net}.{layer}.w"], _p[$"{net}.{layer}.b"], act);

    /// <summary>q(y|x): 784 -> 50 -> 50 (tanh) -> 10 logits.</summary>
    public Tensor Classifier(Tensor x, string tag)
    {
        var h = Layer("classifier", "l0", tag, [x], Activation.Tanh);
        h = Layer("classifier", "l1", tag, [h], Activation.Tanh);
        return Layer("classifier", "out", tag, [h], Activation.None);
    }

    /// <summary>q(z|x,y): [x, y] -> 10 -> 10 (tanh) -> mu (linear), sigma = softplus(linear).</summary>
    public (Tensor Mu, Tensor Sigma) Encoder(Tensor x, Tensor y, string tag)
    {
        var h = Layer("zencoder", "l0", tag, [x, y], Activation.Tanh);
        h = Layer("zencoder", "l1", tag, [h], Activation.Tanh);
        return (
            Layer("zencoder", "mu", tag, [h], Activation.None),
            Layer("zencoder", "sigma", tag, [h], Activation.Softplus)
        );
    }

    /// <summary>p(x|y,z): [y, z] -> 250 -> 500 (tanh) -> 784 logits.</summary>
    public Tensor Decoder(Tensor y, Tensor z, string tag)
    {
        var h = Layer("decoder", "l0", tag, [y, z], Activation.Tanh);
        h = Layer("decoder", "l1", tag, [h], Activation.Tanh);
        return Layer("decoder", "out", tag, [h], Activation.None);
    }
}
