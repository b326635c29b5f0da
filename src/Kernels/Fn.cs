using System.Runtime.CompilerServices;
using Untapped.Kernels.Cpu;

namespace Untapped.Kernels;

/// <summary>
/// Scalar maths shared by the device kernels (ILGPU compiles these same methods) and the CPU's scalar code. Every
/// transcendental is <see cref="VectorMath"/>'s code on one <see cref="Lane"/>, built only from IEEE-exact operations
/// (+ - * /, sqrt, <see cref="Fma"/>, floor, bit manipulation): no MathF/Math transcendental, whose results differ
/// between .NET on one OS and another, and between the CPU and a GPU's approximate instructions. So a scalar result has
/// the bits of a vector lane, on every backend.
/// </summary>
public static class Fn
{
    /// <summary>
    /// a b + c with one rounding, on every backend: the CPU's fused instruction (.NET's correctly rounded fallback where
    /// the CPU has none, and on ILGPU's CPU accelerator); on PTX and OpenCL the device's own correctly rounded FMA
    /// (Ilgpu.ExactFma, registered as an intrinsic in every ILGPU context the project makes).
    /// </summary>
    // [IntrinsicImplementation] makes ILGPU keep the call (never inline it) so that the registered code generator
    // replaces it; the .NET JIT still inlines it.
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    /// <summary>e^x (<see cref="VectorMath.Exp"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x) => VectorMath.Exp(new Lane(x)).V;

    /// <summary>ln x (<see cref="VectorMath.Log"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x) => VectorMath.Log(new Lane(x)).V;

    /// <summary>tanh x (<see cref="VectorMath.Tanh"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => VectorMath.Tanh(new Lane(x)).V;

    /// <summary>1 / (1 + e^-x) (<see cref="VectorMath.Sigmoid"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => VectorMath.Sigmoid(new Lane(x)).V;

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (<see cref="VectorMath.Softplus"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => VectorMath.Softplus(new Lane(x)).V;

    /// <summary>sin x (returned) and cos x, one range reduction for both (<see cref="VectorMath.SinCos"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SinCos(float x, out float cos)
    {
        float sin = VectorMath.SinCos(new Lane(x), out var c).V;
        cos = c.V;
        return sin;
    }

    /// <summary>Gumbel noise from a uniform u: -log(max(-log(u + GumbelShift) + GumbelShift, GumbelFloor)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GumbelNoise(float u) =>
        -Log(
            MathF.Max(-Log(u + KernelConstants.GumbelShift) + KernelConstants.GumbelShift, KernelConstants.GumbelFloor)
        );

    /// <summary>log max(y, LogFloor): the Concrete density's log y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LogFloored(float y) => Log(MathF.Max(y, KernelConstants.LogFloor));

    /// <summary>The logistic flow's inverse: logit(clip((z - lo) / (hi - lo), FlowEps, 1 - FlowEps)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FlowInverse(float z, float lo, float hi)
    {
        float s = Clamp((z - lo) / (hi - lo), KernelConstants.FlowEps, 1f - KernelConstants.FlowEps);
        return Log(s) - Log(1f - s);
    }

    /// <summary>
    /// One coordinate's exact log-det term of the flow onto a box of width w: log w + log s + log(1-s), s = sigmoid(t).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FlowLogDetTerm(float t, float w) => Log(w) - Softplus(-t) - Softplus(t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float lo, float hi) => MathF.Min(MathF.Max(x, lo), hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Act(float v, Activation act) =>
        act switch
        {
            Activation.Tanh => Tanh(v),
            Activation.Sigmoid => Sigmoid(v),
            Activation.Softplus => Softplus(v),
            _ => v,
        };

    /// <summary>
    /// d act / d pre-activation from the output y; softplus' is sigmoid(x) = 1 - e^-y (<see
    /// cref="VectorMath.OneMinusExpNeg"/>, exact for small y too).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ActGrad(float y, Activation act) =>
        act switch
        {
            Activation.Tanh => 1f - y * y,
            Activation.Sigmoid => y * (1f - y),
            Activation.Softplus => VectorMath.OneMinusExpNeg(new Lane(y)).V,
            _ => 1f,
        };
}
