using System.Diagnostics;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The real training step of a preset and model at a batch, on synthetic inputs: what `step` and `limit` time.
/// </summary>
sealed class StepFixture : IDisposable
{
    public readonly Executor Executor;
    public readonly ModelConfig Config;
    public readonly int Samples;

    /// <param name="fuseEpilogues">Off, every op runs on its own (<see cref="ComputeGraph.FuseEpilogues"/>).</param>
    /// <param name="backwardsInForward">Off, every backward runs in the backward pass (<see
    /// cref="ComputeGraph.BackwardsInForward"/>).</param>
    public StepFixture(
        Backend acc,
        Preset preset,
        ModelKind model,
        int batch,
        bool fuseEpilogues = true,
        bool backwardsInForward = true
    )
    {
        Config = ModelConfig.For(preset, model);
        var obj = new Objective(Config, batch, batch, batch, unfeaturedTiled: Config.UnfeaturedZ == UnfeaturedZ.Fixed);
        obj.Graph.FuseEpilogues = fuseEpilogues;
        obj.Graph.BackwardsInForward = backwardsInForward;
        Executor = new Executor(obj.Graph, acc, 1);
        acc.CopyFromHost(Networks.Initialise(obj.Graph.Parameters, 1), Executor.Parameters);
        var r = new Random(1);
        foreach (var t in obj.Graph.Tensors.Where(t => t.Kind == TensorKind.Input))
        {
            var v = new float[t.Length];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] =
                    t.Cols == 10 ? (i % 10 == 0 ? 1 : 0)
                    : r.NextSingle() < 0.3f ? 1
                    : 0;
            }

            for (int i = t.RowPeriod * t.Cols; i < v.Length && t.RowPeriod > 0; i++)
                v[i] = v[i - t.RowPeriod * t.Cols]; // as the trainer tiles them
            Executor.SetInput(t, v);
        }
        Samples = (model == ModelKind.M2 ? 2 : 3) * batch;
    }

    /// <summary>One step (forward, backward, Adam), synchronised; its wall milliseconds.</summary>
    public double Step()
    {
        long t0 = Stopwatch.GetTimestamp();
        Executor.Forward();
        Executor.Backward();
        Executor.Update(Config.Adam, 0.01);
        Executor.Backend.Synchronize();
        return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    public void Dispose() => Executor.Dispose();
}

/// <summary>
/// The training step at a given batch on one backend: warm-up, then timed steps (median), samples/s over the three
/// streams, the planned arena, and the executor's per-op table (per op kind, or per layer) from one extra profiled
/// step.
/// </summary>
static class StepBench
{
    public static void Run(Backend acc, Preset preset, ModelKind model, int batch, int steps, bool byLayer, bool fuse)
    {
        using var f = new StepFixture(acc, preset, model, batch, fuse);
        var ex = f.Executor;
        f.Step();
        using var perf = PerfControl.FromEnvironment(); // bench/perf_step.sh samples the timed steps alone
        perf?.Enable();
        var times = Enumerable.Range(0, steps).Select(_ => f.Step()).Order().ToList();
        perf?.Disable();
        double med = times[times.Count / 2];
        double arena = ex.Plan.PeakBytes / 1048576.0,
            peak = PeakResidentMiB();
        Console.WriteLine(
            $"step {model} {preset} batch {batch} on {acc.Name}: median {med:F1} ms over {steps} steps (min {times[0]:F1}), "
                + $"{f.Samples / (med / 1000):N0} samples/s; planned arena {arena:F1} MiB, device total {ex.BackendBytes / 1048576.0:F1} MiB, "
                + $"peak resident {peak:F0} MiB ({peak / arena:F2}x the arena)"
        );
        ex.Profile = new OpProfile { ByLayer = byLayer };
        double profiled = f.Step();
        Console.WriteLine(ex.Profile.ToTable());
        Console.WriteLine(
            $"profiled step: {profiled:F1} ms, of which the ops above {ex.Profile.TotalMs:F1} ms; the rest is loss reductions, "
                + "gradient zero-fills outside ops and the synchronisation after every op"
        );
    }

    /// <summary>This process's peak resident memory so far (the kernel's VmHWM), in MiB.</summary>
    public static double PeakResidentMiB()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / 1048576.0;
    }
}
