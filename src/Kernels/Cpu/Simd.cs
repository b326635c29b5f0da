using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// The one place that decides the CPU kernels' vector width. Whatever it decides, every kernel gives the same bits:
/// elementwise maths does the same operations in every lane, every reduction adds in one fixed order
/// (<see cref="RowSum"/>) and every GEMM element runs one FMA chain per K block.
/// </summary>
internal static class Lanes
{
    /// <summary>16 lanes (<see cref="V512"/>, and the GEMM's AVX-512 tiles) where Vector512 is accelerated.</summary>
    // Properties over IsHardwareAccelerated, not static readonly copies: JIT-time constants at every tier, with no
    // class-initialisation check in code compiled before this class is initialised.
    public static bool Wide => Vector512.IsHardwareAccelerated;

    /// <summary>
    /// 8 lanes (<see cref="V256"/>) where Vector256 is accelerated (AVX2), else 4 (<see cref="V128"/>: SSE/AVX without
    /// AVX2, Arm64 NEON), which .NET accelerates on every 64-bit CPU it runs on; emulated Vector256 would be scalar and
    /// slow.
    /// </summary>
    public static bool Has256 => Vector256.IsHardwareAccelerated;

    /// <summary>The path's name for banners and benchmark tables.</summary>
    public static string Path =>
        Wide ? "AVX-512"
        : Has256 ? "AVX2"
        : Vector128.IsHardwareAccelerated ? "128-bit"
        : "scalar";
}

/// <summary>
/// Row sums in one fixed order for every vector width: element j of a row adds into lane j mod 8 in order (two V128
/// accumulators, or one V256), the ragged tail padded with zeros, then the eight lanes add as
/// ((0+1)+(2+3))+((4+5)+(6+7)), the tree of Vector256.Sum on AVX2. AVX-512 machines keep that 8-lane accumulator (a
/// 16-lane one would add in another order) but compute the terms 16 at a time and add the two halves in element order:
/// the term is elementwise, so each lane's value is the 8-lane path's, and the adds are the same adds.
/// </summary>
internal static class RowSum
{
    public const int Lanes8 = 8;

    /// <summary>sum_j a_j over the row, in the fixed order above (a row of precomputed terms).</summary>
    public static float Of(ReadOnlySpan<float> a) => Of(default(Element), a, a);

    readonly struct Element : IRowTerm
    {
        public T Invoke<T>(T a, T _)
            where T : struct, ISimd<T> => a;
    }

    /// <summary>sum_j term(a_j, b_j) over the row, in the fixed order above.</summary>
    public static float Of<TTerm>(TTerm term, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TTerm : struct, IRowTerm => Of(new WithoutOutput<TTerm>(term), a, b, default, default);

    /// <summary>
    /// sum_j term(a_j, b_j, c_j) over the row, in the fixed order above, with the term's second value for each j
    /// written to <paramref name="output"/>[j] (a row function and its gradient in one pass). c, read only by a term
    /// that <see cref="IRowTermWithOutput.ReadsC"/> (else empty), is a row an earlier pass made: the first part of a
    /// term too long to run in one pass (<see cref="Elementwise.MapThen"/> says why).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Of<TTerm>(
        TTerm term,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        ReadOnlySpan<float> c,
        Span<float> output
    )
        where TTerm : struct, IRowTermWithOutput =>
        Lanes.Wide ? OfWide(term, a, b, c, output)
        : Lanes.Has256 ? Of<TTerm, V256>(term, a, b, c, output)
        : Of<TTerm, V128>(term, a, b, c, output);

    // An IRowTerm as a term whose output is dropped (the JIT removes the stores: Writes is a constant).
    readonly struct WithoutOutput<TTerm>(TTerm term) : IRowTermWithOutput
        where TTerm : struct, IRowTerm
    {
        public static bool Writes => false;

        public static bool ReadsC => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T a, T b, T c, out T output)
            where T : struct, ISimd<T>
        {
            output = default;
            return term.Invoke(a, b);
        }
    }

    /// <summary>The 16-lane path of <see cref="Of{TTerm}(TTerm, ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    internal static float OfWide<TTerm>(TTerm term, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TTerm : struct, IRowTerm => OfWide(new WithoutOutput<TTerm>(term), a, b, default, default);

    /// <summary>The <typeparamref name="T"/>-lane path of <see cref="Of{TTerm}(TTerm, ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    internal static float Of<TTerm, T>(TTerm term, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TTerm : struct, IRowTerm
        where T : struct, ISimd<T> => Of<WithoutOutput<TTerm>, T>(new(term), a, b, default, default);

    // Terms on 16 lanes, each vector's low half then its high half added into the 8-lane accumulator, then Of's loop
    // on what is left.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float OfWide<TTerm>(
        TTerm term,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        ReadOnlySpan<float> c,
        Span<float> output
    )
        where TTerm : struct, IRowTermWithOutput
    {
        ref float sa = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        ref float sb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        ref float sc = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(c);
        ref float so = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        var acc = V256.Create(0f);
        int j = 0;
        for (; j + 2 * Lanes8 <= a.Length; j += 2 * Lanes8)
        {
            var t = term.Invoke(
                V512.Load(ref sa, (nuint)j),
                V512.Load(ref sb, (nuint)j),
                TTerm.ReadsC ? V512.Load(ref sc, (nuint)j) : default,
                out var o
            );
            if (TTerm.Writes)
                V512.Store(o, ref so, (nuint)j);
            acc += t.Lower;
            acc += t.Upper;
        }
        return Of(term, a, b, c, output, j, acc, V256.Create(0f)); // acc1 is for 4-lane vectors only
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Of<TTerm, T>(
        TTerm term,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        ReadOnlySpan<float> c,
        Span<float> output
    )
        where TTerm : struct, IRowTermWithOutput
        where T : struct, ISimd<T> => Of(term, a, b, c, output, 0, T.Create(0f), T.Create(0f));

    // From element j on, with the lane sums so far: lanes 0..Count-1 in acc0, the rest of the eight in acc1 (used only
    // when T has four lanes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Of<TTerm, T>(
        TTerm term,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        ReadOnlySpan<float> c,
        Span<float> output,
        int j,
        T acc0,
        T acc1
    )
        where TTerm : struct, IRowTermWithOutput
        where T : struct, ISimd<T>
    {
        ref float sa = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        ref float sb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        ref float sc = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(c);
        ref float so = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        int d = a.Length;
        for (; j + Lanes8 <= d; j += Lanes8)
        {
            acc0 += term.Invoke(
                T.Load(ref sa, (nuint)j),
                T.Load(ref sb, (nuint)j),
                TTerm.ReadsC ? T.Load(ref sc, (nuint)j) : default,
                out var o0
            );
            if (TTerm.Writes)
                T.Store(o0, ref so, (nuint)j);
            if (T.Count < Lanes8)
            {
                var q = (nuint)(j + T.Count);
                acc1 += term.Invoke(
                    T.Load(ref sa, q),
                    T.Load(ref sb, q),
                    TTerm.ReadsC ? T.Load(ref sc, q) : default,
                    out var o1
                );
                if (TTerm.Writes)
                    T.Store(o1, ref so, q);
            }
        }
        Span<float> lanes = stackalloc float[Lanes8];
        T.Store(acc0, ref lanes[0], 0);
        if (T.Count < Lanes8)
            T.Store(acc1, ref lanes[0], (nuint)T.Count);
        if (j < d)
        {
            // The tail, padded with zeros and masked out of the sum, lane by lane as a full vector would add it.
            Span<float> ta = stackalloc float[Lanes8],
                tb = stackalloc float[Lanes8],
                tc = stackalloc float[Lanes8],
                t = stackalloc float[Lanes8],
                to = stackalloc float[Lanes8];
            ta.Clear();
            tb.Clear();
            tc.Clear();
            a[j..].CopyTo(ta);
            b[j..].CopyTo(tb);
            if (TTerm.ReadsC)
                c[j..d].CopyTo(tc);
            for (int q = 0; q < Lanes8; q += T.Count)
            {
                T.Store(
                    term.Invoke(
                        T.Load(ref ta[0], (nuint)q),
                        T.Load(ref tb[0], (nuint)q),
                        T.Load(ref tc[0], (nuint)q),
                        out var o
                    ),
                    ref t[0],
                    (nuint)q
                );
                if (TTerm.Writes)
                    T.Store(o, ref to[0], (nuint)q);
            }
            for (int q = 0; q < d - j; q++)
                lanes[q] += t[q];
            if (TTerm.Writes)
                to[..(d - j)].CopyTo(output[j..]);
        }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}

/// <summary>The per-element term of a <see cref="RowSum"/>, written once for every vector width.</summary>
internal interface IRowTerm
{
    T Invoke<T>(T a, T b)
        where T : struct, ISimd<T>;
}

/// <summary>
/// A <see cref="RowSum"/> term with a second value per element, written beside the sum (<see cref="Writes"/>: whether
/// it is), and a third input c (<see cref="ReadsC"/>: whether it reads one; both constants the JIT folds).
/// </summary>
internal interface IRowTermWithOutput
{
    static abstract bool Writes { get; }

    static abstract bool ReadsC { get; }

    T Invoke<T>(T a, T b, T c, out T output)
        where T : struct, ISimd<T>;
}

/// <summary>
/// One float vector of <see cref="Count"/> lanes: the operations <see cref="VectorMath"/> and the elementwise kernels
/// need, so that each is written once and runs on <see cref="V128"/> (SSE, NEON), <see cref="V256"/> (AVX2) or <see
/// cref="V512"/> (AVX-512). The wrappers are single-field structs the JIT keeps in registers; measured against
/// hand-written Vector512 code they cost nothing, while 512-bit lanes run the transcendental kernels ~1.4x faster than
/// 256-bit ones on Zen 4. Comparisons return all-ones / all-zeros lane masks, as floats, for <see cref="Select"/> and
/// the bitwise operators.
/// </summary>
internal interface ISimd<T>
    where T : struct, ISimd<T>
{
    static abstract int Count { get; }
    static abstract T Create(float v);
    static abstract T Load(ref float src, nuint i);
    static abstract void Store(T v, ref float dst, nuint i);
    static abstract float Sum(T v);

    static abstract T operator +(T a, T b);

    static abstract T operator -(T a, T b);

    static abstract T operator *(T a, T b);

    static abstract T operator /(T a, T b);

    static abstract T operator -(T a);

    static abstract T operator &(T a, T b);

    static abstract T operator |(T a, T b);

    static abstract T operator ~(T a);

    static abstract T operator ^(T a, T b);

    /// <summary>a b + c, fused (one rounding).</summary>
    static abstract T Fma(T a, T b, T c);
    static abstract T Floor(T x);
    static abstract T Abs(T x);

    /// <summary>The square root, correctly rounded (IEEE).</summary>
    static abstract T Sqrt(T x);

    /// <summary>|x| with the sign of s.</summary>
    static abstract T CopySign(T x, T s);

    /// <summary>The native min/max instructions: which operand a NaN yields is unspecified.</summary>
    static abstract T Min(T a, T b);
    static abstract T Max(T a, T b);

    /// <summary>
    /// mask ? a : b per lane, for a mask of whole lanes (a comparison's, or bitwise operators on them). On x86 one
    /// blendvps, which picks by each lane's sign bit: the JIT lowers ConditionalSelect of a mask it cannot see to be a
    /// comparison's to three instructions (and, andnot, or), and VectorMath's exp, log, tanh and sigmoid select several
    /// times per vector (tanh on AVX2 1.34 -> 1.09 ns an element, one Zen 3 core). The same bits for such masks.
    /// </summary>
    static abstract T Select(T mask, T a, T b);
    static abstract T Lt(T a, T b);
    static abstract T Gt(T a, T b);
    static abstract T Eq(T a, T b);

    /// <summary>
    /// p 2^n, correctly rounded, for p in [0.5, 2] and integer-valued n in [-150, 128]: two exact power-of-two factors
    /// (neither leaves the exponent range, only the second rounds), or AVX-512's vscalefps, which rounds once: the same
    /// bits (VectorMathTests compares every float's exp on both).
    /// </summary>
    static abstract T ScaleByPow2(T p, T n);

    /// <summary>Splits a positive normal x into m in [0.5, 1) and e with x = m 2^e (e as a float), from its bits.</summary>
    static abstract T FrexpNormal(T x, out T e);

    /// <summary>
    /// Splits a positive finite x, subnormals included, into m in [0.5, 1) and e with x = m 2^e exactly (other lanes:
    /// unspecified): <see cref="VectorMath.FrexpScaled"/> (8 and 4 lanes: <see cref="FrexpNormal"/> alone when every
    /// lane is normal), or AVX-512's vgetmantps and vgetexpps, the same m and e.
    /// </summary>
    static abstract T Frexp(T x, out T e);
}

internal readonly struct V256(Vector256<float> v) : ISimd<V256>
{
    readonly Vector256<float> _v = v;
    public static int Count => 8;

    /// <summary>The eight lanes, for code that goes on with the hardware's own instructions (a shuffle, say).</summary>
    public Vector256<float> Vector => _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Create(float v) => new(Vector256.Create(v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Load(ref float src, nuint i) => new(Vector256.LoadUnsafe(ref src, i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256 v, ref float dst, nuint i) => v._v.StoreUnsafe(ref dst, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(V256 v) => Vector256.Sum(v._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator +(V256 a, V256 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator -(V256 a, V256 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator *(V256 a, V256 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator /(V256 a, V256 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator -(V256 a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator &(V256 a, V256 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator |(V256 a, V256 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator ~(V256 a) => new(~a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator ^(V256 a, V256 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Fma(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Floor(V256 x) => new(Vector256.Floor(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Abs(V256 x) => new(Vector256.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Sqrt(V256 x) => new(Vector256.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 CopySign(V256 x, V256 s) => new(Vector256.CopySign(x._v, s._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Min(V256 a, V256 b) => new(Vector256.MinNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Max(V256 a, V256 b) => new(Vector256.MaxNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Select(V256 m, V256 a, V256 b) =>
        new(Avx.IsSupported ? Avx.BlendVariable(b._v, a._v, m._v) : Vector256.ConditionalSelect(m._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Lt(V256 a, V256 b) => new(Vector256.LessThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Gt(V256 a, V256 b) => new(Vector256.GreaterThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Eq(V256 a, V256 b) => new(Vector256.Equals(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ScaleByPow2(V256 p, V256 n)
    {
        var i = Vector256.ConvertToInt32Native(n._v);
        var half = i >> 1;
        var bias = Vector256.Create(127);
        return new(p._v * ((half + bias) << 23).AsSingle() * ((i - half + bias) << 23).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Frexp(V256 x, out V256 e) =>
        Vector256.GreaterThanOrEqualAll(x._v, Vector256.Create(VectorMath.SmallestNormal))
            ? FrexpNormal(x, out e)
            : VectorMath.FrexpScaled(x, out e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 FrexpNormal(V256 x, out V256 e)
    {
        var bits = x._v.AsInt32();
        e = new(Vector256.ConvertToSingle((bits >> 23) - Vector256.Create(126)));
        return new(((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F000000)).AsSingle());
    }
}

internal readonly struct V128(Vector128<float> v) : ISimd<V128>
{
    readonly Vector128<float> _v = v;
    public static int Count => 4;

    /// <summary>The first lane: <see cref="Fn"/>'s scalar result.</summary>
    public float Lane0
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _v.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Create(float v) => new(Vector128.Create(v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Load(ref float src, nuint i) => new(Vector128.LoadUnsafe(ref src, i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V128 v, ref float dst, nuint i) => v._v.StoreUnsafe(ref dst, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(V128 v) => Vector128.Sum(v._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator +(V128 a, V128 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator -(V128 a, V128 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator *(V128 a, V128 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator /(V128 a, V128 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator -(V128 a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator &(V128 a, V128 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator |(V128 a, V128 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator ~(V128 a) => new(~a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator ^(V128 a, V128 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Fma(V128 a, V128 b, V128 c) => new(Fma128.Of(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Floor(V128 x) => new(Vector128.Floor(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Abs(V128 x) => new(Vector128.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Sqrt(V128 x) => new(Vector128.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 CopySign(V128 x, V128 s) => new(Vector128.CopySign(x._v, s._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Min(V128 a, V128 b) => new(Vector128.MinNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Max(V128 a, V128 b) => new(Vector128.MaxNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Select(V128 m, V128 a, V128 b) =>
        new(Sse41.IsSupported ? Sse41.BlendVariable(b._v, a._v, m._v) : Vector128.ConditionalSelect(m._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Lt(V128 a, V128 b) => new(Vector128.LessThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Gt(V128 a, V128 b) => new(Vector128.GreaterThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Eq(V128 a, V128 b) => new(Vector128.Equals(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ScaleByPow2(V128 p, V128 n)
    {
        var i = Vector128.ConvertToInt32Native(n._v);
        var half = i >> 1;
        var bias = Vector128.Create(127);
        return new(p._v * ((half + bias) << 23).AsSingle() * ((i - half + bias) << 23).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Frexp(V128 x, out V128 e) =>
        Vector128.GreaterThanOrEqualAll(x._v, Vector128.Create(VectorMath.SmallestNormal))
            ? FrexpNormal(x, out e)
            : VectorMath.FrexpScaled(x, out e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 FrexpNormal(V128 x, out V128 e)
    {
        var bits = x._v.AsInt32();
        e = new(Vector128.ConvertToSingle((bits >> 23) - Vector128.Create(126)));
        return new(((bits & Vector128.Create(0x007FFFFF)) | Vector128.Create(0x3F000000)).AsSingle());
    }
}

internal readonly struct V512(Vector512<float> v) : ISimd<V512>
{
    readonly Vector512<float> _v = v;
    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Create(float v) => new(Vector512.Create(v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Load(ref float src, nuint i) => new(Vector512.LoadUnsafe(ref src, i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512 v, ref float dst, nuint i) => v._v.StoreUnsafe(ref dst, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(V512 v) => Vector512.Sum(v._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator +(V512 a, V512 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator -(V512 a, V512 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator *(V512 a, V512 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator /(V512 a, V512 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator -(V512 a) => new(-a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator &(V512 a, V512 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator |(V512 a, V512 b) => new(a._v | b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator ~(V512 a) => new(~a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator ^(V512 a, V512 b) => new(a._v ^ b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Fma(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Floor(V512 x) => new(Vector512.Floor(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Abs(V512 x) => new(Vector512.Abs(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Sqrt(V512 x) => new(Vector512.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 CopySign(V512 x, V512 s) => new(Vector512.CopySign(x._v, s._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Min(V512 a, V512 b) => new(Vector512.MinNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Max(V512 a, V512 b) => new(Vector512.MaxNative(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Select(V512 m, V512 a, V512 b) => new(Vector512.ConditionalSelect(m._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Lt(V512 a, V512 b) => new(Vector512.LessThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Gt(V512 a, V512 b) => new(Vector512.GreaterThan(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Eq(V512 a, V512 b) => new(Vector512.Equals(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ScaleByPow2(V512 p, V512 n) => new(Avx512F.Scale(p._v, n._v));

    /// <summary>Lanes 0-7 and 8-15.</summary>
    public V256 Lower => new(_v.GetLower());

    public V256 Upper => new(_v.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Frexp(V512 x, out V512 e)
    {
        e = new(Avx512F.GetExponent(x._v) + Vector512<float>.One); // floor(log2 x), subnormals normalised
        return new(Avx512F.GetMantissa(x._v, 0b0010)); // interval [1/2, 1), the source's sign
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 FrexpNormal(V512 x, out V512 e)
    {
        var bits = x._v.AsInt32();
        e = new(Vector512.ConvertToSingle((bits >> 23) - Vector512.Create(126)));
        return new(((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F000000)).AsSingle());
    }
}
