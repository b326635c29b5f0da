using Untapped.Kernels.Cpu;

namespace Untapped.Kernels;

/// <summary>
/// Scalars of one Adam update (docs/model.md §5). <see cref="StepSize"/> = lr * sqrt(1-b2^t) / (1-b1^t);
/// a non-positive <see cref="ClipNorm"/> or <see cref="ClipValue"/> disables that clip.
/// </summary>
public readonly record struct AdamStep(
    float StepSize,
    float Beta1,
    float Beta2,
    float Eps,
    float ClipNorm,
    float ClipValue
)
{
    public static AdamStep At(int t, double lr, double beta1, double beta2, double eps, float clipNorm, float clipValue)
    {
        if (t < 1)
            throw new ArgumentOutOfRangeException(nameof(t), "Adam steps count from 1");
        double step = lr * Math.Sqrt(1 - Power(beta2, t)) / (1 - Power(beta1, t));
        return new AdamStep((float)step, (float)beta1, (float)beta2, (float)eps, clipNorm, clipValue);
    }

    /// <summary>
    /// b^t by squaring: IEEE multiplies alone, so the step size has the same bits on every OS (Math.Pow is the C
    /// library's, which differs between them).
    /// </summary>
    internal static double Power(double b, int t)
    {
        double r = 1;
        for (; t > 0; t >>= 1, b *= b)
        {
            if ((t & 1) != 0)
                r *= b;
        }
        return r;
    }

    /// <summary>
    /// One element's update, the same method on every backend (ILGPU compiles it into the device kernel):
    /// g *= min(1, clipNorm / norm) if clipNorm &gt; 0; g = clamp(g, -clipValue, clipValue) if clipValue &gt; 0;
    /// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= stepSize m / (sqrt(v) + eps). It is <see cref="Update{T}"/>
    /// on one <see cref="Lane"/>.
    /// </summary>
    public readonly void Apply(float g, float norm, ref float p, ref float m, ref float v)
    {
        Lane lm = new(m),
            lv = new(v);
        p = Update(new Lane(g), norm, new Lane(p), ref lm, ref lv).V;
        m = lm.V;
        v = lv.V;
    }

    /// <summary>
    /// <see cref="Apply"/> on every lane of a vector, returning the new p: the same IEEE operations in the same order
    /// (no fused multiply-add; sqrt and division correctly rounded), so a vector of elements gets each one's scalar
    /// bits. The clip factor clipNorm / norm is one scalar division, as in the scalar form; a NaN gradient stays NaN
    /// through the value clip.
    /// </summary>
    internal readonly T Update<T>(T g, float norm, T p, ref T m, ref T v)
        where T : struct, ISimd<T>
    {
        if (ClipNorm > 0f && norm > ClipNorm)
            g *= T.Create(ClipNorm / norm);
        if (ClipValue > 0f)
            g = T.Select(T.Eq(g, g), T.Min(T.Max(g, T.Create(-ClipValue)), T.Create(ClipValue)), g);
        T mi = T.Create(Beta1) * m + T.Create(1f - Beta1) * g;
        T vi = T.Create(Beta2) * v + T.Create(1f - Beta2) * g * g;
        m = mi;
        v = vi;
        return p - T.Create(StepSize) * mi / (T.Sqrt(vi) + T.Create(Eps));
    }
}
