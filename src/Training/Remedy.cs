namespace Untapped.Training;

/// <summary>
/// What a user can do about a refusal, a stop or a failed check, named by intent. Training says which apply; the CLI
/// words each with its own flags (<c>Cli/RemedyText.cs</c>), so that no flag name lives below the CLI.
/// </summary>
public enum Remedy
{
    /// <summary>Continue the run in the directory from its checkpoint.</summary>
    Resume,

    /// <summary>Write the run to another directory.</summary>
    ChooseAnotherOutDir,

    /// <summary>Ask for at least as many epochs as the checkpoint has done.</summary>
    AskForMoreEpochs,

    /// <summary>Train on the managed CPU backend.</summary>
    TrainOnCpu,

    /// <summary>Train without the GPU self-check.</summary>
    SkipSelfCheck,

    /// <summary>
    /// Name the GPU backend, so that a failed self-check is an error rather than a fallback to the CPU.
    /// </summary>
    NameTheBackend,

    /// <summary>Evaluate the run again, which rewrites its eval.json.</summary>
    Evaluate,
}

/// <summary>An exception whose message the CLI completes with the remedies that apply (in this order).</summary>
public interface IRemedied
{
    IReadOnlyList<Remedy> Remedies { get; }
}
