using System.Runtime.CompilerServices;

namespace Untapped.Kernels;

/// <summary>Scalar maths shared by the device kernels (ILGPU compiles these same methods) and the CPU twins.</summary>
public static class Fn
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => MathF.Max(x, 0f) + Log1P(MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1P(float x) => (float)Math.Log(1.0 + x);

    /// <summary>Gumbel noise from a uniform u: -log(max(-log(u + GumbelShift) + GumbelShift, GumbelFloor)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GumbelNoise(float u) =>
        -MathF.Log(
            MathF.Max(
                -MathF.Log(u + KernelConstants.GumbelShift) + KernelConstants.GumbelShift,
                KernelConstants.GumbelFloor
            )
        );

    /// <summary>log max(y, LogFloor): the Concrete density's log y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LogFloored(float y) => MathF.Log(MathF.Max(y, KernelConstants.LogFloor));

    /// <summary>The logistic flow's inverse: logit(clip((z - lo) / (hi - lo), FlowEps, 1 - FlowEps)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FlowInverse(float z, float lo, float hi)
    {
        float s = Clamp((z - lo) / (hi - lo), KernelConstants.FlowEps, 1f - KernelConstants.FlowEps);
        return MathF.Log(s) - MathF.Log(1f - s);
    }

    /// <summary>
    /// One coordinate's exact log-det term of the flow onto a box of width w: log w + log s + log(1-s), s = sigmoid(t).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FlowLogDetTerm(float t, float w) => MathF.Log(w) - Softplus(-t) - Softplus(t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float lo, float hi) => MathF.Min(MathF.Max(x, lo), hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Act(float v, Activation act) =>
        act switch
        {
            Activation.Tanh => MathF.Tanh(v),
            Activation.Sigmoid => Sigmoid(v),
            Activation.Softplus => Softplus(v),
            _ => v,
        };

    /// <summary>d act / d pre-activation from the output y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ActGrad(float y, Activation act) =>
        act switch
        {
            Activation.Tanh => 1f - y * y,
            Activation.Sigmoid => y * (1f - y),
            Activation.Softplus => (float)(1.0 - Math.Exp(-(double)y)),
            _ => 1f,
        };
}
