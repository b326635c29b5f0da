using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>A unary float function on eight lanes, for <see cref="Elementwise.Map{TOp}"/>.</summary>
internal interface IUnaryOp
{
    static abstract Vector256<float> Invoke(Vector256<float> x);
}

/// <summary>y = e^x (<see cref="VectorMath.Exp"/>).</summary>
internal readonly struct ExpOp : IUnaryOp
{
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x);
}

/// <summary>y = ln x (<see cref="VectorMath.Log"/>).</summary>
internal readonly struct LogOp : IUnaryOp
{
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Log(x);
}

/// <summary>y = tanh x (<see cref="VectorMath.Tanh"/>).</summary>
internal readonly struct TanhOp : IUnaryOp
{
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
}

/// <summary>y = 1 / (1 + e^-x) (<see cref="VectorMath.Sigmoid"/>).</summary>
internal readonly struct SigmoidOp : IUnaryOp
{
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Sigmoid(x);
}

/// <summary>y = log(1 + e^-|x|), the non-linear part of softplus(x) = max(x, 0) + log(1 + e^-|x|).</summary>
internal readonly struct SoftplusTailOp : IUnaryOp
{
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Log(Vector256.Create(1f) + VectorMath.Exp(-Vector256.Abs(x)));
}

/// <summary>The one driver for <see cref="IUnaryOp"/>s: eight lanes at a time; the ragged tail goes through the same
/// vector code on a padded copy, so every element gets the same bits wherever it sits in the span.</summary>
internal static class Elementwise
{
    /// <summary>y[i] = TOp(x[i]); y may be x (in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOp
    {
        if (y.Length < x.Length) throw new ArgumentException("destination is shorter than the source", nameof(y));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        for (; i + 8 <= n; i += 8) TOp.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        if (i == n) return;
        Span<float> t = stackalloc float[8];
        t.Clear();
        x[i..].CopyTo(t);
        TOp.Invoke(Vector256.Create<float>(t)).CopyTo(t);
        t[..(n - i)].CopyTo(y[i..]);
    }
}
