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
public sealed class Inference(Backend acc, View parameters, int chunk = 1024) : IDisposable
{
    /// <summary>
    /// One input of a network: its columns and how its rows are written into a chunk. Rows come from wherever they
    /// live (a float array, or pool images picked by index, read as floats), so no input is gathered into a whole copy.
    /// </summary>
    public readonly record struct Rows(int Cols, RowWriter Write)
    {
        /// <summary>The rows of a row-major float array.</summary>
        public static Rows Of(float[] data, int cols) =>
            new(cols, (first, count, d) => data.AsSpan(first * cols, count * cols).CopyTo(d));

        /// <summary>The pool images at <paramref name="indices"/>, in that order.</summary>
        public static Rows Images(Mnist pool, int[] indices) => new(Mnist.Pixels, pool.ImageRows(i => indices[i]));

        /// <summary>One-hot rows of the pool labels at <paramref name="indices"/>.</summary>
        public static Rows OneHot(Mnist pool, int[] indices) => new(Mnist.Classes, (first, count, d) =>
            {
                d[..(count * Mnist.Classes)].Clear();
                for (int i = 0; i < count; i++)
                    d[i * Mnist.Classes + pool.Labels[indices[first + i]]] = 1f;
            });
    }

    // The host parameters' one device copy, when made from a host vector; null when reading another's view.
    BackendBuffer? _owned;

    /// <summary>Inference over host parameters (a checkpoint's), uploaded once.</summary>
    public static Inference FromHost(Backend acc, float[] parameters, int chunk = 1024)
    {
        var buffer = acc.Upload(parameters);
        return new Inference(acc, buffer, chunk) { _owned = buffer };
    }

    readonly Dictionary<string, (Executor Ex, Tensor[] Inputs, Tensor Output, float[][] Staging)> _nets = new();

    (Executor, Tensor[], Tensor, float[][]) Net(
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
        return _nets[name] = (ex, inputs, output, [.. inputCols.Select(c => new float[chunk * c])]);
    }

    // Each chunk's rows are written into the net's own staging buffers (one per input, made once), the last chunk's
    // tail zeroed.
    float[] Run((Executor Ex, Tensor[] Inputs, Tensor Output, float[][] Staging) net, int rows, params Rows[] data)
    {
        int outCols = net.Output.Cols;
        var result = new float[rows * outCols];
        for (int r0 = 0; r0 < rows; r0 += chunk)
        {
            int n = Math.Min(chunk, rows - r0);
            for (int i = 0; i < net.Inputs.Length; i++)
            {
                int c = net.Inputs[i].Cols;
                if (data[i].Cols != c)
                    throw new ArgumentException($"input {i} has {data[i].Cols} columns, the network takes {c}");
                var buf = net.Staging[i];
                data[i].Write(r0, n, buf);
                buf.AsSpan(n * c).Clear();
                net.Ex.SetInput(net.Inputs[i], buf);
            }
            net.Ex.Forward();
            acc.CopyToHost(net.Ex.Value(net.Output).Slice(0, n * outCols), result.AsSpan(r0 * outCols, n * outCols));
        }
        return result;
    }

    /// <summary>[rows, 10] logits of q(y|x) for [rows, 784] images.</summary>
    public float[] ClassifierLogits(float[] x, int rows) => ClassifierLogits(Rows.Of(x, Mnist.Pixels), rows);

    /// <summary>[rows, 10] logits of q(y|x) for the image rows <paramref name="x"/>.</summary>
    public float[] ClassifierLogits(Rows x, int rows) =>
        Run(Net("classifier", (g, net, i) => net.Classifier(i[0], "eval"), Mnist.Pixels), rows, x);

    /// <summary>[rows, 10] probabilities q(y|x) (the softmax op on the logits) for [rows, 784] images.</summary>
    public float[] ClassifierProbs(float[] x, int rows) => ClassifierProbs(Rows.Of(x, Mnist.Pixels), rows);

    /// <summary>[rows, 10] probabilities q(y|x) for the image rows <paramref name="x"/>.</summary>
    public float[] ClassifierProbs(Rows x, int rows) =>
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
    public float[] EncoderMeanInBox(float[] x, float[] y, int rows, ModelConfig cfg) =>
        EncoderMeanInBox(Rows.Of(x, Mnist.Pixels), Rows.Of(y, Mnist.Classes), rows, cfg);

    /// <summary>[rows, 2] flow(mu(x, y)) for the image rows x and label rows y.</summary>
    public float[] EncoderMeanInBox(Rows x, Rows y, int rows, ModelConfig cfg)
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
        Run(
            Net("decoder", (g, net, i) => net.Decoder(i[0], i[1], "eval"), Mnist.Classes, Networks.ZDim),
            rows,
            Rows.Of(y, Mnist.Classes),
            Rows.Of(z, Networks.ZDim)
        );

    public void Dispose()
    {
        foreach (var n in _nets.Values)
            n.Ex.Dispose();
        _owned?.Dispose();
    }
}
