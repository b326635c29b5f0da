using System.Diagnostics;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The training step at a given batch on one backend: warm-up, then timed steps (median), samples/s over the
/// three streams, the planned arena, and the executor's per-op table (per op kind, or per layer) from one extra profiled step.
/// </summary>
static class StepBench
{
    public static void Run(Backend acc, Preset preset, ModelKind model, int batch, int steps, bool byLayer)
    {
        var cfg = ModelConfig.For(preset, model);
        var obj = new Objective(cfg, batch, batch, batch);
        using var ex = new Executor(obj.Graph, acc, 1);
        acc.CopyFromHost(Networks.Initialise(obj.Graph.Parameters, 1), ex.Parameters);
        var r = new Random(1);
        foreach (var t in obj.Graph.Tensors.Where(t => t.Kind == TensorKind.Input))
        {
            var v = new float[t.Length];
            for (int i = 0; i < v.Length; i++) v[i] = t.Cols == 10 ? (i % 10 == 0 ? 1 : 0) : r.NextSingle() < 0.3f ? 1 : 0;
            ex.SetInput(t, v);
        }
        void Step() { ex.Forward(); ex.Backward(); ex.Update(cfg.Adam, 0.01); }
        Step(); acc.Synchronize();
        var times = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Step(); acc.Synchronize();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        times.Sort();
        double med = times[times.Count / 2];
        int streams = model == ModelKind.M2 ? 2 : 3;
        Console.WriteLine($"step {model} {preset} batch {batch} on {acc.Name}: median {med:F1} ms over {steps} steps (min {times[0]:F1}), " +
            $"{streams * batch / (med / 1000):N0} samples/s; planned arena {ex.Plan.PeakBytes / 1048576.0:F1} MiB, device total {ex.BackendBytes / 1048576.0:F1} MiB");
        ex.Profile = new OpProfile { ByLayer = byLayer };
        long p0 = Stopwatch.GetTimestamp();
        Step(); acc.Synchronize();
        double profiled = Stopwatch.GetElapsedTime(p0).TotalMilliseconds;
        Console.WriteLine(ex.Profile.ToTable());
        Console.WriteLine($"profiled step: {profiled:F1} ms, of which the ops above {ex.Profile.TotalMs:F1} ms; the rest is loss reductions, " +
            "gradient zero-fills outside ops and the synchronisation after every op");
    }
}
