using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// Single-precision exp, log, tanh and sigmoid on eight lanes, after Cephes' expf/logf/tanhf (range reduction plus
/// a minimax polynomial, evaluated with fused multiply-adds; min/max and float-to-int use the native instructions,
/// since the clamped inputs cannot be NaN where it would matter). Side by side on this project's 2-core Zen 4 (784-float
/// rows, in L1): exp 0.56 vs 1.59 ns per element for TensorPrimitives.Exp, log 0.73 vs 1.36, tanh 0.96 vs 2.88,
/// sigmoid 0.76 vs 2.18.
/// Accuracy against double precision over the whole float range (VectorMathTests): exp 1.0, log 0.8, tanh 1.3 and
/// sigmoid 2.4 ulp at worst (asserted: 2, 2, 3, 3). Special values follow IEEE: exp(+inf) = +inf, exp(-inf) = 0, log(0) = -inf, log(x &lt; 0) = NaN,
/// NaN in gives NaN out; exp's results below 2^-126 are gradual (denormal), not flushed.
/// </summary>
internal static class VectorMath
{
    static Vector256<float> C(float v) => Vector256.Create(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    /// <summary>e^x = 2^n e^r with n = round(x log2 e), r = x - n ln 2 (ln 2 split in two), e^r by a degree-7 polynomial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // Beyond these bounds the result is +inf or 0; inside, 2^n is applied as two factors so that n may reach
        // -150 (denormal results) or 128 without leaving the exponent range of either factor.
        var xc = Vector256.MinNative(Vector256.MaxNative(x, C(-104f)), C(88.72283f));
        var fx = Vector256.Floor(Fma(xc, C(1.44269504088896341f), C(0.5f)));
        var r = Fma(fx, C(-0.693359375f), xc);
        r = Fma(fx, C(2.12194440e-4f), r);
        var p = Fma(C(1.9875691500E-4f), r, C(1.3981999507E-3f));
        p = Fma(p, r, C(8.3334519073E-3f));
        p = Fma(p, r, C(4.1665795894E-2f));
        p = Fma(p, r, C(1.6666665459E-1f));
        p = Fma(p, r, C(5.0000001201E-1f));
        p = Fma(p, r * r, r) + C(1f);
        var n = Vector256.ConvertToInt32Native(fx);
        var n1 = n >> 1;
        var n2 = n - n1;
        var y = p * ((n1 + Vector256.Create(127)) << 23).AsSingle() * ((n2 + Vector256.Create(127)) << 23).AsSingle();
        y = Vector256.ConditionalSelect(Vector256.GreaterThan(x, C(88.72283f)), C(float.PositiveInfinity), y);
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, C(-104f)), Vector256<float>.Zero, y);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    /// <summary>log x = e ln 2 + log m with m in [sqrt(1/2), sqrt 2), log(1 + f) by a degree-9 polynomial in f.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        // Denormal inputs are scaled by 2^23 first so that their exponent field is meaningful.
        var tiny = Vector256.LessThan(x, C(1.17549435e-38f));
        var xs = Vector256.ConditionalSelect(tiny, x * C(8388608f), x);
        var bits = xs.AsInt32();
        var e = (bits >> 23) - Vector256.Create(126) - (tiny.AsInt32() & Vector256.Create(23));
        var m = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F000000)).AsSingle();   // [0.5, 1)
        var small = Vector256.LessThan(m, C(0.707106781186547524f));
        e += small.AsInt32();                                              // -1 where m was doubled
        var f = m - C(1f) + (m & small);
        var z = f * f;
        var p = Fma(C(7.0376836292E-2f), f, C(-1.1514610310E-1f));
        p = Fma(p, f, C(1.1676998740E-1f));
        p = Fma(p, f, C(-1.2420140846E-1f));
        p = Fma(p, f, C(1.4249322787E-1f));
        p = Fma(p, f, C(-1.6668057665E-1f));
        p = Fma(p, f, C(2.0000714765E-1f));
        p = Fma(p, f, C(-2.4999993993E-1f));
        p = Fma(p, f, C(3.3333331174E-1f));
        var fe = Vector256.ConvertToSingle(e);
        var y = p * f * z;
        y = Fma(fe, C(-2.12194440e-4f), y);
        y = Fma(C(-0.5f), z, y);
        var r = Fma(fe, C(0.693359375f), f + y);
        r = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), C(float.NegativeInfinity), r);
        r = Vector256.ConditionalSelect(Vector256.Equals(x, C(float.PositiveInfinity)), x, r);
        var invalid = Vector256.LessThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(invalid, C(float.NaN), r);
    }

    /// <summary>tanh x: x + x^3 P(x^2) for |x| &lt; 0.625, else sign(x) (1 - 2 / (e^{2|x|} + 1)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var a = Vector256.Abs(x);
        var z = x * x;
        var p = Fma(C(-5.70498872745E-3f), z, C(2.06390887954E-2f));
        p = Fma(p, z, C(-5.37397155531E-2f));
        p = Fma(p, z, C(1.33314422036E-1f));
        p = Fma(p, z, C(-3.33332819422E-1f));
        var small = Fma(p * z, x, x);
        var large = C(1f) - C(2f) / (Exp(a + a) + C(1f));
        large = Vector256.CopySign(large, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(a, C(0.625f)), small, large);
    }

    /// <summary>sigmoid x = 1 / (1 + e^-x) for x &gt;= 0 and e^x / (1 + e^x) below, so e^-|x| never overflows and tiny results keep their precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var e = Exp(-Vector256.Abs(x));
        var s = C(1f) / (C(1f) + e);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), e * s, s);
    }
}
