using System.Globalization;
using Untapped.Graph;
using Untapped.Training.Storage;

namespace Untapped.Training.Runs;

/// <summary>
/// Where a training run stands after a step: the steps taken, the loss sums of the epoch in progress and the
/// fingerprint of the options that produced it. It travels inside the checkpoint's metadata, so the parameters,
/// the Adam moments and the position are committed together by one rename: no instant exists at which they disagree.
/// </summary>
public sealed record TrainingState(int StepsDone, double[] EpochLossSums, string Fingerprint)
{
    const string StepsKey = "untapped.steps_done",
        SumsKey = "untapped.epoch_loss_sums",
        FingerprintKey = "untapped.fingerprint";

    public Dictionary<string, string> ToMetadata() =>
        new()
        {
            [StepsKey] = StepsDone.ToString(CultureInfo.InvariantCulture),
            // "R" round-trips every double exactly, so a resumed epoch's mean is the uninterrupted one.
            [SumsKey] = string.Join(",", EpochLossSums.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            [FingerprintKey] = Fingerprint,
        };

    /// <summary>
    /// The state in a checkpoint's metadata; null when the file holds none (parameters only, or an older format).
    /// </summary>
    public static TrainingState? FromMetadata(string path, IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue(StepsKey, out var steps))
            return null;
        if (!int.TryParse(steps, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new CheckpointException($"{path}: metadata {StepsKey} '{steps}' is not a step count");
        var raw = meta.GetValueOrDefault(SumsKey, "");
        var sums =
            raw.Length == 0
                ? []
                : raw.Split(',')
                    .Select(v =>
                        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                            ? d
                            : throw new CheckpointException($"{path}: metadata {SumsKey} holds '{v}', not a number")
                    )
                    .ToArray();
        return new TrainingState(n, sums, meta.GetValueOrDefault(FingerprintKey, ""));
    }
}
