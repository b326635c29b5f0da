using System.Runtime.CompilerServices;
using Untapped.Kernels.Cpu;

namespace Untapped.Kernels;

/// <summary>
/// Scalar maths shared by the device kernels (ILGPU compiles these same methods) and the CPU's scalar code. Every
/// transcendental is <see cref="VectorMath"/>'s code, built only from IEEE-exact operations (+ - * /, sqrt, <see
/// cref="Fma"/>, floor, bit manipulation): no MathF/Math transcendental, whose results differ between .NET on one OS and
/// another, and between the CPU and a GPU's approximate instructions. So a scalar result has the bits of a vector lane,
/// on every backend. In .NET (the managed CPU, ILGPU's CPU accelerator) it runs on one 128-bit vector, lane 0 of
/// <see cref="V128"/>, which keeps every operation in a vector register; on PTX and OpenCL ILGPU redirects each call to
/// <see cref="Ilgpu.DeviceMaths"/>, the same generic code on one <see cref="Lane"/> (a device has no Vector128).
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
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x) => VectorMath.Exp(V128.Create(x)).Lane0;

    /// <summary>ln x (<see cref="VectorMath.Log"/>).</summary>
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x) => VectorMath.Log(V128.Create(x)).Lane0;

    /// <summary>tanh x (<see cref="VectorMath.Tanh"/>).</summary>
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => VectorMath.Tanh(V128.Create(x)).Lane0;

    /// <summary>1 / (1 + e^-x) (<see cref="VectorMath.Sigmoid"/>).</summary>
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => VectorMath.Sigmoid(V128.Create(x)).Lane0;

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (<see cref="VectorMath.Softplus"/>).</summary>
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => VectorMath.Softplus(V128.Create(x)).Lane0;

    /// <summary>
    /// (sin x, cos x), one range reduction for both (<see cref="VectorMath.SinCos"/>). A pair, not an out parameter: a
    /// device kernel keeps it in registers (through ILGPU's redirect an out parameter became a local-memory slot).
    /// </summary>
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Sin, float Cos) SinCos(float x)
    {
        float sin = VectorMath.SinCos(V128.Create(x), out var c).Lane0;
        return (sin, c.Lane0);
    }

    /// <summary>1 - e^-y for y &gt;= 0 (<see cref="VectorMath.OneMinusExpNeg"/>: softplus' derivative from its output).</summary>
    [ILGPU.IR.Intrinsics.IntrinsicImplementation]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float OneMinusExpNeg(float y) => VectorMath.OneMinusExpNeg(V128.Create(y)).Lane0;

    /// <summary>The logistic flow's inverse: logit(clip((z - lo) / (hi - lo), FlowEps, 1 - FlowEps)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FlowInverse(float z, float lo, float hi)
    {
        float s = Clamp((z - lo) / (hi - lo), KernelConstants.FlowEps, 1f - KernelConstants.FlowEps);
        return Log(s) - Log(1f - s);
    }

    /// <summary>
    /// x clamped to [lo, hi], NaN staying NaN on every backend: .NET's MathF.Max propagates a NaN, while ILGPU lowers it
    /// to OpenCL's fmax and PTX's max.f32, which return the other operand (a NaN logit's dx was the clip on PoCL and NaN
    /// on the CPU until the periodic Bernoulli cases put a NaN in the logits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float x, float lo, float hi) => float.IsNaN(x) ? x : MathF.Min(MathF.Max(x, lo), hi);

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
            Activation.Softplus => OneMinusExpNeg(y),
            _ => 1f,
        };
}
