using System.Reflection;
using System.Runtime.CompilerServices;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.IR.Intrinsics;
using Untapped.Kernels.Cpu;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// <see cref="Fn"/>'s transcendentals as a device compiles them: <see cref="VectorMath"/>'s generic code on one
/// <see cref="Lane"/>, the same IEEE operations in the same order as the vector lane that .NET runs (Fn's bodies use
/// Vector128, which ILGPU cannot compile), so the same bits. <see cref="Register"/> redirects each Fn method here on the
/// PTX and OpenCL backends; ILGPU's CPU accelerator runs Fn's own bodies.
/// </summary>
public static class DeviceMaths
{
    /// <summary>e^x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x) => VectorMath.Exp(new Lane(x)).V;

    /// <summary>ln x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x) => VectorMath.Log(new Lane(x)).V;

    /// <summary>tanh x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => VectorMath.Tanh(new Lane(x)).V;

    /// <summary>1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => VectorMath.Sigmoid(new Lane(x)).V;

    /// <summary>log(1 + e^x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => VectorMath.Softplus(new Lane(x)).V;

    /// <summary>1 - e^-y, y &gt;= 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float OneMinusExpNeg(float y) => VectorMath.OneMinusExpNeg(new Lane(y)).V;

    /// <summary>(sin x, cos x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Sin, float Cos) SinCos(float x)
    {
        float sin = VectorMath.SinCos(new Lane(x), out var c).V;
        return (sin, c.V);
    }

    /// <summary>The Fn methods redirected here: each has a method of the same name and signature above.</summary>
    internal static readonly string[] Redirected =
    [
        nameof(Exp),
        nameof(Log),
        nameof(Tanh),
        nameof(Sigmoid),
        nameof(Softplus),
        nameof(OneMinusExpNeg),
        nameof(SinCos),
    ];

    /// <summary>Redirects every <see cref="Redirected"/> method of Fn to its namesake here, on PTX and OpenCL.</summary>
    public static void Register(IntrinsicImplementationManager manager)
    {
        const BindingFlags Static = BindingFlags.Public | BindingFlags.Static;
        foreach (var name in Redirected)
        {
            var from = typeof(Fn).GetMethod(name, Static)!;
            var to = typeof(DeviceMaths).GetMethod(name, Static)!;
            manager.RegisterMethod(from, new PTXIntrinsic(to, IntrinsicImplementationMode.Redirect));
            manager.RegisterMethod(from, new CLIntrinsic(to, IntrinsicImplementationMode.Redirect));
        }
    }
}
