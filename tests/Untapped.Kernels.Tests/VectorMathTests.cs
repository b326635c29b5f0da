using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Untapped.Kernels.Cpu;
using Untapped.Kernels.Ilgpu;
using Xunit;
using Xunit.Abstractions;

namespace Untapped.Kernels.Tests;

/// <summary>
/// The CPU backend's vector exp/log/tanh/sigmoid against double precision, in units in the last place.
/// </summary>
public sealed class VectorMathTests(ITestOutputHelper output)
{
    // Error in float ulps of the correctly rounded result; results that are denormal count in the smallest ulp.
    static double Ulps(float got, double exact)
    {
        if (double.IsNaN(exact))
            return float.IsNaN(got) ? 0 : double.PositiveInfinity;
        float r = (float)exact;
        if (float.IsInfinity(r))
            return got == r ? 0 : double.PositiveInfinity;
        double ulp = Math.Max(MathF.BitIncrement(MathF.Abs(r)) - MathF.Abs(r), float.Epsilon);
        return Math.Abs(got - exact) / ulp;
    }

    static IEnumerable<float> Sweep(float lo, float hi, int n)
    {
        for (int i = 0; i <= n; i++)
            yield return lo + (hi - lo) * i / n;
    }

    double MaxUlps<TOp>(string name, IEnumerable<float> xs, Func<double, double> exact)
        where TOp : struct, IUnaryOp
    {
        var x = xs.ToArray();
        var y = new float[x.Length];
        Elementwise.Map<TOp>(x, y);
        double worst = 0;
        float at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double u = Ulps(y[i], exact(x[i]));
            if (u > worst)
            {
                worst = u;
                at = x[i];
            }
            Assert.True(u <= 4, $"{name}({x[i]:R}) = {y[i]:R}, exact {exact(x[i]):R}: {u:F1} ulp");
        }
        output.WriteLine($"{name}: max {worst:F2} ulp at x = {at:R} over {x.Length} points");
        return worst;
    }

    static readonly float[] Specials =
    [
        0f,
        -0f,
        float.PositiveInfinity,
        float.NegativeInfinity,
        float.NaN,
        float.Epsilon,
        -float.Epsilon,
        float.MaxValue,
        float.MinValue,
        1e-30f,
        -1e-30f,
    ];

    [Fact]
    public void ExpIsWithinTwoUlps() =>
        Assert.True(
            MaxUlps<ExpOp>(
                "exp",
                Sweep(-110f, 89f, 400_001).Concat(Sweep(-1e-3f, 1e-3f, 10_001)).Concat(Specials),
                Math.Exp
            ) <= 2
        );

    [Fact]
    public void LogIsWithinTwoUlps()
    {
        var xs = Sweep(1e-6f, 10f, 400_001)
            .Concat(Sweep(0.9f, 1.1f, 100_001))
            .Concat(Enumerable.Range(-149, 277).Select(e => MathF.ScaleB(1.2345f, e)))
            .Concat(Specials);
        Assert.True(MaxUlps<LogOp>("log", xs, Math.Log) <= 2);
    }

    [Fact]
    public void TanhIsWithinThreeUlps() =>
        Assert.True(
            MaxUlps<TanhOp>(
                "tanh",
                Sweep(-12f, 12f, 400_001).Concat(Sweep(-1e-4f, 1e-4f, 10_001)).Concat(Specials),
                Math.Tanh
            ) <= 3
        );

    [Fact]
    public void SigmoidIsWithinThreeUlps() =>
        Assert.True(
            MaxUlps<SigmoidOp>("sigmoid", Sweep(-100f, 40f, 400_001).Concat(Specials), v => 1 / (1 + Math.Exp(-v))) <= 3
        );

    // log(1 + e^-|x|), the softplus tail of the Bernoulli log-likelihood; NaN in gives NaN out.
    [Fact]
    public void SoftplusTailIsWithinThreeUlps() =>
        Assert.True(
            MaxUlps<SoftplusTailOp>(
                "softplus tail",
                Sweep(-110f, 110f, 400_001).Concat(Sweep(-1e-3f, 1e-3f, 10_001)).Concat(Specials),
                v => double.IsNaN(v) ? double.NaN : Log1p(Math.Exp(-Math.Abs(v)))
            ) <= 3
        );

    // log(1 + e) in double without the rounding of 1 + e for small e.
    static double Log1p(double e) => e < 1e-4 ? e - e * e / 2 + e * e * e / 3 : Math.Log(1 + e);

    // The kernels run 16 lanes with AVX-512, 8 with AVX2 and 4 on the 128-bit path (Arm64 NEON, x86 without AVX2):
    // every lane does the same operations, so the width must not change a single bit (the ulp tests above cover
    // whichever width this CPU runs; CI reruns them with AVX-512 off and with 128-bit vectors).
    [Untapped.Tests.Avx512Fact]
    public void SixteenAndEightLanesGiveIdenticalBits() => SameBitsAs<V512>("16 lanes");

    [Fact]
    public void FourAndEightLanesGiveIdenticalBits() => SameBitsAs<V128>("4 lanes");

    // RowSum on AVX-512 computes its terms 16 at a time into the 8-lane accumulator (low half, then high half): the
    // 8-lane and 4-lane paths' bits for every row length up to 70 (every ragged tail) and the decoder's 784, with the
    // log-likelihood's term (an exp and a log per element, both forms) and rows holding NaN or infinite logits.
    [Untapped.Tests.Avx512Fact]
    public void RowSumsOnSixteenLanesGiveTheEightLaneBits()
    {
        var r = new Random(3);
        foreach (int d in Enumerable.Range(0, 71).Append(784))
        {
            for (int kind = 0; kind < 4; kind++)
            {
                float[] x = Enumerable.Range(0, d).Select(_ => r.NextSingle()).ToArray(),
                    l = Enumerable.Range(0, d).Select(_ => 60 * r.NextSingle() - 30).ToArray();
                if (d > 0 && kind >= 2)
                    l[r.Next(d)] = kind == 2 ? float.NaN : float.PositiveInfinity;
                var term = new CpuBackend.LogLikTerm(kind % 2 == 0);
                float wide = RowSum.OfWide(term, x, l),
                    eight = RowSum.Of<CpuBackend.LogLikTerm, V256>(term, x, l),
                    four = RowSum.Of<CpuBackend.LogLikTerm, V128>(term, x, l);
                Assert.True(
                    BitConverter.SingleToInt32Bits(wide) == BitConverter.SingleToInt32Bits(eight)
                        && BitConverter.SingleToInt32Bits(four) == BitConverter.SingleToInt32Bits(eight),
                    $"row of {d} (kind {kind}): 16 lanes {wide:R}, 8 lanes {eight:R}, 4 lanes {four:R}"
                );
            }
        }
    }

    // AVX-512 scales exp's result by vscalefps and splits log's argument by vgetmantps/vgetexpps, where the other widths
    // (and the device's scalar lane) use exact power-of-two factors and the exponent bits with subnormals rescaled:
    // every one of the 2^32 floats, NaNs and infinities included, must give the 8-lane bits (about 10 s of work).
    [Untapped.Tests.Avx512Fact]
    public void EveryFloatsExpAndLogOnSixteenLanesAreTheEightLaneBits()
    {
        const int chunk = 1 << 20;
        var bad = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, (int)(0x1_0000_0000L / chunk), c =>
        {
            float[] x = new float[chunk],
                a = new float[chunk],
                b = new float[chunk];
            for (int i = 0; i < chunk; i++)
                x[i] = BitConverter.Int32BitsToSingle(c * chunk + i);
            Check<ExpOp>("exp");
            Check<LogOp>("log");

            void Check<TOp>(string name)
                where TOp : struct, IUnaryOp
            {
                Elementwise.Map<TOp, V256>(x, a);
                Elementwise.Map<TOp, V512>(x, b);
                int i = MemoryMarshal.Cast<float, int>(a).CommonPrefixLength(MemoryMarshal.Cast<float, int>(b));
                if (i < chunk)
                    bad.Add($"{name}(bits {c * chunk + i:X8} = {x[i]:R}): 8 lanes {a[i]:R}, 16 lanes {b[i]:R}");
            }
        });
        Assert.True(bad.IsEmpty, string.Join("\n", bad.Take(10)));
    }

    readonly struct LogPositiveNormalOp : IUnaryOp
    {
        public static T Invoke<T>(T x)
            where T : struct, ISimd<T> => VectorMath.LogPositiveNormal(x);
    }

    // The relaxed Bernoulli sample takes LogPositiveNormal of u and 1 - u, which drops Log's special values and its
    // subnormal split: for every positive normal float (bits 0x00800000 to 0x7F7FFFFF, about 2.1e9 of them, a few
    // seconds) it must give Log's bits, on this machine's widest vector path; and on the device's scalar lane for every
    // 4099th of them.
    [Fact]
    public void LogOfAPositiveNormalFloatIsLogsBitsForEveryOne()
    {
        const int first = 0x0080_0000,
            last = 0x7F7F_FFFF,
            chunk = 1 << 20;
        var bad = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, (last - first) / chunk + 1, c =>
        {
            int lo = first + c * chunk,
                n = (int)Math.Min(chunk, (long)last - lo + 1);
            float[] x = new float[n],
                a = new float[n],
                b = new float[n];
            for (int i = 0; i < n; i++)
                x[i] = BitConverter.Int32BitsToSingle(lo + i);
            Elementwise.Map<LogOp>(x, a);
            Elementwise.Map<LogPositiveNormalOp>(x, b);
            int d = MemoryMarshal.Cast<float, int>(a).CommonPrefixLength(MemoryMarshal.Cast<float, int>(b));
            if (d < n)
                bad.Add($"log({x[d]:R}) = {a[d]:R}, LogPositiveNormal {b[d]:R}");
            for (int i = 0; i < n; i += 4099)
            {
                float lane = VectorMath.LogPositiveNormal(new Lane(x[i])).V;
                if (BitConverter.SingleToInt32Bits(lane) != BitConverter.SingleToInt32Bits(a[i]))
                    bad.Add($"log({x[i]:R}) = {a[i]:R}, LogPositiveNormal on one lane {lane:R}");
            }
        });
        Assert.True(bad.IsEmpty, string.Join("\n", bad.Take(10)));
    }

    // Exp without the bound its half-line cannot pass must give Exp's bits for every float on that half-line, NaNs and
    // the infinity included (2^31 floats each, a few seconds), on the widest path and, for every 4099th, on one lane.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExpOnAHalfLineIsExpsBitsForEveryFloatThere(bool negative)
    {
        const int chunk = 1 << 20;
        int sign = negative ? int.MinValue : 0;
        var bad = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, (int)((1L << 31) / chunk), c =>
        {
            float[] x = new float[chunk],
                a = new float[chunk],
                b = new float[chunk];
            for (int i = 0; i < chunk; i++)
                x[i] = BitConverter.Int32BitsToSingle(sign | (c * chunk + i));
            Elementwise.Map<ExpOp>(x, a);
            if (negative)
                Elementwise.Map<ExpNonPositiveOp>(x, b);
            else
                Elementwise.Map<ExpNonNegativeOp>(x, b);
            int d = MemoryMarshal.Cast<float, int>(a).CommonPrefixLength(MemoryMarshal.Cast<float, int>(b));
            if (d < chunk)
                bad.Add($"exp({x[d]:R}) = {a[d]:R}, on the half-line {b[d]:R}");
            for (int i = 0; i < chunk; i += 4099)
            {
                float lane = (
                    negative ? VectorMath.ExpNonPositive(new Lane(x[i])) : VectorMath.ExpNonNegative(new Lane(x[i]))
                ).V;
                if (BitConverter.SingleToInt32Bits(lane) != BitConverter.SingleToInt32Bits(a[i]))
                    bad.Add($"exp({x[i]:R}) = {a[i]:R}, on the half-line on one lane {lane:R}");
            }
        });
        Assert.True(bad.IsEmpty, string.Join("\n", bad.Take(10)));
    }

    readonly struct ExpNonPositiveOp : IUnaryOp
    {
        public static T Invoke<T>(T x)
            where T : struct, ISimd<T> => VectorMath.ExpNonPositive(x);
    }

    readonly struct ExpNonNegativeOp : IUnaryOp
    {
        public static T Invoke<T>(T x)
            where T : struct, ISimd<T> => VectorMath.ExpNonNegative(x);
    }

    // Every elementwise op on 8 lanes against T's lanes, over the ulp tests' sweep.
    static void SameBitsAs<T>(string lanes)
        where T : struct, ISimd<T>
    {
        var x = Sweep(-110f, 89f, 100_003).Concat(Sweep(1e-6f, 10f, 10_007)).Concat(Specials).ToArray();
        void Same<TOp>(string name)
            where TOp : struct, IUnaryOp
        {
            float[] a = new float[x.Length],
                b = new float[x.Length];
            Elementwise.Map<TOp, V256>(x, a);
            Elementwise.Map<TOp, T>(x, b);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]),
                    $"{name}({x[i]:R}): 8 lanes {a[i]:R}, {lanes} {b[i]:R}"
                );
            }
        }
        Same<ExpOp>("exp");
        Same<LogOp>("log");
        Same<TanhOp>("tanh");
        Same<SigmoidOp>("sigmoid");
        Same<SoftplusTailOp>("softplus tail");
        Same<SoftplusOp>("softplus");
        Same<OneMinusExpNegOp>("1 - e^-y");
        Same<SinOp>("sin");
        Same<CosOp>("cos");
    }

    [Fact]
    public void SoftplusIsWithinThreeUlps() =>
        Assert.True(
            MaxUlps<SoftplusOp>(
                "softplus",
                Sweep(-100f, 100f, 400_001).Concat(Sweep(-1e-3f, 1e-3f, 10_001)).Concat(Specials),
                v => double.IsNaN(v) ? double.NaN : Math.Max(v, 0) + Log1p(Math.Exp(-Math.Abs(v)))
            ) <= 3
        );

    // softplus' from its output y >= 0: 1 - e^-y, where the subtraction would cancel for small y.
    [Fact]
    public void OneMinusExpNegIsWithinThreeUlps() =>
        Assert.True(
            MaxUlps<OneMinusExpNegOp>(
                "1 - e^-y",
                Sweep(0f, 20f, 400_001).Concat(Sweep(0f, 1e-3f, 10_001)).Concat(Sweep(0.3f, 0.4f, 10_001)),
                v => v < 1e-4 ? v - v * v / 2 + v * v * v / 6 : 1 - Math.Exp(-v)
            ) <= 3
        );

    // The Box-Muller angle is 2 pi u, u in (0, 1): there sin and cos are within 2 ulps, or 2^-24 of the exact value
    // near their zeros (where a float angle itself is that far from the exact multiple of pi).
    [Fact]
    public void SinAndCosAreAccurateOverTheBoxMullerAngle()
    {
        var x = Sweep(0f, 2 * MathF.PI, 1_000_003).Concat(Sweep(-20f, 20f, 200_001)).ToArray();
        float[] s = new float[x.Length],
            c = new float[x.Length];
        Elementwise.Map<SinOp>(x, s);
        Elementwise.Map<CosOp>(x, c);
        double worstAbs = 0;
        for (int i = 0; i < x.Length; i++)
        {
            foreach (var (got, exact, name) in new[] { (s[i], Math.Sin(x[i]), "sin"), (c[i], Math.Cos(x[i]), "cos") })
            {
                double err = Math.Abs(got - exact);
                worstAbs = Math.Max(worstAbs, err);
                Assert.True(
                    Ulps(got, exact) <= 2 || err <= MathF.ScaleB(1f, -24),
                    $"{name}({x[i]:R}) = {got:R}, exact {exact:R}: {Ulps(got, exact):F1} ulp"
                );
            }
        }
        output.WriteLine($"sin/cos: max |error| {worstAbs:G3} over {x.Length} points");
    }

    // Fn's scalar functions (what the CPU's scalar code and ILGPU's CPU accelerator run: VectorMath on lane 0 of a
    // 128-bit vector) and their device form (DeviceMaths: VectorMath on one Lane, what ILGPU compiles for PTX and
    // OpenCL) are bit for bit the vector lanes of the widest path, over every 251st float bit pattern (17 million
    // values, each sign, exponent and much of the mantissa) and the specials.
    [Fact]
    public void ScalarFunctionsGiveTheVectorLanesBits()
    {
        var x = new List<float>(Specials);
        for (long b = 0; b <= uint.MaxValue; b += 251)
            x.Add(BitConverter.UInt32BitsToSingle((uint)b));
        var xs = x.ToArray();
        void Same<TOp>(string name, Func<float, float> scalar, Func<float, float> device)
            where TOp : struct, IUnaryOp
        {
            var v = new float[xs.Length];
            Elementwise.Map<TOp>(xs, v);
            for (int i = 0; i < xs.Length; i++)
            {
                int want = BitConverter.SingleToInt32Bits(v[i]);
                float f = scalar(xs[i]),
                    d = device(xs[i]);
                if (BitConverter.SingleToInt32Bits(f) != want)
                    Assert.Fail($"{name}({xs[i]:R}): scalar {f:R}, vector {v[i]:R}");
                if (BitConverter.SingleToInt32Bits(d) != want)
                    Assert.Fail($"{name}({xs[i]:R}): device form {d:R}, vector {v[i]:R}");
            }
        }
        Same<ExpOp>("exp", Fn.Exp, DeviceMaths.Exp);
        Same<LogOp>("log", Fn.Log, DeviceMaths.Log);
        Same<TanhOp>("tanh", Fn.Tanh, DeviceMaths.Tanh);
        Same<SigmoidOp>("sigmoid", Fn.Sigmoid, DeviceMaths.Sigmoid);
        Same<SoftplusOp>("softplus", Fn.Softplus, DeviceMaths.Softplus);
        Same<OneMinusExpNegOp>("1 - e^-y", y => Fn.ActGrad(y, Activation.Softplus), DeviceMaths.OneMinusExpNeg);
        Same<SinOp>("sin", x => Fn.SinCos(x).Sin, x => DeviceMaths.SinCos(x).Sin);
        Same<CosOp>("cos", x => Fn.SinCos(x).Cos, x => DeviceMaths.SinCos(x).Cos);
    }

    // Every Fn method that ILGPU redirects to DeviceMaths has its namesake there, with the same signature (Register
    // looks them up by name: a rename on one side would otherwise fail only when a device compiles a kernel).
    [Fact]
    public void EveryRedirectedFunctionHasItsDeviceForm()
    {
        const System.Reflection.BindingFlags Static =
            System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static;
        // Fn's intrinsics are Fma (ExactFma's code generators) and exactly the redirected functions.
        var intrinsics = typeof(Fn)
            .GetMethods(Static)
            .Where(m => m.IsDefined(typeof(ILGPU.IR.Intrinsics.IntrinsicImplementationAttribute), false))
            .Select(m => m.Name)
            .Where(n => n != nameof(Fn.Fma))
            .Order();
        Assert.Equal(DeviceMaths.Redirected.Order(), intrinsics);
        foreach (var name in DeviceMaths.Redirected)
        {
            var from = typeof(Fn).GetMethod(name, Static);
            var to = typeof(DeviceMaths).GetMethod(name, Static);
            Assert.NotNull(from);
            Assert.NotNull(to);
            Assert.Equal(from.ReturnType, to.ReturnType);
            Assert.Equal(
                from.GetParameters().Select(p => p.ParameterType),
                to.GetParameters().Select(p => p.ParameterType)
            );
            Assert.True(from.IsDefined(typeof(ILGPU.IR.Intrinsics.IntrinsicImplementationAttribute), false), name);
        }
    }

    [Fact]
    public void RaggedTailGetsTheSameBitsAsFullVectors()
    {
        var x = Sweep(-3f, 3f, 36).ToArray(); // 37 values: four vectors and a tail of five
        var whole = new float[x.Length];
        Elementwise.Map<TanhOp>(x, whole);
        var one = new float[1];
        for (int i = 0; i < x.Length; i++)
        {
            Elementwise.Map<TanhOp>([x[i]], one);
            Assert.Equal(whole[i], one[0]);
        }
        Elementwise.Map<TanhOp>(x, x); // in place
        Assert.Equal(whole, x);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.7f)]
    public void TwoPassesGiveTheOnePassBits(float tau)
    {
        // The relaxed sample as MapThen runs it (its logit, then the sigmoid, block by block) against the one-pass
        // composition, on lengths that end inside a vector, on a block's edge and inside a later block; then in place.
        var r = new Random(5);
        foreach (int n in new[] { 0, 5, Elementwise.ChainBlock, 2 * Elementwise.ChainBlock + 13 })
        {
            var l = Enumerable.Range(0, n).Select(_ => 30 * (r.NextSingle() - 0.5f)).ToArray();
            var u = Enumerable.Range(0, n).Select(_ => ((r.Next(1 << 24)) + 0.5f) / (1 << 24)).ToArray();
            float[] one = new float[n],
                two = new float[n];
            Elementwise.Map(new CpuBackend.RelaxedSampleOp(tau), l, u, one, bPad: 0.5f);
            Elementwise.MapThen<CpuBackend.RelaxedLogitOp, SigmoidOp>(new(tau), l, u, two, bPad: 0.5f);
            Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), two.Select(BitConverter.SingleToInt32Bits));
            Elementwise.MapThen<CpuBackend.RelaxedLogitOp, SigmoidOp>(new(tau), l, u, l, bPad: 0.5f);
            Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), l.Select(BitConverter.SingleToInt32Bits));
        }
    }
}

/// <summary>
/// The 128-bit path's exact FMA without an FMA instruction, against the instruction (MathF.FusedMultiplyAdd).
/// </summary>
public sealed class Fma128Tests
{
    [Fact]
    public void EmulatedFmaMatchesTheInstructionBitForBit()
    {
        var r = new Random(3);
        int n = 0;
        void Check(float a, float b, float c)
        {
            var got = Untapped
                .Kernels.Cpu.Fma128.Emulated(
                    System.Runtime.Intrinsics.Vector128.Create(a),
                    System.Runtime.Intrinsics.Vector128.Create(b),
                    System.Runtime.Intrinsics.Vector128.Create(c)
                )
                .ToScalar();
            float want = MathF.FusedMultiplyAdd(a, b, c);
            Assert.True(
                BitConverter.SingleToInt32Bits(got) == BitConverter.SingleToInt32Bits(want)
                    || (float.IsNaN(got) && float.IsNaN(want)),
                $"fma({a:R}, {b:R}, {c:R}): emulated {got:R}, instruction {want:R}"
            );
            n++;
        }
        float F() => (float)((r.NextDouble() * 2 - 1) * Math.Pow(2, r.Next(-30, 30)));
        for (int i = 0; i < 300_000; i++)
            Check(F(), F(), F());
        // Cancellation and ties, where a double-rounded sum would differ: c close to -a b, and a b + c halfway cases.
        for (int i = 0; i < 300_000; i++)
        {
            float a = F(),
                b = F();
            float p = a * b;
            Check(a, b, -p);
            Check(
                a,
                b,
                BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p) ^ (r.Next(2) << 31))
                    * MathF.ScaleB(1f, -r.Next(0, 30))
            );
            Check(
                1f + MathF.ScaleB(r.Next(1, 1 << 12), -23),
                1f + MathF.ScaleB(r.Next(1, 1 << 12), -23),
                MathF.ScaleB(r.Next(-8, 8), -r.Next(20, 50))
            );
        }
        foreach (
            var s in new[]
            {
                0f,
                -0f,
                float.PositiveInfinity,
                float.NegativeInfinity,
                float.NaN,
                float.MaxValue,
                float.Epsilon,
                1e-30f,
            }
        )
        {
            foreach (var t in new[] { 0f, -0f, 1f, -1f, float.MaxValue, float.Epsilon })
            {
                Check(s, t, 1f);
                Check(t, s, -0f);
                Check(1f, t, s);
            }
        }

        Assert.True(n > 1_000_000);
    }
}

/// <summary>1 - e^-y (<see cref="VectorMath.OneMinusExpNeg"/>).</summary>
readonly struct OneMinusExpNegOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.OneMinusExpNeg(x);
}

/// <summary>sin x (<see cref="VectorMath.SinCos"/>).</summary>
readonly struct SinOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T> => VectorMath.SinCos(x, out _);
}

/// <summary>cos x (<see cref="VectorMath.SinCos"/>).</summary>
readonly struct CosOp : IUnaryOp
{
    public static T Invoke<T>(T x)
        where T : struct, ISimd<T>
    {
        VectorMath.SinCos(x, out var c);
        return c;
    }
}
