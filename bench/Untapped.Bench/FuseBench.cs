using Untapped.Kernels;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The step with the dense layers' epilogues fused (the default) and with every op on its own
/// (<see cref="Graph.ComputeGraph.FuseEpilogues"/> off), in one process, interleaved rep by rep (three steps each), so
/// that a noisy neighbour hits both: each side's minimum (the headline) and median, their ratio, the planned arenas,
/// and whether the two sides' parameters are bitwise equal after the same steps (they must be).
/// </summary>
static class FuseBench
{
    public static int Run(Backend acc, Preset preset, ModelKind model, int batch, int reps)
    {
        using var fused = new StepFixture(acc, preset, model, batch);
        using var plain = new StepFixture(acc, preset, model, batch, fuseEpilogues: false);
        fused.Step();
        plain.Step();
        var (f, p) = (new List<double>(), new List<double>());
        for (int r = 0; r < reps; r++)
        {
            for (int s = 0; s < 3; s++)
                f.Add(fused.Step());
            for (int s = 0; s < 3; s++)
                p.Add(plain.Step());
        }
        bool same = acc.ToArray(fused.Executor.Parameters).SequenceEqual(acc.ToArray(plain.Executor.Parameters));
        Console.WriteLine(
            $"step {model} {preset} batch {batch} on {acc.Name}, {reps} reps of 3 steps each, interleaved: "
                + $"fused min {f.Min():F1} ms (median {LimitBench.Median(f):F1}), unfused min {p.Min():F1} ms (median {LimitBench.Median(p):F1}); "
                + $"unfused / fused {p.Min() / f.Min():F3} by minima ({LimitBench.Median(p) / LimitBench.Median(f):F3} by medians); planned arena "
                + $"{fused.Executor.Plan.PeakBytes / 1048576.0:F1} vs {plain.Executor.Plan.PeakBytes / 1048576.0:F1} MiB; "
                + $"parameters after the same steps {(same ? "bitwise equal" : "DIFFERENT")}"
        );
        return same ? 0 : 1;
    }
}
