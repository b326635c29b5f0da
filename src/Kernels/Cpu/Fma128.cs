using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// a b + c with one rounding on 128-bit vectors, on every CPU. Where the CPU fuses (x86 FMA3, Arm64) it is the
/// instruction. Where it does not (x86 without FMA3, or the JIT told DOTNET_EnableAVX2=0, which in .NET 10 switches FMA
/// off too), .NET's own fallback calls the C library's fmaf lane by lane, some 100x slower; this computes it exactly
/// in doubles instead: a b is exact in a double (24 + 24 bits), the sum is rounded to odd (round to nearest, then,
/// when inexact and even, the odd neighbour on the exact value's side, found with TwoSum), and a double rounded to
/// odd rounds to the correctly rounded float (53 >= 2 x 24 + 2 bits). So every path gets the FMA paths' bits.
/// </summary>
internal static class Fma128
{
    // IsSupported, not a static readonly copy of it: a JIT-time constant at every tier, where a static field is one
    // only once its class is initialised, which a method compiled straight to full opts (the bench, tier-0 code before
    // OSR) cannot assume: there every FMA carried a class-initialisation check and the 6x16 kernel spilled its tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported
            ? Vector128.FusedMultiplyAdd(a, b, c)
            : Emulated(a, b, c);

    /// <summary>
    /// The double-precision path alone (tests compare it with the instruction on CPUs that have one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Emulated(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        var lo = Exact(Vector128.WidenLower(a), Vector128.WidenLower(b), Vector128.WidenLower(c));
        var hi = Exact(Vector128.WidenUpper(a), Vector128.WidenUpper(b), Vector128.WidenUpper(c));
        return Vector128.Narrow(lo, hi);
    }

    /// <summary>p + c rounded to odd in double, for p = a b exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<double> Exact(Vector128<double> a, Vector128<double> b, Vector128<double> c)
    {
        var p = a * b;
        var s = p + c;
        // TwoSum: err = (p + c) - s exactly.
        var bb = s - p;
        var err = (p - (s - bb)) + (c - bb);
        var bits = s.AsInt64();
        // Inexact and even: step one ulp towards the exact value (away from zero when err has s's sign).
        var fix =
            ~Vector128.Equals(err, Vector128<double>.Zero).AsInt64()
            & Vector128.Equals(bits & Vector128<long>.One, Vector128<long>.Zero);
        var away = ~((err.AsInt64() ^ bits) >> 63); // all ones when err and s have the same sign
        var step = (away & Vector128<long>.One) | (~away & Vector128.Create(-1L));
        // Where s is 0 or not finite there is nothing to fix (err is then 0 or NaN).
        var finite =
            Vector128.LessThan(Vector128.Abs(s), Vector128.Create(double.PositiveInfinity)).AsInt64()
            & ~Vector128.Equals(s, Vector128<double>.Zero).AsInt64();
        return (bits + (step & fix & finite)).AsDouble();
    }
}
