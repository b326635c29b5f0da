using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>A unary float function on a vector of any width, for <see cref="Elementwise.Map{TOp}"/>.</summary>
internal interface IUnaryOp
{
    static abstract T Invoke<T>(T x)
        where T : struct, ISimd<T>;
}

/// <summary>y = e^x (<see cref="VectorMath.Exp"/>).</summary>
internal readonly struct ExpOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.Exp(x);
}

/// <summary>y = ln x (<see cref="VectorMath.Log"/>).</summary>
internal readonly struct LogOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.Log(x);
}

/// <summary>y = tanh x (<see cref="VectorMath.Tanh"/>).</summary>
internal readonly struct TanhOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.Tanh(x);
}

/// <summary>y = 1 / (1 + e^-x) (<see cref="VectorMath.Sigmoid"/>).</summary>
internal readonly struct SigmoidOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.Sigmoid(x);
}

/// <summary>y = softplus x = log(1 + e^x) (<see cref="VectorMath.Softplus"/>).</summary>
internal readonly struct SoftplusOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.Softplus(x);
}

/// <summary>y = log(1 + e^-|x|), the non-linear part of softplus(x) = max(x, 0) + log(1 + e^-|x|).</summary>
internal readonly struct SoftplusTailOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.Log1pUnit(VectorMath.ExpNonPositive(-T.Abs(x)));
}

/// <summary>A binary float function on vectors of any width, for <see cref="Elementwise.Map{TOp}(TOp,
/// ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/>; an instance may carry parameters (a temperature, a
/// flag), which the JIT keeps in registers.</summary>
internal interface IBinaryOp
{
    T Invoke<T>(T a, T b)
        where T : struct, ISimd<T>;
}

/// <summary>The one driver for <see cref="IUnaryOp"/>s and <see cref="IBinaryOp"/>s: sixteen lanes at a time with
/// AVX-512, else eight; the ragged tail goes through the same vector code on a padded copy, so every element gets the
/// same bits wherever it sits in the span (and, since each lane computes the same operations, whatever the
/// width).</summary>
internal static class Elementwise
{
    /// <summary>y[i] = TOp(x[i]); y may be x (in place).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : struct, IUnaryOp
    {
        if (y.Length < x.Length)
            throw new ArgumentException("destination is shorter than the source", nameof(y));
        if (Lanes.Wide)
            Map<TOp, V512>(x, y);
        else if (Lanes.Has256)
            Map<TOp, V256>(x, y);
        else
            Map<TOp, V128>(x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TOp, T>(ReadOnlySpan<float> x, Span<float> y)
        where TOp : struct, IUnaryOp
        where T : struct, ISimd<T>
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length,
            i = 0;
        for (; i + T.Count <= n; i += T.Count)
            T.Store(TOp.Invoke(T.Load(ref xs, (nuint)i)), ref ys, (nuint)i);
        if (i == n)
            return;
        Span<float> t = stackalloc float[T.Count];
        t.Clear();
        x[i..].CopyTo(t);
        ref float ts = ref MemoryMarshal.GetReference(t);
        T.Store(TOp.Invoke(T.Load(ref ts, 0)), ref ts, 0);
        t[..(n - i)].CopyTo(y[i..]);
    }

    /// <summary>
    /// y[i] = op(a[i], b[i]), or y[i] + op(a[i], b[i]) when <paramref name="accumulate"/>; y may be a or b. In the
    /// padded tail a is 0 and b is <paramref name="bPad"/>.
    /// </summary>
    public static void Map<TOp>(
        TOp op,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> y,
        float bPad = 0f,
        bool accumulate = false
    )
        where TOp : struct, IBinaryOp
    {
        if (b.Length < a.Length || y.Length < a.Length)
            throw new ArgumentException("operands are shorter than the first", nameof(y));
        if (Lanes.Wide)
            Map<TOp, V512>(op, a, b, y, bPad, accumulate);
        else if (Lanes.Has256)
            Map<TOp, V256>(op, a, b, y, bPad, accumulate);
        else
            Map<TOp, V128>(op, a, b, y, bPad, accumulate);
    }

    /// <summary>
    /// y[i] = TThen(first(a[i], b[i])) (in the padded tail a is 0 and b is <paramref name="bPad"/>), in two passes
    /// per block of <see cref="ChainBlock"/> elements: <paramref name="first"/> into y's block, then TThen over that
    /// block in place, while it is in L1. The same operations on the same values as one pass of their composition, so
    /// the same bits; y may be a or b.
    /// </summary>
    /// <remarks>
    /// Why two passes: a vector's operations in one pass form a dependency chain longer than the core can look past.
    /// The relaxed Bernoulli sample (two logs, then a sigmoid) is about 120 instructions a vector on a chain of some
    /// 150 cycles, so the reorder buffer (256 entries on Zen 3) holds about two vectors and runs them at the chain's
    /// pace; split, each pass's chain is half as long and twice as many vectors overlap. One Zen 3 core, 784-float
    /// rows in L1: 3.38 -> 2.24 ns an element (blocks of 256 to 8,192 alike, 128 slower).
    /// </remarks>
    public static void MapThen<TFirst, TThen>(
        TFirst first,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> y,
        float bPad = 0f
    )
        where TFirst : struct, IBinaryOp
        where TThen : struct, IUnaryOp
    {
        if (b.Length < a.Length || y.Length < a.Length)
            throw new ArgumentException("operands are shorter than the first", nameof(y));
        for (int s = 0; s < a.Length; s += ChainBlock)
        {
            int len = Math.Min(ChainBlock, a.Length - s);
            var block = y.Slice(s, len);
            Map(first, a.Slice(s, len), b.Slice(s, len), block, bPad);
            Map<TThen>(block, block);
        }
    }

    /// <summary>The elements of one block of <see cref="MapThen"/>: 4 KiB of each operand.</summary>
    public const int ChainBlock = 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Map<TOp, T>(
        TOp op,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> y,
        float bPad,
        bool accumulate
    )
        where TOp : struct, IBinaryOp
        where T : struct, ISimd<T>
    {
        ref float sa = ref MemoryMarshal.GetReference(a);
        ref float sb = ref MemoryMarshal.GetReference(b);
        ref float sy = ref MemoryMarshal.GetReference(y);
        int n = a.Length,
            i = 0;
        for (; i + T.Count <= n; i += T.Count)
        {
            var v = op.Invoke(T.Load(ref sa, (nuint)i), T.Load(ref sb, (nuint)i));
            T.Store(accumulate ? T.Load(ref sy, (nuint)i) + v : v, ref sy, (nuint)i);
        }
        if (i == n)
            return;
        Span<float> ta = stackalloc float[T.Count],
            tb = stackalloc float[T.Count];
        ta.Clear();
        tb.Fill(bPad);
        a[i..].CopyTo(ta);
        b[i..n].CopyTo(tb);
        ref float pa = ref MemoryMarshal.GetReference(ta);
        T.Store(op.Invoke(T.Load(ref pa, 0), T.Load(ref MemoryMarshal.GetReference(tb), 0)), ref pa, 0);
        for (int j = 0; i + j < n; j++)
            y[i + j] = accumulate ? y[i + j] + ta[j] : ta[j];
    }
}
