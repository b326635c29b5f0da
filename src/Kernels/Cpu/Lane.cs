using System.Runtime.CompilerServices;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// One float as an <see cref="ISimd{T}"/> of one lane: the scalar form of <see cref="VectorMath"/>. <see cref="Fn"/>'s
/// transcendentals are VectorMath's generic code run on this type, so the CPU's scalar code, every device kernel (ILGPU
/// compiles these methods, resolving the static interface calls) and every vector lane do the same IEEE operations in
/// the same order: one definition of each function, the same bits everywhere. Each member mirrors its x86 vector
/// instruction exactly, NaNs and signed zeros included: min/max return the second operand unless the first is strictly
/// smaller/greater (minps/maxps), a comparison gives an all-ones or all-zeros mask, and Select picks by the mask.
/// </summary>
internal readonly struct Lane : ISimd<Lane>
{
    // The lane is held as its bits, not as a float: a comparison's all-ones mask is a NaN, and an OpenCL compiler may
    // replace a NaN that passes through float registers with its canonical NaN (PoCL 6 did: every mask broke). As an
    // int it is never a float until an arithmetic operation needs one, and the reinterpretations cost nothing on a
    // device (as_float, mov.b32) and a register move on the CPU.
    readonly int _bits;

    public Lane(float v) => _bits = BitConverter.SingleToInt32Bits(v);

    Lane(int bits, bool _) => _bits = bits;

    /// <summary>The lane's value.</summary>
    public float V => BitConverter.Int32BitsToSingle(_bits);

    static Lane True => new(-1, true);

    static Lane False => new(0, true);

    static int Bits(Lane x) => x._bits;

    static Lane FromBits(int bits) => new(bits, true);

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Create(float v) => new(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Load(ref float src, nuint i) => new(Unsafe.Add(ref src, i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lane v, ref float dst, nuint i) => Unsafe.Add(ref dst, i) = v.V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Lane v) => v.V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator +(Lane a, Lane b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator -(Lane a, Lane b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator *(Lane a, Lane b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator /(Lane a, Lane b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator -(Lane a) => new(-a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator &(Lane a, Lane b) => FromBits(Bits(a) & Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator |(Lane a, Lane b) => FromBits(Bits(a) | Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator ~(Lane a) => FromBits(~Bits(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane operator ^(Lane a, Lane b) => FromBits(Bits(a) ^ Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Fma(Lane a, Lane b, Lane c) => new(Fn.Fma(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Floor(Lane x) => new(MathF.Floor(x.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Abs(Lane x) => FromBits(Bits(x) & int.MaxValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Sqrt(Lane x) => new(MathF.Sqrt(x.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane CopySign(Lane x, Lane s) => FromBits((Bits(x) & int.MaxValue) | (Bits(s) & int.MinValue));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Min(Lane a, Lane b) => a.V < b.V ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Max(Lane a, Lane b) => a.V > b.V ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Select(Lane m, Lane a, Lane b) => FromBits((Bits(m) & Bits(a)) | (~Bits(m) & Bits(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Lt(Lane a, Lane b) => a.V < b.V ? True : False;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Gt(Lane a, Lane b) => a.V > b.V ? True : False;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Eq(Lane a, Lane b) => a.V == b.V ? True : False;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane ScaleByPow2(Lane p, Lane n)
    {
        int i = (int)n.V,
            half = i >> 1;
        return new(
            p.V
                * BitConverter.Int32BitsToSingle((half + 127) << 23)
                * BitConverter.Int32BitsToSingle((i - half + 127) << 23)
        );
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane Frexp(Lane x, out Lane e) => VectorMath.FrexpScaled(x, out e);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane FrexpNormal(Lane x, out Lane e)
    {
        int bits = Bits(x);
        e = new((float)((bits >> 23) - 126));
        return FromBits((bits & 0x007FFFFF) | 0x3F000000);
    }
}
