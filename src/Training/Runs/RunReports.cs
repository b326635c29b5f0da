using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Model;
using Untapped.Training.Output;
using Untapped.Training.Reports;
using Untapped.Training.Storage;

namespace Untapped.Training.Runs;

/// <summary>What a run writes once trained: eval.json, digits.png, samples.png and curves.png.</summary>
public static class RunReports
{
    /// <summary>
    /// Evaluates <paramref name="parameters"/> (unless <paramref name="evaluated"/> is their evaluation already, as the
    /// last epoch's held-out log is) and writes every report into the run directory.
    /// </summary>
    public static EvalResult Write(
        RunDirectory dir,
        Backend acc,
        ExperimentData data,
        RunOptions o,
        View parameters, // the trained parameters, on acc (a trainer's, or a checkpoint's uploaded)
        ITrainingObserver observer,
        EvalResult? evaluated = null
    )
    {
        var r = evaluated ?? Evaluate(acc, data, o, parameters, observer);
        WriteDigits(dir.File(RunDirectory.DigitsFile), r.DigitMeans);
        WriteSamples(dir.File(RunDirectory.SamplesFile), acc, parameters, o.Model);
        CurvesFigure.Write(
            dir.File(RunDirectory.CurvesFile),
            dir.ReadMetrics(),
            $"{o.Model.Kind.ToString().ToLowerInvariant()}, {o.Preset.ToString().ToLowerInvariant()} preset, seed {o.Seed}"
        );
        AtomicFile.WriteText(
            dir.File(RunDirectory.EvalFile),
            EvalJson.Of(o.Model.Kind.ToString().ToLowerInvariant(), r).ToJson()
        );
        return r;
    }

    static EvalResult Evaluate(
        Backend acc,
        ExperimentData data,
        RunOptions o,
        View parameters,
        ITrainingObserver observer
    )
    {
        observer.Phase("reference classifier (trained once per data set, then cached)");
        var reference = ReferenceClassifier.TrainOrLoad(acc, data.Pool, ReferenceClassifier.DefaultCacheDir());
        observer.Phase("evaluating");
        return Evaluator.Run(acc, data, o.Model, parameters, reference);
    }

    /// <summary>Re-evaluates a run directory's checkpoint and rewrites its reports.</summary>
    public static EvalResult Evaluate(
        string path,
        Backend acc,
        string? dataDir = null,
        ITrainingObserver? observer = null
    )
    {
        var o = RunDirectory.LoadOptions(path);
        var data = new ExperimentData(Mnist.Load(dataDir ?? o.DataDir), o.Seed, o.UnlabelledCount);
        using var dir = RunDirectory.Open(path);
        using var parameters = acc.Upload(LoadParameters(path));
        return Write(dir, acc, data, o, parameters, observer ?? new NullObserver());
    }

    /// <summary>The trained parameters of a run directory's checkpoint.</summary>
    public static float[] LoadParameters(string path) =>
        Checkpoint.Load(Path.Combine(path, RunDirectory.CheckpointFile), Networks.ParameterLayout()).Parameters;

    public enum GridKind
    {
        Digits,
        Samples,
    }

    /// <summary>Writes one image grid of a run's checkpoint to <paramref name="file"/> (a .png).</summary>
    public static void WriteGrid(string path, GridKind kind, string file, Backend acc, string? dataDir = null)
    {
        var o = RunDirectory.LoadOptions(path);
        using var parameters = acc.Upload(LoadParameters(path));
        if (kind == GridKind.Samples)
        {
            WriteSamples(file, acc, parameters, o.Model);
            return;
        }
        var data = new ExperimentData(Mnist.Load(dataDir ?? o.DataDir), o.Seed, o.UnlabelledCount);
        using var inf = new Inference(acc, parameters);
        WriteDigits(file, Evaluator.Digits(inf, data, o.Model).Means);
    }

    /// <summary>Paper Figure 2 as one row: the 10 grey means, then the 10 thresholded images.</summary>
    public static void WriteDigits(string path, float[] means)
    {
        var tiles = new List<float[]>();
        for (int d = 0; d < Mnist.Classes; d++)
            tiles.Add(means.AsSpan(d * Mnist.Pixels, Mnist.Pixels).ToArray());
        var th = Evaluator.Threshold(means);
        for (int d = 0; d < Mnist.Classes; d++)
            tiles.Add(th.AsSpan(d * Mnist.Pixels, Mnist.Pixels).ToArray());
        ImageGrid.Write(path, tiles, 2 * Mnist.Classes);
    }

    /// <summary>Rows: one-hot y = 0..9; columns: z swept along the box's diagonal from lo to hi.</summary>
    public static void WriteSamples(string path, Backend acc, View parameters, ModelConfig cfg, int columns = 10)
    {
        var (lo, hi) = cfg.Box;
        using var inf = new Inference(acc, parameters, 128);
        var items = new List<(int, float, float)>();
        for (int row = 0; row < Mnist.Classes; row++)
        {
            for (int c = 0; c < columns; c++)
            {
                float z = lo + (hi - lo) * (c + 0.5f) / columns;
                items.Add((row, z, z));
            }
        }

        var means = Evaluator.Decode(inf, [.. items]);
        var tiles = Enumerable
            .Range(0, items.Count)
            .Select(i => means.AsSpan(i * Mnist.Pixels, Mnist.Pixels).ToArray())
            .ToList();
        ImageGrid.Write(path, tiles, columns);
    }
}
