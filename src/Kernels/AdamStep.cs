namespace Untapped.Kernels;

/// <summary>
/// Scalars of one Adam update (SPEC 5). <see cref="StepSize"/> = lr * sqrt(1-b2^t) / (1-b1^t);
/// a non-positive <see cref="ClipNorm"/> or <see cref="ClipValue"/> disables that clip.
/// </summary>
public readonly record struct AdamStep(float StepSize, float Beta1, float Beta2, float Eps, float ClipNorm, float ClipValue)
{
    public static AdamStep At(int t, double lr, double beta1, double beta2, double eps, float clipNorm, float clipValue)
    {
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), "Adam steps count from 1");
        double step = lr * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t));
        return new AdamStep((float)step, (float)beta1, (float)beta2, (float)eps, clipNorm, clipValue);
    }
}
