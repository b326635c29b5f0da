using System.Diagnostics;
using Untapped.Kernels.Cpu;

namespace Untapped.Checks;

/// <summary>
/// A backend proving itself before it trains: every kernel case against the one-thread managed CPU reference (each
/// output read back, so each case ends in a synchronize and a fault is caught at its case), then the caller's step
/// check (training: one optimiser step of the model against the managed CPU, Untapped.Training.Gate.StepParity). A
/// function of the backend, the case list and the step, so a test can hand it a case that must fail; it depends on the
/// kernel layer alone.
/// </summary>
public static class SelfCheck
{
    /// <summary>
    /// One output of one case: equal bit for bit to the reference, or its largest differences and the first differing
    /// element, or the failure (the driver's text) that stopped it.
    /// </summary>
    public sealed record Row(string Kernel, string Output, double MaxAbs, double MaxRel, string? Problem)
    {
        public bool Pass => Problem is null;
    }

    /// <summary>
    /// The outcome of the step check: what ran, and its first difference from the reference or why it failed (null:
    /// the same bits).
    /// </summary>
    public sealed record Step(string What, string? Problem)
    {
        public bool Pass => Problem is null;
    }

    public sealed record Report(string Device, IReadOnlyList<Row> Rows, Step? StepCheck, TimeSpan Elapsed)
    {
        public bool Pass => Rows.All(r => r.Pass) && (StepCheck?.Pass ?? true);

        /// <summary>
        /// What failed first, in a sentence that names the kernel and how; null when everything passed.
        /// </summary>
        public string? Failure
        {
            get
            {
                if (Rows.FirstOrDefault(r => !r.Pass) is { } r)
                {
                    return $"kernel '{r.Kernel}' ({r.Output}) failed on {Device}: {r.Problem}"
                        + (Rows.Count(x => !x.Pass) is > 1 and var n ? $" ({n} of {Rows.Count} outputs failed)" : "");
                }

                if (StepCheck is { Pass: false } s)
                    return $"{s.What} failed on {Device}: {s.Problem}";
                return null;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="cases"/> on <paramref name="device"/> against the managed CPU, then <paramref name="step"/>
    /// (when given; a fault it throws becomes its problem); <paramref name="progress"/> hears each case's name.
    /// </summary>
    public static Report Run(
        Backend device,
        IEnumerable<OpCase> cases,
        Func<Backend, Step>? step = null,
        Action<string>? progress = null
    )
    {
        var clock = Stopwatch.StartNew();
        var rows = new List<Row>();
        using var cpu = new CpuBackend(1);
        foreach (var c in cases)
        {
            progress?.Invoke(c.Name);
            try
            {
                var expected = OpCases.Execute(c, cpu);
                var actual = OpCases.Execute(c, device);
                device.Synchronize();
                foreach (var o in c.Outputs)
                {
                    var r = Tolerance.Exact(expected[o], actual[o]);
                    rows.Add(new(c.Name, o, r.MaxAbs, r.MaxRel, r.Problem));
                }
            }
            catch (Exception e)
                when (e is DeviceException or InvalidOperationException or ArgumentException or AggregateException)
            {
                rows.Add(new(c.Name, string.Join(",", c.Outputs), double.NaN, double.NaN, Describe(e)));
            }
        }
        Step? stepCheck = null;
        if (step is not null)
        {
            progress?.Invoke("training step");
            try
            {
                stepCheck = step(device);
            }
            catch (Exception e)
                when (e is DeviceException or InvalidOperationException or ArgumentException or AggregateException)
            {
                stepCheck = new Step("the training step", Describe(e));
            }
        }
        return new Report(device.Name, rows, stepCheck, clock.Elapsed);
    }

    // The exception's own message and those of its causes (the driver's error text is usually the innermost).
    static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (parts.Count == 0 || !parts[^1].Contains(x.Message, StringComparison.Ordinal))
                parts.Add($"{x.Message}");
        }

        return string.Join(" <- ", parts);
    }
}
