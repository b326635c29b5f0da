using System.Runtime.CompilerServices;

namespace Untapped.Kernels;

/// <summary>Scalar maths shared by the device kernels (ILGPU compiles these same methods) and the CPU twins.</summary>
internal static class Fn
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => MathF.Max(x, 0f) + Log1P(MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1P(float x) => (float)Math.Log(1.0 + x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float lo, float hi) => MathF.Min(MathF.Max(x, lo), hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Act(float v, Activation act) => act switch
    {
        Activation.Tanh => MathF.Tanh(v),
        Activation.Sigmoid => Sigmoid(v),
        Activation.Softplus => Softplus(v),
        _ => v,
    };

    /// <summary>d act / d pre-activation from the output y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ActGrad(float y, Activation act) => act switch
    {
        Activation.Tanh => 1f - y * y,
        Activation.Sigmoid => y * (1f - y),
        Activation.Softplus => (float)(1.0 - Math.Exp(-(double)y)),
        _ => 1f,
    };
}
