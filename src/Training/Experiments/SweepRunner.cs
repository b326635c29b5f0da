using Untapped.Training.Runs;

namespace Untapped.Training.Experiments;

/// <summary>
/// Runs a sweep's trials in order, each one an independent, resumable training run in its own directory (what
/// `untapped experiment` does, with or without --trial). The policy, in one place:
/// <list type="bullet">
/// <item>a complete trial (<see cref="IsComplete"/>) is skipped;</item>
/// <item>a trial whose directory another process holds (<see cref="RunDirectoryBusyException"/>) is skipped and
/// reported: that process is training it;</item>
/// <item>a trial that fails (<see cref="RunFailure.Is"/>: bad data, divergence, a failed write) is reported and the
/// sweep goes on;</item>
/// <item>a stop (<see cref="TrainingStoppedException"/>), a usage error or a defect ends the sweep: they
/// propagate.</item>
/// </list>
/// How one trial trains is the caller's (<paramref name="train"/> of <see cref="Run"/>): the CLI trains with its
/// console progress, tests with a stub.
/// </summary>
public static class SweepRunner
{
    /// <summary>A trial and the options of its run, resolved and validated before any trial starts.</summary>
    public sealed record TrialRun(int Index, Trial Trial, RunOptions Options);

    public sealed record Summary(
        int Requested,
        int Trained,
        int Complete,
        IReadOnlyList<string> Busy,
        IReadOnlyList<string> Failed
    )
    {
        public override string ToString() =>
            $"{Requested} trial(s): {Trained} trained, {Complete} already complete"
            + (Busy.Count > 0 ? $", {Busy.Count} in use by another process ({string.Join(", ", Busy)})" : "")
            + (Failed.Count > 0 ? $", {Failed.Count} failed ({string.Join(", ", Failed)})" : "");
    }

    /// <summary>
    /// Whether a trial's run directory holds a finished run of the requested length (its eval.json is written last).
    /// </summary>
    public static bool IsComplete(RunOptions o) =>
        File.Exists(Path.Combine(o.OutDir, RunDirectory.EvalFile))
        && RunDirectory.ReadOptions(o.OutDir) is { } c
        && c.Model.Epochs == o.Model.Epochs;

    /// <summary>
    /// What `experiment list` shows for a trial: complete, started (epochs logged so far) or not started.
    /// </summary>
    public static string State(RunOptions o) =>
        IsComplete(o) ? "complete"
        : File.Exists(Path.Combine(o.OutDir, RunDirectory.CheckpointFile))
            ? $"started: epoch {RunDirectory.EpochsLogged(o.OutDir)} of {o.Model.Epochs} logged"
        : "not started";

    /// <summary>
    /// Runs <paramref name="runs"/> in order by the policy above, printing one line per trial to <paramref
    /// name="log"/>.
    /// </summary>
    public static Summary Run(
        IReadOnlyList<TrialRun> runs,
        int total,
        Action<RunOptions> train,
        TextWriter log,
        TextWriter errors
    )
    {
        int trained = 0,
            complete = 0;
        var busy = new List<string>();
        var failed = new List<string>();
        foreach (var (idx, trial, opts) in runs)
        {
            if (IsComplete(opts))
            {
                log.WriteLine($"trial {idx} ({trial.Name}): complete, skipped");
                complete++;
                continue;
            }
            log.WriteLine($"trial {idx} of {total}: {trial.Name}");
            try
            {
                train(opts);
                trained++;
            }
            catch (RunDirectoryBusyException e)
            {
                errors.WriteLine($"trial {idx} ({trial.Name}) skipped: {e.Message}");
                busy.Add(trial.Name);
            }
            catch (Exception e) when (RunFailure.Is(e))
            {
                errors.WriteLine($"error: trial {idx} ({trial.Name}) failed: {RunFailure.Describe(e)}");
                failed.Add(trial.Name);
            }
        }
        return new Summary(runs.Count, trained, complete, busy, failed);
    }
}
