namespace Untapped.Training.Runs;

/// <summary>
/// A stop was requested (SIGTERM, Ctrl-C); the step in progress finished and a checkpoint was committed.
/// </summary>
public sealed class TrainingStoppedException(string checkpoint, int stepsDone, int totalSteps)
    : Exception($"stopped after step {stepsDone} of {totalSteps}; checkpoint committed to {checkpoint}"),
        IRemedied
{
    public IReadOnlyList<Remedy> Remedies { get; } = [Remedy.Resume];

    /// <summary>The process exit code of a run stopped this way (the CLI's and the Slurm script's).</summary>
    public const int ExitCode = 3;

    public string Checkpoint { get; } = checkpoint;
    public int StepsDone { get; } = stepsDone;
}
