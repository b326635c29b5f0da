namespace Untapped.Training;

/// <summary>
/// Mean loss terms and speed of one epoch; <paramref name="HeldOut"/> is the held-out evaluation taken after it, on
/// epochs that <c>--eval-every</c> selects (and the last), else null.
/// </summary>
public sealed record EpochMetrics(int Epoch, double LearningRate, IReadOnlyDictionary<string, double> Losses, double StepMs,
    double SamplesPerSecond, double Seconds, HeldOutMetrics? HeldOut = null);

/// <summary>
/// The held-out measurements of eval.json taken during training (the same <see cref="Evaluation.Evaluator"/>), plus the
/// mean entropy of q(y|x) over the held-out images in nats (ln 10 = 2.303 is a uniform guess over ten classes).
/// </summary>
public sealed record HeldOutMetrics(double Ce, double Accuracy, int DistinctDigits, int[] Permutation, double Entropy)
{
    public static HeldOutMetrics Of(Evaluation.EvalResult r) => new(r.CeHeldout, r.AccHeldout, r.DistinctDigits, r.Permutation, r.EntropyHeldout);
}
