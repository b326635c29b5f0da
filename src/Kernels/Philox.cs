using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Untapped.Kernels;

/// <summary>
/// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11), the counter-based generator behind every random
/// draw. The managed twin of prelude.h's philox4x32_10: element i of a stream is word i%4 of block i/4
/// with counter {i/4, 0, step, stream} and key {seed low, seed high}, so any backend draws the same bits.
/// </summary>
public static class Philox
{
    const uint M0 = 0xD2511F53u,
        M1 = 0xCD9E8D57u,
        W0 = 0x9E3779B9u,
        W1 = 0xBB67AE85u;

    /// <summary>Ten rounds over one 4-word counter with a 2-word key.</summary>
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int r = 0; r < 10; r++)
        {
            if (r > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            ulong p0 = (ulong)M0 * c0,
                p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0,
                n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c0 = n0;
            c1 = (uint)p1;
            c2 = n2;
            c3 = (uint)p0;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>
    /// 24 random bits to a float strictly inside (0,1): ((x &gt;&gt; 8) + 0.5) 2^-24, exact in float.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUnit(uint x) => ((x >> 8) + 0.5f) * 5.9604644775390625e-8f;

    /// <summary>The four raw words of block <paramref name="block"/> of a stream.</summary>
    public static (uint, uint, uint, uint) StreamBlock(ulong seed, uint stream, uint step, uint block) =>
        Block(block, 0u, step, stream, (uint)seed, (uint)(seed >> 32));

    /// <summary>Fills <paramref name="output"/> with U(0,1) draws, elements [first, first+len) of the stream.</summary>
    public static void Uniform(ulong seed, uint stream, uint step, int first, Span<float> output)
    {
        int i = 0;
        while (i < output.Length)
        {
            int e = first + i;
            // Whole groups of blocks from an element that starts a block: 32 blocks at a time with AVX-512, 8 with
            // AVX2 (every AVX-512 machine has it: it takes the AVX-512 fills' last 32 to 127 draws), then 4.
            if ((e & 3) == 0 && Wide && output.Length - i >= 128)
            {
                int n = (output.Length - i) / 128 * 128;
                Draws512x4(seed, stream, step, (uint)(e >> 2), output.Slice(i, n));
                i += n;
                continue;
            }
            if ((e & 3) == 0 && Avx2.IsSupported && output.Length - i >= 32)
            {
                int n = (output.Length - i) / 32 * 32;
                Draws256x2(seed, stream, step, (uint)(e >> 2), output.Slice(i, n));
                i += n;
                continue;
            }
            if ((e & 3) == 0 && Avx2.IsSupported && output.Length - i >= 16)
            {
                Draws256(seed, stream, step, (uint)(e >> 2), output.Slice(i, 16));
                i += 16;
                continue;
            }
            var (a, b, c, d) = StreamBlock(seed, stream, step, (uint)(e >> 2));
            for (int w = e & 3; w < 4 && i < output.Length; w++, i++)
            {
                output[i] = ToUnit(
                    w switch
                    {
                        0 => a,
                        1 => b,
                        2 => c,
                        _ => d,
                    }
                );
            }
        }
    }

    // The vector paths run Block on several blocks side by side, one per 64-bit lane (vpmuludq gives the 32 x 32 -> 64
    // products), then ToUnit on their words and a transpose into element order (element 4 j + w is word w of block
    // j). A round is a chain (multiply, shift, xor: the word and key xor first, off the chain; the same bits) of some
    // five cycles' latency with little to run beside it, so the long fills interleave independent sets of blocks:
    // four sets of eight with AVX-512 (0.93 -> 0.62 ns per draw on one Zen 4 core against one set), two of four with
    // AVX2 (sixteen 256-bit registers hold no more: three spill, 1.24 ns). Each walks a whole run of such groups in its
    // own loop, where the core overlaps one group's conversions and stores with the next one's rounds. AVX2, one Zen 3
    // core, in L1, ns per draw: 1.30 with a call per group, 1.01 in one loop, 0.985 with the round keys from a table
    // made once, 0.89 with the xor off the chain, 0.79 with the products' high halves left unmasked between rounds
    // (Set256; three sets then: 0.83). AVX-512, one Zen 4 core: 0.63 -> 0.54 with the same table and unmasked halves
    // (Set512). All are fully optimised from the first call: tier-0 code of vector intrinsics runs several times slower
    // than the scalar path.

    static readonly bool Wide = Cpu.Lanes.Wide && Avx512F.IsSupported;

    /// <summary>Blocks block0 on into output.Length draws (a multiple of 128), 128 at a time as four sets of eight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Draws512x4(ulong seed, uint stream, uint step, uint block0, Span<float> output)
    {
        Span<Vector512<ulong>> keys = stackalloc Vector512<ulong>[20];
        RoundKeys(seed, keys);
        for (int g = 0; g < output.Length; g += 128, block0 += 32u)
        {
            Set512 a = Set512.Of(block0, step, stream),
                b = Set512.Of(block0 + 8u, step, stream),
                c = Set512.Of(block0 + 16u, step, stream),
                d = Set512.Of(block0 + 24u, step, stream);
            for (int r = 0; r < 20; r += 2)
            {
                a.Round(keys[r], keys[r + 1]);
                b.Round(keys[r], keys[r + 1]);
                c.Round(keys[r], keys[r + 1]);
                d.Round(keys[r], keys[r + 1]);
            }
            a.Store(output[g..]);
            b.Store(output[(g + 32)..]);
            c.Store(output[(g + 64)..]);
            d.Store(output[(g + 96)..]);
        }
    }

    /// <summary>Blocks block0 .. block0+3 into 16 draws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Draws256(ulong seed, uint stream, uint step, uint block0, Span<float> output)
    {
        Span<Vector256<ulong>> keys = stackalloc Vector256<ulong>[20];
        RoundKeys(seed, keys);
        var a = Set256.Of(block0, step, stream);
        for (int r = 0; r < 20; r += 2)
            a.Round(keys[r], keys[r + 1]);
        a.Store(output);
    }

    /// <summary>Blocks block0 on into output.Length draws (a multiple of 32), 32 at a time as two sets of four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Draws256x2(ulong seed, uint stream, uint step, uint block0, Span<float> output)
    {
        Span<Vector256<ulong>> keys = stackalloc Vector256<ulong>[20];
        RoundKeys(seed, keys);
        for (int g = 0; g < output.Length; g += 32, block0 += 8u)
        {
            Set256 a = Set256.Of(block0, step, stream),
                b = Set256.Of(block0 + 4u, step, stream);
            for (int r = 0; r < 20; r += 2)
            {
                a.Round(keys[r], keys[r + 1]);
                b.Round(keys[r], keys[r + 1]);
            }
            a.Store(output[g..]);
            b.Store(output[(g + 16)..]);
        }
    }

    /// <summary>The ten rounds' keys, the same for every block of a fill: round r's pair at 2 r and 2 r + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void RoundKeys(ulong seed, Span<Vector256<ulong>> keys)
    {
        uint k0 = (uint)seed,
            k1 = (uint)(seed >> 32);
        for (int r = 0; r < 10; r++, k0 += W0, k1 += W1)
        {
            keys[2 * r] = Vector256.Create((ulong)k0);
            keys[2 * r + 1] = Vector256.Create((ulong)k1);
        }
    }

    /// <summary>The ten rounds' keys on eight lanes: <see cref="RoundKeys(ulong, Span{Vector256{ulong}})"/>'s twice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void RoundKeys(ulong seed, Span<Vector512<ulong>> keys)
    {
        Span<Vector256<ulong>> half = stackalloc Vector256<ulong>[20];
        RoundKeys(seed, half);
        for (int i = 0; i < 20; i++)
            keys[i] = Vector512.Create(half[i], half[i]);
    }

    /// <summary>
    /// Blocks block0 on into output.Length Box-Muller normals (a multiple of 16), four blocks at a time: the eight
    /// pairs of a set side by side through <see cref="BoxMuller"/>'s operations on eight lanes (VectorMath's functions
    /// give every lane Fn's bits, VectorMathTests), then into element order. The scalar path made a block and two
    /// pairs at a time: 275 -> 90 us for the model's 20,000 normals (2 threads, the Zen 3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Normals256(ulong seed, uint stream, uint step, uint block0, Span<float> output)
    {
        Span<Vector256<ulong>> keys = stackalloc Vector256<ulong>[20];
        RoundKeys(seed, keys);
        for (int g = 0; g < output.Length; g += 16, block0 += 4u)
        {
            var a = Set256.Of(block0, step, stream);
            for (int r = 0; r < 20; r += 2)
                a.Round(keys[r], keys[r + 1]);
            a.StoreNormals(output[g..]);
        }
    }

    /// <summary>
    /// Eight blocks' counters, word w of block j in the low half of 64-bit lane j of Cw; the high halves as in <see
    /// cref="Set256"/>, masked once when stored.
    /// </summary>
    struct Set512
    {
        Vector512<ulong> C0,
            C1,
            C2,
            C3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Set512 Of(uint block0, uint step, uint stream) =>
            new()
            {
                C0 = Vector512.Create(
                    (ulong)block0,
                    block0 + 1u,
                    block0 + 2u,
                    block0 + 3u,
                    block0 + 4u,
                    block0 + 5u,
                    block0 + 6u,
                    block0 + 7u
                ),
                C2 = Vector512.Create((ulong)step),
                C3 = Vector512.Create((ulong)stream),
            };

        /// <summary>One round of <see cref="Block"/> on every lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Round(Vector512<ulong> k0, Vector512<ulong> k1)
        {
            var p0 = Avx512F.Multiply(C0.AsUInt32(), Vector512.Create((ulong)M0).AsUInt32());
            var p1 = Avx512F.Multiply(C2.AsUInt32(), Vector512.Create((ulong)M1).AsUInt32());
            var n0 = (p1 >>> 32) ^ (C1 ^ k0);
            var n2 = (p0 >>> 32) ^ (C3 ^ k1);
            C0 = n0;
            C1 = p1;
            C2 = n2;
            C3 = p0;
        }

        // The unpacks leave blocks 0, 2, 4, 6 in the 128-bit lanes of l and 1, 3, 5, 7 in those of h; one two-source
        // permute per half interleaves them.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store(Span<float> output)
        {
            var lo = Vector512.Create(0xFFFF_FFFFul);
            var v = Unit(((C0 & lo) | (C2 << 32)).AsUInt32());
            var u = Unit(((C1 & lo) | (C3 << 32)).AsUInt32());
            var l = Avx512F.UnpackLow(v, u); // [block 0 | block 2 | block 4 | block 6]
            var h = Avx512F.UnpackHigh(v, u); // [block 1 | block 3 | block 5 | block 7]
            Avx512F
                .PermuteVar16x32x2(l, Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), h)
                .CopyTo(output);
            Avx512F
                .PermuteVar16x32x2(l, Vector512.Create(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), h)
                .CopyTo(output[16..]);
        }
    }

    /// <summary>
    /// Four blocks' counters, word w of block j in the low half of 64-bit lane j of Cw. Between rounds the high halves
    /// hold whatever the round left there: vpmuludq reads only the low halves, a right shift by 32 takes a product's
    /// high word whatever they hold, and the words are masked once when stored, where every round masked two products
    /// before (four of a round's ten instructions a set fewer; the same bits).
    /// </summary>
    struct Set256
    {
        Vector256<ulong> C0,
            C1,
            C2,
            C3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Set256 Of(uint block0, uint step, uint stream) =>
            new()
            {
                C0 = Vector256.Create((ulong)block0, block0 + 1u, block0 + 2u, block0 + 3u),
                C2 = Vector256.Create((ulong)step),
                C3 = Vector256.Create((ulong)stream),
            };

        /// <summary>One round of <see cref="Block"/> on every lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Round(Vector256<ulong> k0, Vector256<ulong> k1)
        {
            var p0 = Avx2.Multiply(C0.AsUInt32(), Vector256.Create((ulong)M0).AsUInt32());
            var p1 = Avx2.Multiply(C2.AsUInt32(), Vector256.Create((ulong)M1).AsUInt32());
            var n0 = (p1 >>> 32) ^ (C1 ^ k0);
            var n2 = (p0 >>> 32) ^ (C3 ^ k1);
            C0 = n0;
            C1 = p1;
            C2 = n2;
            C3 = p0;
        }

        /// <summary>Words 0 and 2 of each block as dwords [b0w0 b0w2 b1w0 b1w2 | b2w0 b2w2 b3w0 b3w2].</summary>
        readonly Vector256<uint> Words02 => ((C0 & Vector256.Create(0xFFFF_FFFFul)) | (C2 << 32)).AsUInt32();

        /// <summary>Words 1 and 3 of each block as dwords [b0w1 b0w3 b1w1 b1w3 | b2w1 ...].</summary>
        readonly Vector256<uint> Words13 => ((C1 & Vector256.Create(0xFFFF_FFFFul)) | (C3 << 32)).AsUInt32();

        /// <summary>
        /// <see cref="BoxMuller"/> on each block's pairs (w0, w1) and (w2, w3), in element order: for block j, r cos t
        /// and r sin t of its first pair, then of its second.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void StoreNormals(Span<float> output)
        {
            // Lanes [b0 pair 0, b0 pair 1, b1 pair 0, b1 pair 1 | b2 ..., b3 ...]: radius words w0, w2; angles w1, w3.
            // u is a uniform draw, a positive normal float, where LogPositiveNormal gives Log's bits.
            var radius = new Cpu.V256(Unit(Words02));
            var angle = new Cpu.V256(Unit(Words13));
            var r = Cpu.V256.Sqrt(Cpu.V256.Create(-2f) * Cpu.VectorMath.LogPositiveNormal(radius));
            var sin = Cpu.VectorMath.SinCos(Cpu.V256.Create(KernelConstants.TwoPi) * angle, out var cos);
            var f = (r * cos).Vector;
            var s = (r * sin).Vector;
            var l = Avx.UnpackLow(f, s); // [block 0 | block 2]
            var h = Avx.UnpackHigh(f, s); // [block 1 | block 3]
            Avx2.Permute2x128(l, h, 0x20).CopyTo(output);
            Avx2.Permute2x128(l, h, 0x31).CopyTo(output[8..]);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store(Span<float> output)
        {
            var v = Unit(Words02);
            var u = Unit(Words13);
            var l = Avx.UnpackLow(v, u); // [block 0 | block 2]
            var h = Avx.UnpackHigh(v, u); // [block 1 | block 3]
            Avx2.Permute2x128(l, h, 0x20).CopyTo(output);
            Avx2.Permute2x128(l, h, 0x31).CopyTo(output[8..]);
        }
    }

    static Vector512<float> Unit(Vector512<uint> x) =>
        (Vector512.ConvertToSingle((x >>> 8).AsInt32()) + Vector512.Create(0.5f))
        * Vector512.Create(5.9604644775390625e-8f);

    static Vector256<float> Unit(Vector256<uint> x) =>
        (Vector256.ConvertToSingle((x >>> 8).AsInt32()) + Vector256.Create(0.5f))
        * Vector256.Create(5.9604644775390625e-8f);

    /// <summary>
    /// The Box-Muller pair of two words: r cos t and r sin t, r = sqrt(-2 ln u(radius)), t = 2 pi u(angle). The one
    /// definition the CPU (<see cref="Normal"/>) and the device kernel both run.
    /// </summary>
    public static (float First, float Second) BoxMuller(uint radius, uint angle)
    {
        float r = MathF.Sqrt(-2f * Fn.Log(ToUnit(radius)));
        var (sin, cos) = Fn.SinCos(KernelConstants.TwoPi * ToUnit(angle));
        return (r * cos, r * sin);
    }

    /// <summary>
    /// Box-Muller normals: words (0,1) give elements 0 (cos) and 1 (sin) of a block, words (2,3) elements 2 and 3.
    /// </summary>
    public static void Normal(ulong seed, uint stream, uint step, int first, Span<float> output)
    {
        int i = 0;
        while (i < output.Length)
        {
            int e = first + i;
            // Whole blocks from an element that starts one, four at a time (AVX2), as Uniform's vector path.
            if ((e & 3) == 0 && Avx2.IsSupported && output.Length - i >= 16)
            {
                int n = (output.Length - i) / 16 * 16;
                Normals256(seed, stream, step, (uint)(e >> 2), output.Slice(i, n));
                i += n;
                continue;
            }
            var (a, b, c, d) = StreamBlock(seed, stream, step, (uint)(e >> 2));
            // One Box-Muller pair per two elements, made when its first element is written.
            int pair = -1;
            (float First, float Second) g = default;
            for (int w = e & 3; w < 4 && i < output.Length; w++, i++)
            {
                if (w >> 1 != pair)
                {
                    pair = w >> 1;
                    g = pair == 1 ? BoxMuller(c, d) : BoxMuller(a, b);
                }
                output[i] = (w & 1) == 0 ? g.First : g.Second;
            }
        }
    }
}
