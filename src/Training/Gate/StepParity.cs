using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;

namespace Untapped.Training.Gate;

/// <summary>
/// Five optimiser steps of one model on a backend against the managed CPU from the same parameters and inputs (<see
/// cref="ObjectiveFixture"/>): the criteria of the test suite's BackendStepTests and of the GPU check. Losses agree per
/// step to 1e-3 absolute + 1e-3 relative (float32 reductions add in another order). Adam turns rounding noise on
/// near-zero gradients into full-size steps, so parameters are judged by distribution: at most 1 in 1,000 further apart
/// than 1e-4, and every one within (steps + 0.1) learning rates (each step moves a parameter by at most lr under Adam,
/// and a margin).
/// </summary>
public static class StepParity
{
    public const int Steps = 5;
    public const float LossTol = 1e-3f,
        FarApart = 1e-4f,
        LrMargin = 0.1f;

    public sealed record Report(
        string Model,
        int Batch,
        Tolerance.Result[] Losses,
        int Far,
        int Parameters,
        Tolerance.Result ParameterResult
    )
    {
        public bool FarOk => Far <= Parameters / 1000;
        public bool Pass => Losses.All(l => l.Pass) && FarOk && ParameterResult.Pass;
    }

    /// <summary>Batch of the self-check's step: small, since ILGPU's CPU accelerator simulates every thread.</summary>
    public const int SelfCheckBatch = 2;

    /// <summary>
    /// The self-check's step (<see cref="SelfCheck"/>): one optimiser step of Untapped on the paper preset at
    /// <see cref="SelfCheckBatch"/> against the managed CPU, by the criteria above.
    /// </summary>
    public static SelfCheck.Step OneStep(Backend device)
    {
        var s = Compare(device, ModelConfig.For(Preset.Paper, ModelKind.Untapped), SelfCheckBatch, steps: 1);
        string? problem =
            s.Losses.Select((l, i) => (l, i)).FirstOrDefault(t => !t.l.Pass) is { l.Problem: not null } bad
                ? $"losses at step {bad.i + 1}{bad.l.Problem}"
            : !s.FarOk ? $"{s.Far} of {s.Parameters} parameters more than {FarApart} apart"
            : !s.ParameterResult.Pass ? $"parameters {s.ParameterResult.Problem}"
            : null;
        return new SelfCheck.Step(
            $"training step ({s.Model}, batch {s.Batch})",
            s.Losses[0].MaxAbs,
            s.Losses[0].MaxRel,
            $"{LossTol:G2} + {LossTol:G2}",
            problem
        );
    }

    public static Report Compare(Backend device, ModelConfig cfg, int batch, ulong seed = 21, int steps = Steps)
    {
        using var cpu = new CpuBackend(2);
        using var a = new ObjectiveFixture(cpu, cfg, batch, seed);
        using var b = new ObjectiveFixture(device, cfg, batch, seed);
        var losses = new Tolerance.Result[steps];
        for (int step = 0; step < steps; step++)
        {
            foreach (var f in new[] { a, b })
            {
                f.Executor.Forward();
                f.Executor.Backward();
                f.Executor.Update(cfg.Adam, cfg.LearningRate);
            }
            losses[step] = Tolerance.Measure(a.Executor.ReadLosses(), b.Executor.ReadLosses(), LossTol, LossTol);
        }
        var pa = cpu.ToArray(a.Executor.Parameters);
        var pb = device.ToArray(b.Executor.Parameters);
        int far = pa.Zip(pb).Count(t => Math.Abs(t.First - t.Second) > FarApart);
        return new(
            $"{cfg.Kind.ToString().ToLowerInvariant()}",
            batch,
            losses,
            far,
            pa.Length,
            Tolerance.Measure(pa, pb, (steps + LrMargin) * (float)cfg.LearningRate, 0)
        );
    }
}
