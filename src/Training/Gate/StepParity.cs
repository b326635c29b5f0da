using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;

namespace Untapped.Training.Gate;

/// <summary>
/// Optimiser steps of one model on a backend against the managed CPU from the same parameters and inputs (<see
/// cref="ObjectiveFixture"/>): the same bits, or the first difference, named. Every backend runs the project's own maths
/// in the CPU's order, so every loss term of every step, then the parameters and both Adam moments, must be equal bit
/// for bit; the report names the first step, tensor and element where they part, with both values and their distance in
/// ulps. The criteria of the test suite's BackendStepTests and of the GPU check.
/// </summary>
public static class StepParity
{
    public const int Steps = 5;

    /// <summary>What was compared, and the first difference (null: the same bits).</summary>
    public sealed record Report(string Model, int Batch, int Parameters, string? Difference)
    {
        public bool Pass => Difference is null;
    }

    /// <summary>Batch of the self-check's step: small, since ILGPU's CPU accelerator simulates every thread.</summary>
    public const int SelfCheckBatch = 2;

    /// <summary>
    /// The self-check's step (<see cref="SelfCheck"/>): one optimiser step of Untapped on the paper preset at
    /// <see cref="SelfCheckBatch"/> against the managed CPU, bit for bit.
    /// </summary>
    public static SelfCheck.Step OneStep(Backend device)
    {
        var s = Compare(device, ModelConfig.For(Preset.Paper, ModelKind.Untapped), SelfCheckBatch, steps: 1);
        return new SelfCheck.Step($"training step ({s.Model}, batch {s.Batch})", s.Difference);
    }

    public static Report Compare(Backend device, ModelConfig cfg, int batch, ulong seed = 21, int steps = Steps)
    {
        using var cpu = new CpuBackend(2);
        using var a = new ObjectiveFixture(cpu, cfg, batch, seed);
        using var b = new ObjectiveFixture(device, cfg, batch, seed);
        string model = cfg.Kind.ToString().ToLowerInvariant();
        int parameters = a.Objective.Graph.Parameters.TotalLength;
        Report Differs(string what) => new(model, batch, parameters, what);
        for (int step = 0; step < steps; step++)
        {
            foreach (var f in new[] { a, b })
            {
                f.Executor.Forward();
                f.Executor.Backward();
                f.Executor.Update(cfg.Adam, cfg.LearningRate);
            }
            var losses = Tolerance.Exact(a.Executor.ReadLosses(), b.Executor.ReadLosses());
            if (!losses.Pass)
                return Differs($"the loss terms at step {step + 1}{losses.Problem}");
        }
        foreach (
            var (name, va, vb) in new[]
            {
                ("parameters", a.Executor.Parameters, b.Executor.Parameters),
                ("Adam's first moments", a.Executor.AdamM, b.Executor.AdamM),
                ("Adam's second moments", a.Executor.AdamV, b.Executor.AdamV),
            }
        )
        {
            var r = Tolerance.Exact(cpu.ToArray(va), device.ToArray(vb));
            if (!r.Pass)
                return Differs($"{name} after {steps} steps, in {TensorAt(a, r.Worst)}{r.Problem}");
        }
        return new(model, batch, parameters, null);
    }

    // The parameter tensor that holds flat element i, and i's place in it.
    static string TensorAt(ObjectiveFixture f, int i) =>
        f.Objective.Graph.Parameters.Items.FirstOrDefault(t =>
            i >= t.ParameterOffset && i < t.ParameterOffset + t.Length
        )
            is { } t
            ? $"{t.Name} (element {i - t.ParameterOffset})"
            : $"element {i}";
}
