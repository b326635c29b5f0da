namespace Untapped.Training;

/// <summary>
/// A run directory lacks a file a finished run has (its eval.json): the run was stopped before its end, or the file was
/// removed. A run failure (exit 1); evaluating the run again writes the file.
/// </summary>
public sealed class IncompleteRunException(string message) : Exception(message), IRemedied
{
    public IReadOnlyList<Remedy> Remedies { get; } = [Remedy.Evaluate];
}
