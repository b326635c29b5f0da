using System.Runtime.CompilerServices;

namespace Untapped.Kernels;

/// <summary>
/// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11), the counter-based generator behind every random
/// draw. The managed twin of prelude.h's philox4x32_10: element i of a stream is word i%4 of block i/4
/// with counter {i/4, 0, step, stream} and key {seed low, seed high}, so any backend draws the same bits.
/// </summary>
public static class Philox
{
    const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    /// <summary>Ten rounds over one 4-word counter with a 2-word key.</summary>
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int r = 0; r < 10; r++)
        {
            if (r > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c0 = n0; c1 = (uint)p1; c2 = n2; c3 = (uint)p0;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>24 random bits to a float strictly inside (0,1): ((x &gt;&gt; 8) + 0.5) 2^-24, exact in float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUnit(uint x) => ((x >> 8) + 0.5f) * 5.9604644775390625e-8f;

    /// <summary>The four raw words of block <paramref name="block"/> of a stream.</summary>
    public static (uint, uint, uint, uint) StreamBlock(ulong seed, uint stream, uint step, uint block) =>
        Block(block, 0u, step, stream, (uint)seed, (uint)(seed >> 32));

    /// <summary>Fills <paramref name="output"/> with U(0,1) draws, elements [first, first+len) of the stream.</summary>
    public static void Uniform(ulong seed, uint stream, uint step, int first, Span<float> output)
    {
        // One block per four elements: each block is computed once and its words spread out.
        for (int i = 0; i < output.Length;)
        {
            int e = first + i;
            var (a, b, c, d) = StreamBlock(seed, stream, step, (uint)(e >> 2));
            for (int w = e & 3; w < 4 && i < output.Length; w++, i++)
                output[i] = ToUnit(w switch { 0 => a, 1 => b, 2 => c, _ => d });
        }
    }

    /// <summary>Box-Muller normals: words (0,1) give elements 0 (cos) and 1 (sin) of a block, words (2,3) elements 2 and 3.</summary>
    public static void Normal(ulong seed, uint stream, uint step, int first, Span<float> output)
    {
        for (int i = 0; i < output.Length;)
        {
            int e = first + i;
            var (a, b, c, d) = StreamBlock(seed, stream, step, (uint)(e >> 2));
            for (int w = e & 3; w < 4 && i < output.Length; w++, i++)
            {
                bool second = w >= 2;
                float r = MathF.Sqrt(-2f * MathF.Log(ToUnit(second ? c : a)));
                float t = 6.2831853071795865f * ToUnit(second ? d : b);
                output[i] = (w & 1) == 0 ? r * MathF.Cos(t) : r * MathF.Sin(t);
            }
        }
    }
}
