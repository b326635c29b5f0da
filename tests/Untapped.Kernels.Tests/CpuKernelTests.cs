using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

public sealed class CpuKernelTests
{
    // Random123's kat_vectors, philox4x32 10: counter, key -> output.
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(
        0xffffffffu,
        0xffffffffu,
        0xffffffffu,
        0xffffffffu,
        0xffffffffu,
        0xffffffffu,
        0x408f276du,
        0x41c83b0eu,
        0xa20bc7c6u,
        0x6d5451fdu
    )]
    [InlineData(
        0x243f6a88u,
        0x85a308d3u,
        0x13198a2eu,
        0x03707344u,
        0xa4093822u,
        0x299f31d0u,
        0xd16cfe09u,
        0x94fdccebu,
        0x5001e420u,
        0x24126ea1u
    )]
    public void PhiloxMatchesRandom123KnownAnswers(
        uint c0,
        uint c1,
        uint c2,
        uint c3,
        uint k0,
        uint k1,
        uint e0,
        uint e1,
        uint e2,
        uint e3
    ) => Assert.Equal((e0, e1, e2, e3), Philox.Block(c0, c1, c2, c3, k0, k1));

    [Fact]
    public void PhiloxUniformIsTheDocumentedWordOfTheStream()
    {
        using var cpu = new CpuBackend(2);
        using var o = cpu.Allocate(10);
        cpu.PhiloxUniform(new(0xAAAA_BBBB_0000_0001UL, 5, 9), 10, o);
        var got = cpu.ToArray(o);
        var (w0, w1, w2, w3) = Philox.Block(2, 0, 9, 5, 0x0000_0001u, 0xAAAA_BBBBu); // element 9 = word 1 of block 2
        Assert.Equal(Philox.ToUnit(w1), got[9]);
        Assert.All(got, v => Assert.InRange(v, float.Epsilon, 1f - 1e-8f));
        _ = (w0, w2, w3);
    }

    // A fill from draw 1003 (a fused epilogue's block of rows): output[i] is draw 1003 + i, word (1003 + i) % 4 of
    // block (1003 + i) / 4, computed here from the block function; the normal's pairs equal the whole fill's.
    [Fact]
    public void PhiloxFillsFromAnOffsetDrawTheStreamThere()
    {
        using var cpu = new CpuBackend(2);
        using var o = cpu.Allocate(998);
        using var whole = cpu.Allocate(2001);
        var key = new PhiloxStream(0xAAAA_BBBB_0000_0001UL, 5, 9);
        cpu.PhiloxUniform(key, 998, o, first: 1003);
        var got = cpu.ToArray(o);
        for (int i = 0; i < got.Length; i++)
        {
            int e = 1003 + i;
            var (w0, w1, w2, w3) = Philox.Block((uint)(e / 4), 0, 9, 5, 0x0000_0001u, 0xAAAA_BBBBu);
            Assert.Equal(
                Philox.ToUnit(
                    (e % 4) switch
                    {
                        0 => w0,
                        1 => w1,
                        2 => w2,
                        _ => w3,
                    }
                ),
                got[i]
            );
        }
        cpu.PhiloxNormal(key, 998, o, first: 1003);
        cpu.PhiloxNormal(key, 2001, whole);
        Assert.Equal(cpu.ToArray(whole)[1003..], cpu.ToArray(o));
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.PhiloxUniform(key, 10, o.View.Slice(0, 10), first: -1));
    }

    // The vector paths (AVX-512: eight blocks per instruction, AVX2: four, transposed into element order) against one
    // scalar block per element, at every alignment of the first element and lengths around the 16-, 32- and 128-draw
    // groups and runs of several groups.
    [Fact]
    public void PhiloxUniformVectorPathMatchesScalarBlocks()
    {
        const ulong seed = 0x0123_4567_89AB_CDEFUL;
        foreach (int first in new[] { 0, 1, 2, 3, 4, 5, 15, 16, 17, 1 << 20 })
        {
            foreach (int len in new[] { 1, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 130, 513, 1000 })
            {
                var got = new float[len];
                Philox.Uniform(seed, 3, 11, first, got);
                for (int i = 0; i < len; i++)
                {
                    int e = first + i;
                    var (a, b, c, d) = Philox.StreamBlock(seed, 3, 11, (uint)(e >> 2));
                    Assert.Equal(
                        Philox.ToUnit(
                            (e & 3) switch
                            {
                                0 => a,
                                1 => b,
                                2 => c,
                                _ => d,
                            }
                        ),
                        got[i]
                    );
                }
            }
        }
    }

    // The AVX2 normals (eight Box-Muller pairs per vector, transposed into element order) against BoxMuller on one
    // scalar block's words per element, bit for bit, at every alignment of the first element and lengths around the
    // 16-normal groups and runs of several.
    [Fact]
    public void PhiloxNormalVectorPathMatchesScalarBoxMuller()
    {
        const ulong seed = 0xFEDC_BA98_7654_3210UL;
        foreach (int first in new[] { 0, 1, 2, 3, 4, 15, 16, 17, 1 << 20 })
        {
            foreach (int len in new[] { 1, 3, 15, 16, 17, 31, 32, 33, 100, 1000 })
            {
                var got = new float[len];
                Philox.Normal(seed, 5, 9, first, got);
                for (int i = 0; i < len; i++)
                {
                    int e = first + i;
                    var (a, b, c, d) = Philox.StreamBlock(seed, 5, 9, (uint)(e >> 2));
                    var (f, s) = (e & 2) == 0 ? Philox.BoxMuller(a, b) : Philox.BoxMuller(c, d);
                    float want = (e & 1) == 0 ? f : s;
                    Assert.True(
                        BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got[i]),
                        $"first {first}, length {len}, element {e}: {got[i]:R}, scalar {want:R}"
                    );
                }
            }
        }
    }

    // The original form is computed as x lc - softplus(lc) with the logits clamped to +-ln(99999); here it is checked
    // against the authors' literal formula in double precision: m = clip(sigmoid l, 1e-5, 1 - 1e-5),
    // logp = sum x log m + (1-x) log(1-m); dlogits = x - m strictly inside the clip, else 0; dx = log m - log(1-m).
    [Fact]
    public void OriginalBernoulliFormMatchesTheLiteralClippedFormula()
    {
        const int m = 23,
            d = 333;
        var r = new Random(9);
        var x = Gen.Uniform(r, m * d, 0, 1);
        for (int i = 0; i < x.Length; i += 3)
            x[i] = MathF.Round(x[i]);
        var l = Gen.Uniform(r, m * d, -25, 25); // a third of the logits lie beyond the clip
        var g = Gen.Uniform(r, m);
        using var cpu = new CpuBackend(2);
        using var X = cpu.Upload(x);
        using var L = cpu.Upload(l);
        using var G = cpu.Upload(g);
        using var O = cpu.Allocate(m);
        using var DL = cpu.Allocate(m * d);
        using var DX = cpu.Allocate(m * d);
        cpu.BernoulliLogLik(X, L, m, d, BernoulliForm.Original, O);
        cpu.Fill(m * d, float.NaN, DL); // overwritten, so the old contents must not leak
        cpu.BernoulliLogLikBackward(X, L, G, m, d, BernoulliForm.Original, false, DL, DX);
        var (o, dl, dx) = (cpu.ToArray(O), cpu.ToArray(DL), cpu.ToArray(DX));
        for (int row = 0; row < m; row++)
        {
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                int i = row * d + j;
                double sg = 1 / (1 + Math.Exp(-(double)l[i])),
                    mm = Math.Clamp(sg, 1e-5, 1 - 1e-5);
                s += x[i] * Math.Log(mm) + (1 - x[i]) * Math.Log(1 - mm);
                double inside = sg > 1e-5 && sg < 1 - 1e-5 ? x[i] - mm : 0;
                Assert.True(
                    Math.Abs(dl[i] - g[row] * inside) <= 1e-6 + 1e-5 * Math.Abs(g[row] * inside),
                    $"dlogits[{i}] (l = {l[i]})"
                );
                double dxe = g[row] * (Math.Log(mm) - Math.Log(1 - mm));
                Assert.True(
                    Math.Abs(dx[i] - dxe) <= 1e-5 + 1e-5 * Math.Abs(dxe),
                    $"dx[{i}] = {dx[i]}, expected {dxe} (l = {l[i]})"
                );
            }
            Assert.True(Math.Abs(o[row] - s) <= 1e-5 * Math.Abs(s) + 1e-3, $"logp[{row}] = {o[row]}, expected {s}");
        }
    }

    [Fact]
    public void PhiloxDrawsHaveTheRightMoments()
    {
        using var cpu = new CpuBackend();
        const int n = 200_000;
        using var u = cpu.Allocate(n);
        using var z = cpu.Allocate(n);
        cpu.PhiloxUniform(new(7, 1, 0), n, u);
        cpu.PhiloxNormal(new(7, 2, 0), n, z);
        var ua = cpu.ToArray(u);
        var za = cpu.ToArray(z);
        Assert.InRange(ua.Average(), 0.497, 0.503);
        Assert.InRange(za.Average(), -0.01, 0.01);
        Assert.InRange(za.Select(x => (double)x * x).Average(), 0.98, 1.02);
    }

    [Theory]
    [MemberData(nameof(CaseNames.All), MemberType = typeof(CaseNames))]
    public void ResultsAreBitwiseIdenticalForAnyThreadCount(string kernel)
    {
        var c = OpCases.Get(CaseSize.Test, kernel);
        using var one = new CpuBackend(1);
        using var three = new CpuBackend(3);
        var a = OpCases.Execute(c, one);
        var b = OpCases.Execute(c, three);
        foreach (var o in c.Outputs)
            Assert.Equal(a[o], b[o]);
    }

    // The period promise changes how the managed CPU computes (tables of the first period's logits, no exp or log per
    // element) and not what: each kernel gives the bits of the same call without it, where every element computes its
    // own. The data are the periodic cases' (each form's edges in the period, x in [0, 1]); the calls run on the whole
    // 37 rows, on rows 3.. (a block that starts mid-period, as an epilogue's does), with a 1-row period, and with a
    // period past the rows (no promise at all), on one thread and three.
    [Theory]
    [InlineData(BernoulliForm.Original, 1)]
    [InlineData(BernoulliForm.Original, 3)]
    [InlineData(BernoulliForm.Exact, 1)]
    [InlineData(BernoulliForm.Exact, 3)]
    public void PeriodicLogitsGiveTheBitsOfEveryElementComputingItsOwn(BernoulliForm form, int threads)
    {
        var data = OpCases.DataOf(OpCases.Get(CaseSize.Test, $"bernoulli_loglik_periodic_{form}"));
        const int m = 37,
            d = 301,
            p = 5;
        var r = new Random(9);
        float[] x = data["x"],
            l = data["l"],
            u = Gen.Uniform(r, m * d, 0.001f, 0.999f),
            g = Gen.Uniform(r, m),
            dl0 = Gen.Uniform(r, m * d),
            dx0 = Gen.Uniform(r, m * d);
        var oneRow = Gen.Tiled(l[..d], m * d);
        Assert.Contains(l[..(p * d)], float.IsNaN); // the edges are in the period
        using var cpu = new CpuBackend(threads);
        foreach (var (logits, period, r0) in new[] { (l, p, 0), (l, p, 3), (oneRow, 1, 0), (l, m, 0), (l, 2 * m, 0) })
        {
            int rows = m - r0;
            using var X = cpu.Upload(x.AsSpan(r0 * d));
            using var L = cpu.Upload(logits.AsSpan(r0 * d));
            using var U = cpu.Upload(u.AsSpan(r0 * d));
            using var G = cpu.Upload(g.AsSpan(r0));
            float[] Run(int promise, Action<View, View, View, View, int> call)
            {
                using var o1 = cpu.Upload(dl0.AsSpan(r0 * d));
                using var o2 = cpu.Upload(dx0.AsSpan(r0 * d));
                using var o3 = cpu.Allocate(rows);
                call(o1, o2, o3, default, promise);
                return [.. cpu.ToArray(o1), .. cpu.ToArray(o2), .. cpu.ToArray(o3)];
            }
            var calls = new (string Name, Action<View, View, View, View, int> Call)[]
            {
                ("loglik", (_, _, o, _, q) => cpu.BernoulliLogLik(X, L, rows, d, form, o, q)),
                ("backward add", (dl, dx, _, _, q) =>
                    cpu.BernoulliLogLikBackward(X, L, G, rows, d, form, true, dl, dx, q)
                ),
                ("backward overwrite", (dl, _, _, _, q) =>
                    cpu.BernoulliLogLikBackward(X, L, G, rows, d, form, false, dl, default, q)
                ),
                ("hard sample", (o, _, _, _, q) => cpu.BernoulliSample(L, U, rows * d, 1f, false, form, o, q * d)),
            };
            foreach (var (name, call) in calls)
            {
                var whole = Run(0, call);
                var periodic = Run(period, call);
                int differ = Enumerable
                    .Range(0, whole.Length)
                    .Count(i =>
                        BitConverter.SingleToInt32Bits(whole[i]) != BitConverter.SingleToInt32Bits(periodic[i])
                    );
                Assert.True(differ == 0, $"{name}, period {period} from row {r0}: {differ} elements differ");
            }
        }
    }

    // The folded logits gradient is the whole-row gradient folded afterwards, bit for bit: BernoulliLogLikBackward
    // overwriting whole rows, then FoldRows (itself checked against the devices by its cases); accumulating adds the
    // fold to the old contents. Each form's edges are in the period (the periodic cases' data).
    [Theory]
    [InlineData(BernoulliForm.Original, false)]
    [InlineData(BernoulliForm.Original, true)]
    [InlineData(BernoulliForm.Exact, false)]
    [InlineData(BernoulliForm.Exact, true)]
    public void FoldedLogLikGradientIsTheWholeRowGradientFolded(BernoulliForm form, bool accumulate)
    {
        var data = OpCases.DataOf(OpCases.Get(CaseSize.Test, $"bernoulli_loglik_periodic_{form}"));
        const int m = 37,
            d = 301,
            p = 5;
        var r = new Random(11);
        var g = Gen.Uniform(r, m);
        var old = Gen.Uniform(r, p * d);
        using var cpu = new CpuBackend(2);
        using var X = cpu.Upload(data["x"]);
        using var L = cpu.Upload(data["l"]);
        using var G = cpu.Upload(g);
        using var Whole = cpu.Allocate(m * d);
        using var Folded = cpu.Allocate(p * d);
        using var Fused = cpu.Upload(accumulate ? old : Enumerable.Repeat(float.NaN, p * d).ToArray());
        cpu.BernoulliLogLikBackward(X, L, G, m, d, form, false, Whole, default);
        cpu.FoldRows(Whole, m, d, p, Folded);
        cpu.BernoulliLogLikBackwardFolded(X, L, G, m, d, form, p, accumulate, Fused);
        var expected = cpu.ToArray(Folded);
        if (accumulate)
            expected = [.. old.Zip(expected, (o, f) => o + f)];
        if (form == BernoulliForm.Exact)
            Assert.Contains(expected, float.IsNaN); // the NaN logit's column (the clipped form passes no gradient there)
        Assert.Equal(
            expected.Select(BitConverter.SingleToInt32Bits),
            cpu.ToArray(Fused).Select(BitConverter.SingleToInt32Bits)
        );
    }

    // The log-likelihood and its logits' gradient in one pass (the decoder epilogue's, sharing each logit's exp) are the
    // bits of BernoulliLogLik and an overwriting BernoulliLogLikBackward, on every vector width this CPU has (16 lanes
    // through RowSum's wide path, 8, 4), with each form's edges in the logits (NaN, infinities, the clip exactly and
    // just inside it) and a ragged row (301 = 37 x 8 + 5). The gradient's old contents are NaN and must not leak.
    [Theory]
    [InlineData(BernoulliForm.Original)]
    [InlineData(BernoulliForm.Exact)]
    public void TheLogLikelihoodAndItsGradientInOnePassAreTheTwoKernelsBits(BernoulliForm form)
    {
        var data = OpCases.DataOf(OpCases.Get(CaseSize.Test, $"bernoulli_loglik_periodic_{form}"));
        const int m = 37,
            d = 301;
        var g = Gen.Uniform(new Random(5), m);
        using var cpu = new CpuBackend(2);
        using var X = cpu.Upload(data["x"]);
        using var L = cpu.Upload(data["l"]);
        using var G = cpu.Upload(g);
        using var LogpApart = cpu.Allocate(m);
        using var DlApart = cpu.Upload(Enumerable.Repeat(float.NaN, m * d).ToArray());
        using var Logp = cpu.Allocate(m);
        using var Dl = cpu.Upload(Enumerable.Repeat(float.NaN, m * d).ToArray());
        cpu.BernoulliLogLik(X, L, m, d, form, LogpApart);
        cpu.BernoulliLogLikBackward(X, L, G, m, d, form, false, DlApart, default);
        cpu.BernoulliLogLikAndGrad(X, L, G, m, d, form, Logp, Dl);
        int[] Bits(float[] v) => [.. v.Select(BitConverter.SingleToInt32Bits)];
        float[] logp = cpu.ToArray(LogpApart),
            dl = cpu.ToArray(DlApart);
        Assert.Equal(Bits(logp), Bits(cpu.ToArray(Logp)));
        Assert.Equal(Bits(dl), Bits(cpu.ToArray(Dl)));
        Assert.Contains(dl, v => v != 0 && float.IsFinite(v));
        if (form == BernoulliForm.Exact)
            Assert.Contains(dl, float.IsNaN); // the NaN logit's (the clipped form passes no gradient there)
        // Each width's row function, called directly (the backend runs only the widest).
        // The rows' first pass, e = e^-|lc| (elementwise: every width's bits, VectorMathTests).
        bool clip = form == BernoulliForm.Original;
        var e = new float[m * d];
        Elementwise.Map(new CpuBackend.ExpOfClipOp(new(clip)), data["l"], data["l"], e);
        float Row<T>(int r, float[] o)
            where T : struct, ISimd<T> =>
            RowSum.Of<CpuBackend.LogLikGradTerm, T>(
                new(clip, g[r]),
                data["x"].AsSpan(r * d, d),
                data["l"].AsSpan(r * d, d),
                e.AsSpan(r * d, d),
                o
            );
        float Wide(int r, float[] o) =>
            RowSum.OfWide(
                new CpuBackend.LogLikGradTerm(clip, g[r]),
                data["x"].AsSpan(r * d, d),
                data["l"].AsSpan(r * d, d),
                e.AsSpan(r * d, d),
                o
            );
        var paths = new List<(string, Func<int, float[], float>)> { ("4 lanes", Row<V128>) };
        if (Lanes.Has256)
            paths.Add(("8 lanes", Row<V256>));
        if (Lanes.Wide)
            paths.Add(("16 lanes", Wide));
        foreach (var (name, row) in paths)
        {
            for (int r = 0; r < m; r++)
            {
                var o = Enumerable.Repeat(float.NaN, d).ToArray();
                Assert.True(
                    BitConverter.SingleToInt32Bits(row(r, o)) == BitConverter.SingleToInt32Bits(logp[r]),
                    $"{name}, row {r}: logp"
                );
                Assert.True(Bits(o).SequenceEqual(Bits(dl[(r * d)..((r + 1) * d)])), $"{name}, row {r}: dlogits");
            }
        }
    }

    // Overwriting (the first write of a gradient) ignores NaN contents and writes zeros where the distance is 0:
    // the same numbers as adding into zeros.
    [Fact]
    public void L2DistanceBackwardOverwriteEqualsAddingIntoZeros()
    {
        const int m = 37,
            d = 53;
        var r = new Random(4);
        var a = Gen.Uniform(r, m * d);
        var b = Gen.Uniform(r, m * d);
        var g = Gen.Uniform(r, m);
        var n = Enumerable.Range(0, m).Select(i => i % 4 == 0 ? 0f : 0.5f + i).ToArray();
        using var cpu = new CpuBackend(2);
        using var A = cpu.Upload(a);
        using var B = cpu.Upload(b);
        using var G = cpu.Upload(g);
        using var N = cpu.Upload(n);
        using var Added = cpu.Allocate(m * d);
        using var Written = cpu.Allocate(m * d);
        cpu.Fill(m * d, 0f, Added);
        cpu.Fill(m * d, float.NaN, Written);
        cpu.L2DistanceBackward(A, B, N, G, m, d, true, Added);
        cpu.L2DistanceBackward(A, B, N, G, m, d, false, Written);
        var (added, written) = (cpu.ToArray(Added), cpu.ToArray(Written));
        Assert.All(written, v => Assert.True(float.IsFinite(v)));
        Close.All(added, written, 0f, 0f, "l2 backward overwrite");
        Assert.Equal(0f, written[0]);
        Assert.NotEqual(0f, written[d]);
    }

    [Fact]
    public void GemmMatchesNaiveDoubleProduct()
    {
        var r = new Random(3);
        int m = 131,
            k = 517,
            n = 45;
        var a = Gen.Uniform(r, k * m);
        var b = Gen.Uniform(r, n * k);
        var bias = Gen.Uniform(r, n);
        using var cpu = new CpuBackend(2);
        using var A = cpu.Upload(a);
        using var B = cpu.Upload(b);
        using var Bi = cpu.Upload(bias);
        using var C = cpu.Allocate(m * n);
        cpu.Gemm(A, B, Bi, m, k, n, transA: true, transB: true, Activation.Tanh, false, C);
        var c = cpu.ToArray(C);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = bias[j];
                for (int t = 0; t < k; t++)
                    s += (double)a[t * m + i] * b[j * k + t];
                expected[i * n + j] = (float)Math.Tanh(s);
            }
        }

        Close.All(expected, c, 1e-5f, 1e-4f, "gemm_tt");
    }

    // Both loop nests (B packed whole vs per K block) on every transpose case, with bias, tanh and accumulation,
    // K spanning several blocks and ragged M/N edges: identical bits for 1 and 3 threads and for either schedule,
    // and within float rounding of a double-precision product.
    // n = 10 takes the 16-wide panels (12 x 16 tile) on AVX-512 machines.
    [Theory]
    [InlineData(false, false, 45)]
    [InlineData(false, true, 45)]
    [InlineData(true, false, 45)]
    [InlineData(true, true, 45)]
    [InlineData(false, false, 10)]
    [InlineData(false, true, 10)]
    [InlineData(true, false, 10)]
    [InlineData(true, true, 10)]
    // n = 48: a whole 32-wide panel then exactly 16 columns, which the 12 x 16 tile writes in place on AVX-512.
    [InlineData(false, false, 48)]
    [InlineData(true, false, 48)]
    // m = 263: a K block of transposed A (256 x 263 floats) outgrows the 256 KiB the 6-row paths read in place, so
    // the deep schedule packs it (AVX2 and 128-bit; CI reruns these tests on both).
    [InlineData(true, false, 45, 263)]
    [InlineData(true, true, 10, 263)]
    public void GemmSchedulesAgreeBitwiseAndMatchDoubleProduct(bool transA, bool transB, int n, int m = 77)
    {
        var r = new Random(5);
        int k = 701; // the last K block 189 deep: packers' vector loops and their scalar tails
        var a = Gen.Uniform(r, m * k);
        var b = Gen.Uniform(r, k * n);
        var bias = Gen.Uniform(r, n);
        var c0 = Gen.Uniform(r, m * n);
        var results = new List<float[]>();
        foreach (var schedule in new[] { CpuGemm.Schedule.Tall, CpuGemm.Schedule.Deep })
        {
            foreach (int threads in new[] { 1, 3 })
            {
                results.Add(
                    RunGemm(
                        threads,
                        schedule,
                        a,
                        b,
                        bias,
                        c0,
                        m,
                        k,
                        n,
                        transA,
                        transB,
                        Activation.Tanh,
                        accumulate: true
                    )
                );
            }
        }

        foreach (var other in results.Skip(1))
            Assert.Equal(results[0], other);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = c0[i * n + j] + bias[j];
                for (int t = 0; t < k; t++)
                    s += (double)a[transA ? t * m + i : i * k + t] * b[transB ? j * k + t : t * n + j];
                expected[i * n + j] = (float)Math.Tanh(s);
            }
        }

        Close.All(expected, results[0], 1e-5f, 1e-4f, "gemm schedules");
    }

    // Adam a vector at a time gives each element the bits of the documented scalar update (docs/model.md §5), written
    // out here in plain float C#: the global-norm clip (active: norm 10 > 5, and off), the value clip (NaN stays NaN,
    // infinities clamp), m, v, then p -= stepSize m / (sqrt(v) + eps), no fused multiply-add. 1031 elements: whole
    // vectors of every width and a scalar tail.
    [Theory]
    [InlineData(5f, 1f)]
    [InlineData(0f, 0f)]
    public void AdamOnVectorsGivesTheScalarUpdatesBits(float clipNorm, float clipValue)
    {
        const int n = 1031;
        var r = new Random(17);
        var p = Gen.Uniform(r, n);
        var g = Gen.Uniform(r, n);
        var m = Gen.Uniform(r, n);
        var v = Gen.Uniform(r, n);
        for (int i = 0; i < n; i++)
        {
            g[i] *= 3f;
            v[i] = Math.Abs(v[i]);
        }
        g[3] = float.NaN;
        g[20] = float.PositiveInfinity;
        g[1030] = float.NegativeInfinity;
        v[7] = 0f;
        var partials = new float[Backend.NormPartials];
        partials[0] = 60f;
        partials[Backend.NormPartials - 1] = 40f;
        var step = AdamStep.At(3, 0.01, 0.9, 0.999, 1e-4, clipNorm, clipValue);
        float norm = MathF.Sqrt(partials.Sum()),
            b1 = step.Beta1,
            b2 = step.Beta2;
        var (ep, em, ev) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
        for (int i = 0; i < n; i++)
        {
            float gi = g[i];
            if (clipNorm > 0f && norm > clipNorm)
                gi *= clipNorm / norm;
            if (clipValue > 0f && !float.IsNaN(gi))
                gi = MathF.Min(MathF.Max(gi, -clipValue), clipValue);
            em[i] = b1 * em[i] + (1f - b1) * gi;
            ev[i] = b2 * ev[i] + (1f - b2) * gi * gi;
            ep[i] -= step.StepSize * em[i] / (MathF.Sqrt(ev[i]) + step.Eps);
        }

        using var cpu = new CpuBackend(3);
        using var P = cpu.Upload(p);
        using var G = cpu.Upload(g);
        using var M = cpu.Upload(m);
        using var V = cpu.Upload(v);
        using var Pa = cpu.Upload(partials);
        cpu.Adam(Pa, n, step, P, G, M, V);
        static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();
        Assert.Equal(Bits(ep), Bits(cpu.ToArray(P)));
        Assert.Equal(Bits(em), Bits(cpu.ToArray(M)));
        Assert.Equal(Bits(ev), Bits(cpu.ToArray(V)));
        Assert.True(float.IsNaN(cpu.ToArray(P)[3]), "a NaN gradient's parameter stays NaN");
    }

    // C after CpuGemm.Run on a fresh backend of the given threads, schedule forced, C starting as c0.
    static float[] RunGemm(
        int threads,
        CpuGemm.Schedule schedule,
        float[] a,
        float[] b,
        float[] bias,
        float[] c0,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate
    )
    {
        using var cpu = new CpuBackend(threads);
        using var A = cpu.Upload(a);
        using var B = cpu.Upload(b);
        using var Bi = cpu.Upload(bias);
        using var C = cpu.Upload(c0);
        CpuGemm.Run(
            cpu,
            CpuBackend.A(A),
            CpuBackend.A(B),
            CpuBackend.A(Bi),
            m,
            k,
            n,
            transA,
            transB,
            act,
            accumulate,
            CpuBackend.A(C),
            schedule
        );
        return cpu.ToArray(C);
    }

    // The order every backend promises (docs/design.md): each C element is C (or nothing, when overwriting), plus
    // each K block of GemmKBlock summed from zero as one FMA chain in k order, plus the bias. Written here as plain
    // scalar C# with MathF.FusedMultiplyAdd (BlockedFmaChain), it must give the GEMM's bits exactly, on both schedules,
    // for every transpose case and for output widths that take each register tile (10: the 16-wide panel; 45: a
    // partial last panel through the scratch tile; 48: a last panel of exactly 16 columns; 59: a partial last panel
    // of 27 columns, a whole vector and a masked one with AVX-512, three whole vectors and a scalar with AVX2).
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void GemmIsTheBlockedFmaChainBitForBit(bool transA, bool transB)
    {
        const int m = 77,
            k = 701;
        foreach (int n in new[] { 10, 45, 48, 59 })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                foreach (var schedule in new[] { CpuGemm.Schedule.Tall, CpuGemm.Schedule.Deep })
                    AssertBlockedFmaChain(3, schedule, m, k, n, transA, transB, accumulate, n);
            }
        }
    }

    // The GEMM's read-ahead (CpuGemm.ReadAhead: prefetches between tiles) on the shapes that take it: a narrow product
    // of an A of at least 16 MiB in the tall schedule (the 784-wide input's forward and weight gradient), and a deep
    // schedule whose column groups have enough tiles per K block. Prefetching reads nothing into C, so the bits are
    // the blocked FMA chain's; this runs those code paths (the guard below fails if a gate change leaves them).
    [Theory]
    [InlineData(5400, 784, 10, false)]
    [InlineData(784, 5400, 10, true)]
    public void GemmReadingAheadKeepsTheBlockedFmaChainsBits(int m, int k, int n, bool transA)
    {
        Assert.True(CpuGemm.ReadsAhead(m, k, 1), "the tall shape no longer reads ahead: pick one that does");
        AssertBlockedFmaChain(2, CpuGemm.Schedule.Tall, m, k, n, transA, false, true, 7);
        // Deep, two groups: each at least 3 of the 32-wide panels (fewer rows, more panels on the narrower paths)
        // against 20 whole 12-row panels.
        Assert.True(20 * 3 >= CpuGemm.AheadMinTiles, "the deep shape's groups have too few tiles to read ahead");
        AssertBlockedFmaChain(2, CpuGemm.Schedule.Deep, 250, 701, 200, true, false, false, 8);
    }

    static void AssertBlockedFmaChain(
        int threads,
        CpuGemm.Schedule schedule,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        bool accumulate,
        int seed
    )
    {
        var r = new Random(seed);
        var a = Gen.Uniform(r, m * k);
        var b = Gen.Uniform(r, k * n);
        var bias = Gen.Uniform(r, n);
        var c0 = Gen.Uniform(r, m * n);
        var expected = BlockedFmaChain(a, b, bias, c0, m, k, n, transA, transB, accumulate);
        var got = RunGemm(threads, schedule, a, b, bias, c0, m, k, n, transA, transB, Activation.None, accumulate);
        Assert.True(
            expected.AsSpan().SequenceEqual(got),
            $"{m}x{k}x{n}, transA {transA}, transB {transB}, accumulate {accumulate}, {schedule}: not the blocked FMA chain's bits"
        );
    }

    // C as the design's order gives it, scalar: (C or nothing) + each K block's FMA chain from zero, + bias.
    static float[] BlockedFmaChain(
        float[] a,
        float[] b,
        float[] bias,
        float[] c0,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        bool accumulate
    )
    {
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = 0f;
                for (int k0 = 0; k0 < k; k0 += LaunchShape.GemmKBlock)
                {
                    float block = 0f;
                    for (int t = k0; t < Math.Min(k, k0 + LaunchShape.GemmKBlock); t++)
                    {
                        float x = a[transA ? t * m + i : i * k + t],
                            y = b[transB ? j * k + t : t * n + j];
                        block = MathF.FusedMultiplyAdd(x, y, block);
                    }
                    s = k0 == 0 && !accumulate ? block : (k0 == 0 ? c0[i * n + j] : s) + block;
                }
                expected[i * n + j] = s + bias[j];
            }
        }
        return expected;
    }

    // The GEMM's sums of B (the dense layer's bias gradient, taken from the dZ its weight gradient packs) are the bias
    // gradient's order (docs/design.md), written here as plain scalar C#: per column, rows in blocks of BiasBlockRows
    // summed from zero, the first block's sum the total, each later one added, then added to db. K = 701 spans three
    // K blocks and a partial bias block; the deep schedule sums its packed panels (three threads split 45 or 300
    // columns into groups; with m = 263 the 6-row paths pack op(A) rather than read it in place), the tall one and the
    // ILGPU CPU accelerator run the bias sum after the GEMM; every way gives these bits, and C is the plain GEMM's.
    [Theory]
    [InlineData(77)]
    [InlineData(263)]
    public void GemmSumsOfBAreTheBiasGradientsBits(int m)
    {
        const int k = 701;
        foreach (int n in new[] { 10, 45, 300 })
        {
            var r = new Random(n);
            float[] a = Gen.Uniform(r, k * m),
                b = Gen.Uniform(r, k * n),
                db0 = Gen.Uniform(r, n),
                expected = new float[n];
            for (int j = 0; j < n; j++)
            {
                float total = 0f;
                for (int r0 = 0; r0 < k; r0 += LaunchShape.BiasBlockRows)
                {
                    float block = 0f;
                    for (int t = r0; t < Math.Min(k, r0 + LaunchShape.BiasBlockRows); t++)
                        block += b[t * n + j];
                    total = r0 == 0 ? block : total + block;
                }
                expected[j] = db0[j] + total;
            }
            float[] plain;
            using (var cpu = new CpuBackend(3))
            {
                using var A = cpu.Upload(a);
                using var B = cpu.Upload(b);
                using var C = cpu.Allocate(m * n);
                cpu.Gemm(A, B, default, m, k, n, true, false, Activation.None, false, C);
                plain = cpu.ToArray(C);
            }
            foreach (var schedule in new[] { CpuGemm.Schedule.Tall, CpuGemm.Schedule.Deep })
            {
                using var cpu = new CpuBackend(3);
                using var A = cpu.Upload(a);
                using var B = cpu.Upload(b);
                using var C = cpu.Allocate(m * n);
                using var Db = cpu.Upload(db0);
                bool summed = CpuGemm.Run(
                    cpu,
                    CpuBackend.A(A),
                    CpuBackend.A(B),
                    default,
                    m,
                    k,
                    n,
                    true,
                    false,
                    Activation.None,
                    false,
                    CpuBackend.A(C),
                    schedule,
                    sumsOfB: CpuBackend.A(Db)
                );
                Assert.Equal(schedule == CpuGemm.Schedule.Deep, summed);
                if (summed)
                    Assert.Equal(Bits(expected), Bits(cpu.ToArray(Db)));
                Assert.Equal(Bits(plain), Bits(cpu.ToArray(C)));
            }
            lock (SharedIlgpu.Lock)
            {
                foreach (Backend backend in new Backend[] { new CpuBackend(2), SharedIlgpu.Cpu })
                {
                    using var A = backend.Upload(a);
                    using var B = backend.Upload(b);
                    using var C = backend.Allocate(m * n);
                    using var Db = backend.Upload(db0);
                    backend.Gemm(A, B, default, m, k, n, true, false, Activation.None, false, C, sumsOfB: Db);
                    Assert.Equal(Bits(expected), Bits(backend.ToArray(Db)));
                    if (backend is CpuBackend)
                        backend.Dispose();
                }
            }
        }
    }

    // Several GEMMs of one A in one call (the first layers of the classifier and the z-encoder reading one batch)
    // give each output its own Gemm call's bits, whatever tile its width takes (50: two 32-wide panels; 10: the 16-wide
    // one): the forward form (bias, tanh, an epilogue that sees each final row once, one output accumulating) and the
    // weight-gradient form (A transposed, accumulating, with the sums of B), each also with B transposed (no sums). On the
    // managed CPU, where A is packed once for all outputs and the partial last panels share panels (2 + 10 columns in
    // one, 13 in another, with AVX2's 16-wide panels; 18 + 10, then 13, with AVX-512's 32), and on the ILGPU CPU
    // accelerator, which runs them one by one.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GemmsOfOneAAreEachOutputsOwnGemm(bool transB)
    {
        const int m = 263,
            k = 301;
        int[] widths = [50, 10, 45];
        var r = new Random(11);
        var a = Gen.Uniform(r, m * k);
        var bs = widths.Select(n => Gen.Uniform(r, k * n)).ToArray();
        var biases = widths.Select(n => Gen.Uniform(r, n)).ToArray();
        var c0 = widths.Select(n => Gen.Uniform(r, Math.Max(m, k) * n)).ToArray();
        var sums0 = widths.Select(n => Gen.Uniform(r, n)).ToArray();
        foreach (bool weightGradient in new[] { false, true })
        {
            // Forward: [m,k] x [k,n]; weight gradient: A^T stored [k,m] as the data is, times dZ [k,n].
            int rows = weightGradient ? k : m,
                depth = weightGradient ? m : k;
            float[][] Run(Backend backend, bool together)
            {
                using var A = backend.Upload(a);
                var views = widths
                    .Select(
                        (n, i) =>
                            (
                                B: backend.Upload(bs[i].AsSpan(0, depth * n).ToArray()),
                                Bias: backend.Upload(biases[i]),
                                C: backend.Upload(c0[i].AsSpan(0, rows * n).ToArray()),
                                S: backend.Upload(sums0[i])
                            )
                    )
                    .ToArray();
                var seen = widths.Select(_ => new int[rows]).ToArray();
                var outs = widths
                    .Select(
                        (n, i) =>
                            weightGradient
                                ? new GemmOutput(
                                    views[i].B,
                                    default,
                                    n,
                                    Activation.None,
                                    true,
                                    views[i].C,
                                    SumsOfB: transB ? default(View) : views[i].S // column sums are of B stored [k,n]
                                )
                                : new GemmOutput(
                                    views[i].B,
                                    views[i].Bias,
                                    n,
                                    i == 1 ? Activation.None : Activation.Tanh,
                                    i == 1,
                                    views[i].C,
                                    (s, e) =>
                                    {
                                        for (int q = s; q < e; q++)
                                            Interlocked.Increment(ref seen[i][q]);
                                    }
                                )
                    )
                    .ToArray();
                if (together)
                {
                    backend.Gemms(A, rows, depth, weightGradient, transB, outs);
                }
                else
                {
                    foreach (var o in outs)
                    {
                        backend.Gemm(
                            A,
                            o.B,
                            o.Bias,
                            rows,
                            depth,
                            o.N,
                            weightGradient,
                            transB,
                            o.Act,
                            o.Accumulate,
                            o.C,
                            o.RowsReady,
                            o.SumsOfB
                        );
                    }
                }
                if (!weightGradient)
                    Assert.All(seen, s => Assert.All(s, c => Assert.Equal(1, c)));
                var got = views.SelectMany(v => new[] { backend.ToArray(v.C), backend.ToArray(v.S) }).ToArray();
                foreach (var v in views)
                {
                    v.B.Dispose();
                    v.Bias.Dispose();
                    v.C.Dispose();
                    v.S.Dispose();
                }
                return got;
            }
            using var cpu = new CpuBackend(2);
            var shared = widths
                .Select(n => new CpuGemm.Output(default, default, n, Activation.None, false, default, null))
                .ToArray();
            Assert.True(
                CpuGemm.SharesTall(cpu, rows, depth, shared),
                "the shared tall pass is not what this test runs"
            );
            var expected = Run(cpu, false);
            Assert.Equal(expected.Select(Bits), Run(cpu, true).Select(Bits));
            lock (SharedIlgpu.Lock)
                Assert.Equal(expected.Select(Bits), Run(SharedIlgpu.Cpu, true).Select(Bits));
            if (weightGradient && !transB)
                Assert.NotEqual(Bits(sums0[0]), Bits(expected[1]));
        }
    }

    // The epilogue hook: on every schedule (and K = 0) it sees each row of C exactly once, already final (bias and
    // activation applied: a copy taken in the hook equals C after the call), and a kernel it calls runs inline on the
    // worker (a nested fill gives the same values). Through Backend.Gemm too, and ForRows covers [0, m) once.
    [Theory]
    [InlineData("Tall", 701)]
    [InlineData("Deep", 701)]
    [InlineData("Auto", 0)]
    public void GemmEpilogueSeesEveryFinalRowOnce(string scheduleName, int k)
    {
        var schedule = Enum.Parse<CpuGemm.Schedule>(scheduleName);
        const int m = 263,
            n = 45;
        var r = new Random(9);
        var a = Gen.Uniform(r, m * Math.Max(k, 1));
        var b = Gen.Uniform(r, Math.Max(k, 1) * n);
        var bias = Gen.Uniform(r, n);
        using var cpu = new CpuBackend(3);
        using var A = cpu.Upload(a);
        using var B = cpu.Upload(b);
        using var Bi = cpu.Upload(bias);
        using var C = cpu.Allocate(m * n);
        using var noise = cpu.Allocate(m * n);
        var seen = new float[m * n];
        var count = new int[m];
        void Hook(int s, int e)
        {
            for (int i = s; i < e; i++)
                Interlocked.Increment(ref count[i]);
            CpuBackend.S(C.View.Slice(s * n, (e - s) * n)).CopyTo(seen.AsSpan(s * n));
            cpu.PhiloxUniform(new(3, 4, 5), (e - s) * n, noise.View.Slice(s * n, (e - s) * n), first: s * n);
        }
        CpuGemm.Run(
            cpu,
            CpuBackend.A(A),
            CpuBackend.A(B),
            CpuBackend.A(Bi),
            m,
            k,
            n,
            false,
            false,
            Activation.Tanh,
            false,
            CpuBackend.A(C),
            schedule,
            Hook
        );
        Assert.All(count, c => Assert.Equal(1, c));
        Assert.Equal(cpu.ToArray(C), seen);
        using var whole = cpu.Allocate(m * n);
        cpu.PhiloxUniform(new(3, 4, 5), m * n, whole);
        Assert.Equal(cpu.ToArray(whole), cpu.ToArray(noise));

        Array.Clear(count);
        cpu.Gemm(A, B, Bi, m, k, n, false, false, Activation.Tanh, false, C, Hook);
        Assert.All(count, c => Assert.Equal(1, c));
        Assert.Equal(cpu.ToArray(C), seen);
        Array.Clear(count);
        cpu.ForRows(m, (s, e) =>
        {
            for (int i = s; i < e; i++)
                Interlocked.Increment(ref count[i]);
        });
        Assert.All(count, c => Assert.Equal(1, c));
    }

    // The dense backward split the way a fused step runs it: dZ alone on uneven blocks of rows in any order (a GEMM
    // epilogue's), then the column sum with act none over the whole of dZ, gives the one-pass
    // backward's dZ and db bit for bit; dZ is dY (1 - Y^2), each product rounded (no FMA), in plain scalar C#. 1000
    // rows span eight bias blocks of 128 and a partial one.
    [Fact]
    public void ActivationBackwardOnRowBlocksThenTheBiasSumGivesTheOnePassBits()
    {
        const int m = 1000,
            n = 300;
        var r = new Random(5);
        float[] y = Gen.Uniform(r, m * n, -0.99f, 0.99f),
            dy = Gen.Uniform(r, m * n),
            db0 = Gen.Uniform(r, n);
        using var cpu = new CpuBackend(2);
        using var Y = cpu.Upload(y);
        using var onePassDz = cpu.Allocate(m * n);
        using var onePassDb = cpu.Upload(db0);
        using var DY = cpu.Upload(dy);
        cpu.ActBiasBackward(Y, DY, m, n, Activation.Tanh, onePassDz, onePassDb);
        using var dz = cpu.Upload(dy);
        using var db = cpu.Upload(db0);
        int[] cuts = [0, 97, 128, 131, 640, 999, m];
        for (int i = cuts.Length - 2; i >= 0; i--)
        {
            int r0 = cuts[i],
                rows = cuts[i + 1] - r0;
            var block = dz.View.Slice(r0 * n, rows * n);
            cpu.ActBiasBackward(Y.View.Slice(r0 * n, rows * n), block, rows, n, Activation.Tanh, block, default);
        }
        Assert.Equal(Bits(y.Zip(dy, (yi, g) => g * (1f - yi * yi)).ToArray()), Bits(cpu.ToArray(dz)));
        cpu.ActBiasBackward(Y, dz, m, n, Activation.None, dz, db);
        Assert.Equal(Bits(cpu.ToArray(onePassDz)), Bits(cpu.ToArray(dz)));
        Assert.Equal(Bits(cpu.ToArray(onePassDb)), Bits(cpu.ToArray(db)));
        Assert.NotEqual(Bits(db0), Bits(cpu.ToArray(db)));
    }

    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void BadShapesAreRejectedWithTheBufferName()
    {
        using var cpu = new CpuBackend(1);
        using var small = cpu.Allocate(5);
        using var big = cpu.Allocate(100);
        var e = Assert.Throws<ArgumentException>(() =>
            cpu.Gemm(big, big, default, 10, 10, 10, false, false, Activation.None, false, small)
        );
        Assert.Contains("'c'", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.GumbelSoftmax(big, default, 5, 20, 1f, big));
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.GumbelSoftmax(big, default, 10, 10, 0f, big));
        using var other = new CpuBackend(1);
        using var foreign = other.Allocate(100);
        Assert.Throws<ArgumentException>(() => cpu.Fill(10, 1f, foreign));
    }

    [Fact]
    public void ConcreteLogPdfMatchesTheClosedFormInDouble()
    {
        // k = 3, tau = 0.5: log p(y) = log (k-1)! + (k-1) log tau + sum log p_i - (tau+1) sum log y_i - k log sum p_i
        // y_i^-tau.
        float[] logits = [0.3f, -1.2f, 0.8f],
            y = [0.2f, 0.5f, 0.3f];
        double tau = 0.5,
            z = logits.Sum(l => Math.Exp(l));
        var p = logits.Select(l => Math.Exp(l) / z).ToArray();
        double expected =
            Math.Log(2)
            + 2 * Math.Log(tau)
            + p.Sum(Math.Log)
            - (tau + 1) * y.Sum(v => Math.Log(v))
            - 3 * Math.Log(p.Select((pi, i) => pi * Math.Pow(y[i], -tau)).Sum());
        using var cpu = new CpuBackend(1);
        using var L = cpu.Upload(logits);
        using var Y = cpu.Upload(y);
        using var O = cpu.Allocate(1);
        cpu.ConcreteLogPdf(L, Y, 1, 3, 0.5f, O);
        Assert.Equal(expected, cpu.ToArray(O)[0], 5);
    }
}

public sealed class GumbelEdgeTests
{
    [Fact]
    public void GumbelSoftmaxStaysFiniteForUniformsNextToOne()
    {
        // The largest uniforms Philox can produce: u + 1e-4 rounds in float32, so the unguarded formula gives NaN.
        float top = Philox.ToUnit(uint.MaxValue),
            next = Philox.ToUnit(uint.MaxValue - 256);
        using var cpu = new CpuBackend(1);
        using var l = cpu.Upload(new float[20]);
        using var u = cpu.Upload([
            top,
            next,
            top,
            next,
            top,
            0.5f,
            0.5f,
            0.5f,
            0.5f,
            0.5f,
            .. Enumerable.Repeat(top, 10),
        ]);
        using var y = cpu.Allocate(20);
        cpu.GumbelSoftmax(l, u, 2, 10, 1f, y);
        var v = cpu.ToArray(y);
        Assert.All(v, x => Assert.True(float.IsFinite(x), "finite"));
        Assert.Equal(2f, v.Sum(), 4);
    }

    // FoldRows against its definition, written as the plain loop: y[c,j] = x[c,j] + x[c+p,j] + ... in row order,
    // bit for bit (the managed CPU adds whole rows with TensorPrimitives; each element must still be that chain).
    [Theory]
    [InlineData(301, 37, 10, false)]
    [InlineData(301, 37, 10, true)]
    [InlineData(1000, 784, 10, true)]
    [InlineData(7, 5, 1, false)]
    [InlineData(7, 5, 7, false)]
    public void FoldRowsAddsEachClassOfRowsInRowOrder(int m, int n, int p, bool inPlace)
    {
        var r = new Random(m + n + p);
        var x = Enumerable.Range(0, m * n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var want = new float[p * n];
        for (int c = 0; c < p; c++)
        {
            for (int j = 0; j < n; j++)
            {
                float acc = x[c * n + j];
                for (int row = c + p; row < m; row += p)
                    acc += x[row * n + j];
                want[c * n + j] = acc;
            }
        }
        using var cpu = new CpuBackend(2);
        using var xb = cpu.Upload(x);
        using var yb = cpu.Allocate(p * n);
        var y = inPlace ? xb.View.Slice(0, p * n) : yb.View;
        cpu.FoldRows(xb, m, n, p, y);
        Assert.Equal(
            want.Select(BitConverter.SingleToInt32Bits),
            cpu.ToArray(y).Select(BitConverter.SingleToInt32Bits)
        );
        if (inPlace)
            Assert.Equal(x.Skip(p * n), cpu.ToArray(xb).Skip(p * n)); // the rows past the first period are untouched
    }

    [Fact]
    public void FoldRowsRefusesAPeriodOutside1ToM()
    {
        using var cpu = new CpuBackend(1);
        using var x = cpu.Allocate(12);
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.FoldRows(x, 4, 3, 0, x));
        Assert.Throws<ArgumentOutOfRangeException>(() => cpu.FoldRows(x, 4, 3, 5, x));
    }
}
