using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Model;

namespace Untapped.Training.Evaluation;

/// <summary>
/// Forward-only passes of one network over many rows, in fixed-size chunks (the last one zero-padded), on
/// any accelerator. Each network gets its own small graph that declares the full parameter layout, so the
/// trained flat parameter vector serves unchanged: read in place from the device (a trainer's parameters, see <see
/// cref="Executor.ForInference"/>), or uploaded once from the host for all the networks.
/// </summary>
public sealed class Inference(Backend acc, View parameters, int chunk = 4096) : IDisposable
{
    // The host parameters' one device copy, when made from a host vector; null when reading another's view.
    BackendBuffer? _owned;

    /// <summary>Inference over host parameters (a checkpoint's), uploaded once.</summary>
    public static Inference FromHost(Backend acc, float[] parameters, int chunk = 4096)
    {
        var buffer = acc.Upload(parameters);
        return new Inference(acc, buffer, chunk) { _owned = buffer };
    }

    readonly Dictionary<string, (Executor Ex, Tensor[] Inputs, Tensor Output)> _nets = new();

    (Executor, Tensor[], Tensor) Net(
        string name,
        Func<ComputeGraph, Networks, Tensor[], Tensor> build,
        params int[] inputCols
    )
    {
        if (_nets.TryGetValue(name, out var n))
            return n;
        var g = new ComputeGraph();
        var net = Networks.Declare(g);
        var inputs = inputCols.Select((c, i) => g.Input($"in{i}", chunk, c)).ToArray();
        var output = build(g, net, inputs);
        var ex = Executor.ForInference(g, acc, parameters);
        return _nets[name] = (ex, inputs, output);
    }

    float[] Run((Executor Ex, Tensor[] Inputs, Tensor Output) net, int rows, params float[][] data)
    {
        int outCols = net.Output.Cols;
        var result = new float[rows * outCols];
        for (int r0 = 0; r0 < rows; r0 += chunk)
        {
            int n = Math.Min(chunk, rows - r0);
            for (int i = 0; i < net.Inputs.Length; i++)
            {
                int c = net.Inputs[i].Cols;
                var buf = new float[chunk * c];
                data[i].AsSpan(r0 * c, n * c).CopyTo(buf);
                net.Ex.SetInput(net.Inputs[i], buf);
            }
            net.Ex.Forward();
            acc.CopyToHost(net.Ex.Value(net.Output).Slice(0, n * outCols), result.AsSpan(r0 * outCols, n * outCols));
        }
        return result;
    }

    /// <summary>[rows, 10] logits of q(y|x) for [rows, 784] images.</summary>
    public float[] ClassifierLogits(float[] x, int rows) =>
        Run(Net("classifier", (g, net, i) => net.Classifier(i[0], "eval"), Mnist.Pixels), rows, x);

    /// <summary>[rows, 10] probabilities q(y|x) (the softmax op on the logits) for [rows, 784] images.</summary>
    public float[] ClassifierProbs(float[] x, int rows) =>
        Run(
            Net(
                "classifier.probs",
                (g, net, i) => g.GumbelSoftmax("probs", net.Classifier(i[0], "eval"), null, 1f),
                Mnist.Pixels
            ),
            rows,
            x
        );

    /// <summary>
    /// [rows, 2] flow(mu(x, y)): the encoder's mean carried through the model's logistic flow into its box.
    /// </summary>
    public float[] EncoderMeanInBox(float[] x, float[] y, int rows, ModelConfig cfg)
    {
        var (lo, hi) = cfg.Box;
        return Run(
            Net(
                $"encoder.flow.{lo}.{hi}",
                (g, net, i) => g.LogisticFlow("flow", net.Encoder(i[0], i[1], "eval").Mu, lo, hi, cfg.LogDet).Z,
                Mnist.Pixels,
                Mnist.Classes
            ),
            rows,
            x,
            y
        );
    }

    /// <summary>[rows, 784] decoder logits for labels y and latents z.</summary>
    public float[] DecoderLogits(float[] y, float[] z, int rows) =>
        Run(Net("decoder", (g, net, i) => net.Decoder(i[0], i[1], "eval"), Mnist.Classes, Networks.ZDim), rows, y, z);

    public void Dispose()
    {
        foreach (var n in _nets.Values)
            n.Ex.Dispose();
        _owned?.Dispose();
    }
}
