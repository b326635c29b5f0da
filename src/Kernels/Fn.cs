using System.Runtime.CompilerServices;
using ILGPU.Runtime.Cuda;
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
    /// the CPU has none), PTX's fma.rn.f32 by inline assembly (ILGPU 1.5.3 has no FMA intrinsic, and a*b+c as written
    /// would round twice), and on OpenCL, whose fma() ILGPU cannot reach, the same value computed exactly in doubles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c)
    {
        // A switch on the accelerator type itself (cases 0-2, so an IL switch with no offset): ILGPU specialises the
        // value to a constant per backend and folds the switch, so each backend's code holds its own case alone (an
        // if-chain of comparisons would keep every case, the CPU's call included, in the PTX).
        switch (Accelerator.CurrentType)
        {
            case AcceleratorType.Cuda:
                CudaAsm.Emit("fma.rn.f32 %0, %1, %2, %3;", out float r, a, b, c);
                return r;
            case AcceleratorType.OpenCL:
                return FmaInDoubles(a, b, c);
            case AcceleratorType.CPU:
            default:
                return MathF.FusedMultiplyAdd(a, b, c);
        }
    }

    /// <summary>
    /// a b + c correctly rounded to float, from double operations alone: a b is exact in a double (24 + 24 bits); the
    /// sum is rounded to odd (round to nearest, then, when inexact and even, the odd neighbour on the exact value's side,
    /// found with TwoSum), and a double rounded to odd rounds to the correctly rounded float (53 &gt;= 2 x 24 + 2 bits).
    /// The scalar twin of Cpu.Fma128's emulation.
    /// </summary>
    public static float FmaInDoubles(float a, float b, float c)
    {
        double p = (double)a * b,
            s = p + c;
        double bb = s - p,
            err = (p - (s - bb)) + (c - bb);
        long bits = BitConverter.DoubleToInt64Bits(s);
        if (err != 0 && (bits & 1) == 0 && s != 0 && double.IsFinite(s))
            bits += (err > 0) == (s > 0) ? 1 : -1;
        return (float)BitConverter.Int64BitsToDouble(bits);
    }

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

    /// <summary>sin x and cos x for the Box-Muller angle (<see cref="VectorMath.SinCos"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sin(float x) => VectorMath.SinCos(new Lane(x), out _).V;

    /// <summary>cos x (<see cref="VectorMath.SinCos"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Cos(float x)
    {
        VectorMath.SinCos(new Lane(x), out var c);
        return c.V;
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
