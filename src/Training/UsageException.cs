namespace Untapped.Training;

/// <summary>
/// The user asked for something impossible (an option out of range, a run directory that holds another run): the
/// command line must change. The CLI's only source of exit code 2 besides its parser; it words the remedies.
/// </summary>
public class UsageException(string message, params Remedy[] remedies) : Exception(message), IRemedied
{
    public IReadOnlyList<Remedy> Remedies { get; } = remedies;
}
