using System.Diagnostics;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;

namespace Untapped.Checks;

/// <summary>
/// A backend proving itself before it trains: every kernel case against the one-thread managed CPU reference (each
/// output read back, so each case ends in a synchronize and a fault is caught at its case), then one optimiser step of
/// the model against the managed CPU by <see cref="StepParity"/>'s criteria. A function of the accelerator and the
/// case list alone, so a test can hand it a case that must fail.
/// </summary>
public static class SelfCheck
{
    /// <summary>One output of one case: its errors against the reference, or the failure (the driver's text) that stopped it.</summary>
    public sealed record Row(string Kernel, string Output, double MaxAbs, double MaxRel, float Atol, float Rtol, string? Problem)
    {
        public bool Pass => Problem is null;
    }

    public sealed record Report(string Device, IReadOnlyList<Row> Rows, StepParity.Report? Step, string? StepProblem, TimeSpan Elapsed)
    {
        public bool Pass => Rows.All(r => r.Pass) && StepProblem is null && (Step?.Pass ?? true);

        /// <summary>What failed first, in a sentence that names the kernel and how; null when everything passed.</summary>
        public string? Failure
        {
            get
            {
                if (Rows.FirstOrDefault(r => !r.Pass) is { } r)
                    return $"kernel '{r.Kernel}' ({r.Output}) failed on {Device}: {r.Problem}" +
                        (Rows.Count(x => !x.Pass) is > 1 and var n ? $" ({n} of {Rows.Count} outputs failed)" : "");
                if (StepProblem is { } p) return $"the training step failed on {Device}: {p}";
                if (Step is { Pass: false } s)
                    return $"the training step of {s.Model} (batch {s.Batch}) disagrees with the managed CPU on {Device}: " +
                        (s.Losses.Select((l, i) => (l, i)).FirstOrDefault(t => !t.l.Pass) is { l.Problem: not null } bad ? $"losses at step {bad.i + 1}{bad.l.Problem}"
                        : !s.FarOk ? $"{s.Far} of {s.Parameters} parameters more than {StepParity.FarApart} apart" : $"parameters {s.ParameterResult.Problem}");
                return null;
            }
        }
    }

    /// <summary>Batch of the training-step comparison: small, since ILGPU's CPU accelerator simulates every thread.</summary>
    public const int StepBatch = 2;

    /// <summary>
    /// Runs <paramref name="cases"/> on <paramref name="device"/> against the managed CPU, then (when
    /// <paramref name="step"/>) the paper preset's Untapped step; <paramref name="progress"/> hears each case's name.
    /// </summary>
    public static Report Run(Accelerator device, IEnumerable<KernelCase> cases, bool step = true, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var rows = new List<Row>();
        using var cpu = new CpuAccelerator(1);
        foreach (var c in cases)
        {
            progress?.Invoke(c.Name);
            try
            {
                var expected = KernelCases.Execute(c, cpu);
                var actual = KernelCases.Execute(c, device);
                device.Synchronize();
                foreach (var o in c.Outputs)
                {
                    var r = Tolerance.Measure(expected[o], actual[o], c.Atol, c.Rtol);
                    rows.Add(new(c.Name, o, r.MaxAbs, r.MaxRel, c.Atol, c.Rtol, r.Problem));
                }
            }
            catch (Exception e) when (e is DeviceException or InvalidOperationException or ArgumentException or AggregateException)
            {
                rows.Add(new(c.Name, string.Join(",", c.Outputs), double.NaN, double.NaN, c.Atol, c.Rtol, Describe(e)));
            }
        }
        StepParity.Report? stepReport = null;
        string? stepProblem = null;
        if (step)
        {
            progress?.Invoke("training step");
            try { stepReport = StepParity.Compare(device, ModelConfig.For(Preset.Paper, ModelKind.Untapped), StepBatch, steps: 1); }
            catch (Exception e) when (e is DeviceException or InvalidOperationException or ArgumentException or AggregateException) { stepProblem = Describe(e); }
        }
        return new Report(device.Name, rows, stepReport, stepProblem, clock.Elapsed);
    }

    // The exception's own message and those of its causes (the driver's error text is usually the innermost).
    static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (parts.Count == 0 || !parts[^1].Contains(x.Message, StringComparison.Ordinal)) parts.Add($"{x.Message}");
        return string.Join(" <- ", parts);
    }
}
