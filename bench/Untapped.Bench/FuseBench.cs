using Untapped.Kernels;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The step with the dense layers' epilogues fused (the default) and with every op on its own
/// (<see cref="Graph.ComputeGraph.FuseEpilogues"/> off), or with <paramref name="backwardsOnly"/> fused but every
/// backward in the backward pass (<see cref="Graph.ComputeGraph.BackwardsInForward"/> off), in one process,
/// interleaved rep by rep (three steps each), so that a noisy neighbour hits both: each side's minimum (the headline)
/// and median, their ratio, the planned arenas, and whether the two sides' parameters are bitwise equal after the same
/// steps (they must be). With <paramref name="profile"/> each side also sums every op's time over all its steps
/// (<see cref="Graph.OpProfile"/>, a synchronise after each op) and prints the table: the rows an optimisation moves,
/// a few milliseconds that a noisy host hides in the step's total.
/// </summary>
static class FuseBench
{
    public static int Run(
        Backend acc,
        Preset preset,
        ModelKind model,
        int batch,
        int reps,
        bool backwardsOnly = false,
        bool profile = false
    )
    {
        using var fused = new StepFixture(acc, preset, model, batch);
        using var plain = backwardsOnly
            ? new StepFixture(acc, preset, model, batch, backwardsInForward: false)
            : new StepFixture(acc, preset, model, batch, fuseEpilogues: false);
        string other = backwardsOnly ? "backwards in the backward pass" : "unfused";
        fused.Step();
        plain.Step();
        var (f, p) = (new List<double>(), new List<double>());
        if (profile)
        {
            fused.Executor.Profile = new Graph.OpProfile();
            plain.Executor.Profile = new Graph.OpProfile();
        }
        for (int r = 0; r < reps; r++)
        {
            for (int s = 0; s < 3; s++)
                f.Add(fused.Step());
            for (int s = 0; s < 3; s++)
                p.Add(plain.Step());
        }
        if (profile)
        {
            Console.WriteLine($"fused, {3 * reps} steps:\n{fused.Executor.Profile!.ToTable()}");
            Console.WriteLine($"{other}, {3 * reps} steps:\n{plain.Executor.Profile!.ToTable()}");
        }
        bool same = acc.ToArray(fused.Executor.Parameters).SequenceEqual(acc.ToArray(plain.Executor.Parameters));
        Console.WriteLine(
            $"step {model} {preset} batch {batch} on {acc.Name}, {reps} reps of 3 steps each, interleaved: "
                + $"fused min {f.Min():F1} ms (median {LimitBench.Median(f):F1}), {other} min {p.Min():F1} ms (median {LimitBench.Median(p):F1}); "
                + $"{other} / fused {p.Min() / f.Min():F3} by minima ({LimitBench.Median(p) / LimitBench.Median(f):F3} by medians); planned arena "
                + $"{fused.Executor.Plan.PeakBytes / 1048576.0:F1} vs {plain.Executor.Plan.PeakBytes / 1048576.0:F1} MiB; "
                + $"parameters after the same steps {(same ? "bitwise equal" : "DIFFERENT")}"
        );
        return same ? 0 : 1;
    }
}
