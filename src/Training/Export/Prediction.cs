using System.Text.Json;
using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Reports;
using Untapped.Training.Runs;

namespace Untapped.Training.Export;

/// <summary>
/// What a trained run computes, for checking a port of it (examples/python/decode_digits.py, the ONNX models): the
/// ten one-hot labels decoded at the run's z-bar (eval.json) into pixel means, and q(y|x)'s logits for the first
/// <c>count</c> images of the data (the training file first, binarised at <see cref="Mnist.BinariseAt"/>).
/// </summary>
/// <param name="DigitMeans">[10][784] Bernoulli means sigmoid(decoder(onehot(d), zbar)).</param>
/// <param name="Logits">[count][10].</param>
public sealed record Prediction(float[] Zbar, float[][] DigitMeans, int[] Images, float[][] Logits)
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static Prediction Of(string run, Backend acc, int count, string? dataDir = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var o = RunDirectory.LoadOptions(run);
        var evalFile = Path.Combine(run, RunDirectory.EvalFile);
        if (!File.Exists(evalFile))
            throw new IncompleteRunException($"{evalFile}: not found (a run writes it when it finishes)");
        var zbar = EvalJson.Read(evalFile).Zbar;
        if (zbar.Length != Model.Networks.ZDim)
            throw new DataFormatException($"{evalFile}: zbar has {zbar.Length} values, expected {Model.Networks.ZDim}");
        var data = Mnist.Load(dataDir ?? o.DataDir);
        count = Math.Min(count, data.Count);
        using var inf = Inference.FromHost(acc, RunReports.LoadParameters(run));
        var means = Evaluator.Decode(inf, [.. Enumerable.Range(0, Mnist.Classes).Select(d => (d, zbar[0], zbar[1]))]);
        var logits = inf.ClassifierLogits(data.ImagesAsFloats(0, count), count);
        return new Prediction(
            zbar,
            Rows(means, Mnist.Pixels),
            [.. Enumerable.Range(0, count)],
            Rows(logits, Mnist.Classes)
        );
    }

    static float[][] Rows(float[] flat, int cols) =>
        [.. Enumerable.Range(0, flat.Length / cols).Select(r => flat.AsSpan(r * cols, cols).ToArray())];
}
