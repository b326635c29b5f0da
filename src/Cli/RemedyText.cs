namespace Untapped.Cli;

/// <summary>
/// The CLI's wording of each <see cref="Remedy"/>, with the flags that carry it out: the one place a flag name meets a
/// message from Training.
/// </summary>
static class RemedyText
{
    public static string Of(Remedy r) =>
        r switch
        {
            Remedy.Resume => "pass --resume to continue it",
            Remedy.ChooseAnotherOutDir => "choose another --out",
            Remedy.AskForMoreEpochs => "ask for enough --epochs to reach it",
            Remedy.TrainOnCpu => "train on the managed CPU with --backend cpu",
            Remedy.SkipSelfCheck => "skip the check with --self-check never",
            Remedy.NameTheBackend => "name the backend, e.g. --backend cuda, to make a failed self-check an error",
            Remedy.Evaluate => "`untapped evaluate --run <run>` writes it again",
            _ => throw new ArgumentOutOfRangeException(nameof(r), r, "a remedy without a wording"),
        };

    /// <summary>
    /// A message about <paramref name="e"/> (its own by default), then the remedies it names: "message; a, or b".
    /// </summary>
    public static string Message(Exception e, string? message = null) =>
        (message ?? e.Message)
        + (e is IRemedied { Remedies.Count: > 0 } r ? "; " + string.Join(", or ", r.Remedies.Select(Of)) : "");
}
