namespace Untapped.Training;

/// <summary>
/// A GPU the user named explicitly failed its self-check (Checks/GpuGate): the run fails (exit 1) before its
/// directory is touched, and the CLI words the ways on (the managed CPU, or training without the check).
/// </summary>
public sealed class SelfCheckFailedException(string message) : Exception(message), IRemedied
{
    public IReadOnlyList<Remedy> Remedies { get; } = [Remedy.TrainOnCpu, Remedy.SkipSelfCheck];
}
