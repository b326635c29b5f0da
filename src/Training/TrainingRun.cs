using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Output;

namespace Untapped.Training;

/// <summary>
/// A run directory (DESIGN "Outputs"): config.json, metrics.jsonl, checkpoint.safetensors + state.json
/// written every epoch (metrics line, then checkpoint, then state, each atomically), then digits.png,
/// samples.png and eval.json. A resumed run continues after the epoch state.json names, with identical draws.
/// </summary>
public static class TrainingRun
{
    public const string ConfigFile = "config.json", MetricsFile = "metrics.jsonl", CheckpointFile = "checkpoint.safetensors",
        StateFile = "state.json", DigitsFile = "digits.png", SamplesFile = "samples.png", EvalFile = "eval.json";

    public static EvalResult Train(RunOptions o, Accelerator acc, bool resume, ITrainingObserver? observer = null)
    {
        observer ??= new NullObserver();
        o.Validate();
        var dir = o.OutDir;
        var statePath = Path.Combine(dir, StateFile);
        if (!resume && File.Exists(statePath))
            throw new ArgumentException($"{dir} already holds a run (state.json); pass --resume to continue it or choose another --out");
        RunState? state = null;
        if (resume)
        {
            if (!File.Exists(statePath)) throw new ArgumentException($"{dir}: nothing to resume (no state.json)");
            state = JsonSerializer.Deserialize<RunState>(File.ReadAllText(statePath), RunOptions.Json) ?? throw new ArgumentException($"{statePath}: unreadable");
            if (state.Fingerprint != o.Fingerprint())
                throw new ArgumentException($"{dir}: the options differ from the run being resumed (compare with its config.json)");
        }
        // Data first: a bad file must fail before the run directory holds anything.
        observer.Phase("loading MNIST");
        var data = new ExperimentData(Mnist.Load(o.DataDir), o.Seed, o.UnlabelledCount);
        Directory.CreateDirectory(dir);
        AtomicFile.WriteText(Path.Combine(dir, ConfigFile), JsonSerializer.Serialize(o, RunOptions.Json));

        using var trainer = new Trainer(o.Model, data, acc, o.Batch, o.Seed);
        int start = 0;
        var metricsPath = Path.Combine(dir, MetricsFile);
        if (state is not null)
        {
            var ckpt = Path.Combine(dir, CheckpointFile);
            if (Sha256(ckpt) != state.CheckpointSha256) throw new Graph.SafetensorsException($"{ckpt}: does not match state.json (corrupted or from another run)");
            Checkpoint.Restore(ckpt, trainer.Executor);
            trainer.Executor.AdamT = state.AdamT;
            start = state.Epoch;
            // Lines past the last checkpointed epoch come from an epoch that will run again.
            var kept = File.Exists(metricsPath) ? File.ReadLines(metricsPath).Take(start).ToList() : [];
            AtomicFile.WriteText(metricsPath, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
        }
        else if (File.Exists(metricsPath)) File.Delete(metricsPath);

        int epochs = o.Model.Epochs;
        for (int e = start; e < epochs; e++)
        {
            var m = trainer.RunEpoch(e, (s, n, loss) =>
            {
                observer.Step(e + 1, epochs, s, n, loss);
                PauseForTests(dir, e * n + s);
            });
            File.AppendAllText(metricsPath, MetricsLine(m) + "\n");
            var ckpt = Path.Combine(dir, CheckpointFile);
            Checkpoint.Save(ckpt, trainer.Executor, withAdam: true, new Dictionary<string, string> { ["epoch"] = m.Epoch.ToString() });
            var st = new RunState(m.Epoch, trainer.Executor.AdamT, trainer.StepsPerEpoch, Sha256(ckpt), o.Fingerprint());
            AtomicFile.WriteText(statePath, JsonSerializer.Serialize(st, RunOptions.Json));
            observer.Epoch(m, epochs);
        }
        return EvaluateInto(dir, acc, data, o, acc.ToArray(trainer.Executor.Parameters), observer);
    }

    /// <summary>
    /// Test hook for crash tests: with UNTAPPED_PAUSE_AFTER_STEP=N the process writes the marker file
    /// "paused-after-step-N" into the run directory and blocks forever once N steps are done, so a test can
    /// SIGKILL it at a known point mid-epoch.
    /// </summary>
    static void PauseForTests(string dir, int stepsDone)
    {
        if (Environment.GetEnvironmentVariable("UNTAPPED_PAUSE_AFTER_STEP") is { } v && int.TryParse(v, out int n) && n == stepsDone)
        {
            File.WriteAllText(Path.Combine(dir, $"paused-after-step-{n}"), "");
            Thread.Sleep(Timeout.Infinite);
        }
    }

    static string MetricsLine(EpochMetrics m)
    {
        var o = new JsonObject { ["epoch"] = m.Epoch, ["lr"] = m.LearningRate };
        foreach (var (k, v) in m.Losses) o[k] = v;
        o["step_ms"] = Math.Round(m.StepMs, 3);
        o["samples_per_s"] = Math.Round(m.SamplesPerSecond, 1);
        o["seconds"] = Math.Round(m.Seconds, 3);
        return o.ToJsonString();
    }

    public static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>Reads a run's config.json.</summary>
    public static RunOptions LoadOptions(string dir)
    {
        var p = Path.Combine(dir, ConfigFile);
        if (!File.Exists(p)) throw new ArgumentException($"{dir}: not a run directory (no config.json)");
        return JsonSerializer.Deserialize<RunOptions>(File.ReadAllText(p), RunOptions.Json) ?? throw new ArgumentException($"{p}: unreadable");
    }

    /// <summary>Evaluates the checkpoint of a run directory and (re)writes eval.json, digits.png and samples.png.</summary>
    public static EvalResult Evaluate(string dir, Accelerator acc, string? dataDir = null, ITrainingObserver? observer = null)
    {
        var o = LoadOptions(dir);
        var data = new ExperimentData(Mnist.Load(dataDir ?? o.DataDir), o.Seed, o.UnlabelledCount);
        var set = Model.Networks.ParameterLayout();
        var (p, _, _, _) = Checkpoint.Load(Path.Combine(dir, CheckpointFile), set);
        return EvaluateInto(dir, acc, data, o, p, observer ?? new NullObserver());
    }

    static EvalResult EvaluateInto(string dir, Accelerator acc, ExperimentData data, RunOptions o, float[] parameters, ITrainingObserver observer)
    {
        observer.Phase("training the reference classifier");
        var reference = ReferenceClassifier.Train(acc, data.Pool, o.Seed);
        observer.Phase("evaluating");
        var r = Evaluator.Run(acc, data, o.Model, parameters, reference);
        WriteDigits(Path.Combine(dir, DigitsFile), r.DigitMeans);
        WriteSamples(Path.Combine(dir, SamplesFile), acc, parameters, o.Model);
        var json = new JsonObject
        {
            ["model"] = o.Model.Model.ToString().ToLowerInvariant(),
            ["ce_heldout"] = r.CeHeldout, ["acc_heldout"] = r.AccHeldout, ["acc_labelled"] = r.AccLabelled,
            ["distinct_digits"] = r.DistinctDigits, ["permutation"] = new JsonArray(r.Permutation.Select(v => (JsonNode)v).ToArray()),
            ["reference_classifier_acc"] = r.ReferenceClassifierAcc, ["zbar"] = new JsonArray(r.ZBar.Select(v => (JsonNode)v).ToArray()),
        };
        AtomicFile.WriteText(Path.Combine(dir, EvalFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return r;
    }

    /// <summary>Paper Figure 2 as one row: the 10 grey means, then the 10 thresholded images.</summary>
    public static void WriteDigits(string path, float[] means)
    {
        var tiles = new List<float[]>();
        for (int d = 0; d < 10; d++) tiles.Add(means.AsSpan(d * Mnist.Pixels, Mnist.Pixels).ToArray());
        var th = Evaluator.Threshold(means);
        for (int d = 0; d < 10; d++) tiles.Add(th.AsSpan(d * Mnist.Pixels, Mnist.Pixels).ToArray());
        ImageGrid.Write(path, tiles, 20);
    }

    /// <summary>Rows: one-hot y = 0..9; columns: z swept along the box's diagonal from lo to hi.</summary>
    public static void WriteSamples(string path, Accelerator acc, float[] parameters, Model.ModelConfig cfg, int columns = 10)
    {
        var (lo, hi) = cfg.Box;
        using var inf = new Inference(acc, parameters, 128);
        var items = new List<(int, float, float)>();
        for (int row = 0; row < 10; row++)
            for (int c = 0; c < columns; c++)
            {
                float z = lo + (hi - lo) * (c + 0.5f) / columns;
                items.Add((row, z, z));
            }
        var means = Evaluator.Decode(inf, [.. items]);
        var tiles = Enumerable.Range(0, items.Count).Select(i => means.AsSpan(i * Mnist.Pixels, Mnist.Pixels).ToArray()).ToList();
        ImageGrid.Write(path, tiles, columns);
    }
}
