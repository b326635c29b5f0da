using System.Globalization;

namespace Untapped.Training.Runs;

/// <summary>
/// When a run commits a checkpoint besides at its end and when it is stopped: after every epoch (the default), every
/// N optimiser steps, or once a wall-clock interval has passed since the last one (checked after each step).
/// </summary>
public sealed record CheckpointPolicy(int? EverySteps = null, TimeSpan? Interval = null)
{
    public static readonly CheckpointPolicy EveryEpoch = new();

    /// <summary>"epoch", a step count ("50"), or an interval ("90s", "10m", "2h"); <paramref name="what"/> names the
    /// setting in the error (the caller's option).</summary>
    public static CheckpointPolicy Parse(string text, string what)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "epoch")
            return EveryEpoch;
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1)
            return new(EverySteps: n);
        if (
            t.Length > 1
            && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            && v > 0
            && double.IsFinite(v)
        )
        {
            var span = t[^1] switch
            {
                's' => TimeSpan.FromSeconds(v),
                'm' => TimeSpan.FromMinutes(v),
                'h' => TimeSpan.FromHours(v),
                _ => (TimeSpan?)null,
            };
            if (span is { } s)
                return new(Interval: s);
        }
        throw new UsageException(
            $"{what} '{text}' is not 'epoch', a positive step count (e.g. 50) or an interval (e.g. 90s, 10m, 2h)"
        );
    }

    /// <summary>
    /// Whether to commit after a step, given the steps done, the steps per epoch and the time since the last commit.
    /// </summary>
    public bool Due(int stepsDone, int stepsPerEpoch, TimeSpan sinceLast) =>
        EverySteps is { } n ? stepsDone % n == 0
        : Interval is { } i ? sinceLast >= i
        : stepsDone % stepsPerEpoch == 0;

    public override string ToString() =>
        EverySteps is { } n ? $"every {n} steps"
        : Interval is { } i ? $"every {i:g}"
        : "every epoch";
}
