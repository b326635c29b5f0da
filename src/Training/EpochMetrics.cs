namespace Untapped.Training;

/// <summary>
/// Mean loss terms and speed of one epoch; <paramref name="HeldOut"/> is the held-out evaluation taken after it, on
/// epochs that <c>--eval-every</c> selects (and the last), else null.
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double LearningRate,
    IReadOnlyDictionary<string, double> Losses,
    double StepMs,
    double SamplesPerSecond,
    double Seconds,
    HeldOutMetrics? HeldOut = null
)
{
    /// <summary>metrics.jsonl's key for the trainer's decoder saturation monitor (Trainer.DecoderSaturation).</summary>
    public const string DecoderSaturationKey = "decoder_saturation";
}

/// <summary>
/// The held-out measurements of eval.json taken during training (the same evaluator, <c>EvalResult.HeldOut</c>), plus
/// the mean entropy of q(y|x) over the held-out images in nats (ln 10 = 2.303 is a uniform guess over ten classes), and
/// the assignment-free score (<see cref="Evaluation.BestPermutation"/>; absent from logs written before it existed).
/// </summary>
public sealed record HeldOutMetrics(
    double Ce,
    double Accuracy,
    int DistinctDigits,
    int[] Permutation,
    double Entropy,
    Evaluation.BestPermutation? Best = null
);
