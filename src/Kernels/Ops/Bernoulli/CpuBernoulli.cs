using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cpu;

// The managed CPU twin of DeviceBernoulli.cs (this folder).
public sealed partial class CpuBackend
{
    // Per row: logp = sum x lc - softplus(lc), lc = l (exact) or l clamped to +-ln(99999) (original, the same as
    // clipping m), summed in RowSum's fixed order, so every vector width gives the same bits (LogLikRow: two passes).
    protected override void BernoulliLogLikCore(in BernoulliLogLikArgs args)
    {
        var (x, logits, m, d, form, logp, period) = args;
        Mem X = A(x),
            L = A(logits),
            O = A(logp);
        var term = new LogLikTerm(form == BernoulliForm.Original);
        if (Periodic(period, m))
        {
            LogLikPeriodic(term, X, L, m, d, period, O);
            return;
        }
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            Span<float> scratch = d <= MaxStackRow ? stackalloc float[d] : new float[d];
            for (int r = s; r < e; r++)
                O[r] = LogLikRow(new LogLikOfExpTerm(term), term, X.Span(r * d, d), L.Span(r * d, d), scratch, default);
        });
    }

    /// <summary>The longest row whose scratch a kernel takes from the stack (16 KiB).</summary>
    const int MaxStackRow = 4096;

    /// <summary>
    /// One row of the log-likelihood (with its gradient, for a term that writes <paramref name="output"/>) in two
    /// passes: e = e^-|lc| into <paramref name="scratch"/> (<see cref="ExpOfClipOp"/>), then <paramref name="term"/>
    /// from x, l and e in RowSum's order. In one pass a vector's exp, then its log and divide, make a chain the core
    /// cannot overlap with the next vectors' (<see cref="Elementwise.MapThen"/>): on one Zen 3 core, a 784-float row
    /// of the term and its gradient 1.84 -> 1.34 ns an element. The same operations on the same values: the same bits.
    /// </summary>
    internal static float LogLikRow<TTerm>(
        TTerm term,
        LogLikTerm form, // its clip, for the first pass
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> l,
        Span<float> scratch,
        Span<float> output
    )
        where TTerm : struct, IRowTermWithOutput
    {
        var e = scratch[..l.Length];
        Elementwise.Map(new ExpOfClipOp(form), l, l, e);
        return RowSum.Of(term, x, l, e, output);
    }

    /// <summary>e^-|lc|, the first pass of <see cref="LogLikRow"/> (Elementwise's binary driver, its second operand
    /// unused).</summary>
    internal readonly struct ExpOfClipOp(LogLikTerm term) : IBinaryOp
    {
        public T Invoke<T>(T l, T _)
            where T : struct, ISimd<T> => VectorMath.ExpNonPositive(-T.Abs(term.Clip(l)));
    }

    /// <summary>LogLikTerm from lc and e = e^-|lc| made by the row's first pass (<see cref="LogLikRow"/>).</summary>
    internal readonly struct LogLikOfExpTerm(LogLikTerm term) : IRowTermWithOutput
    {
        public static bool Writes => false;

        public static bool ReadsC => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T l, T e, out T output)
            where T : struct, ISimd<T>
        {
            output = default;
            return LogLikTerm.Of(x, term.Clip(l), e);
        }
    }

    /// <summary>x lc - softplus(lc), lc = l or l clamped (the device kernel runs it on one Lane).</summary>
    internal readonly struct LogLikTerm(bool clip) : IRowTerm
    {
        /// <summary>lc: l, or l clamped to +-BernLogitClip in the original form.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Clip<T>(T l)
            where T : struct, ISimd<T> => clip ? T.Min(T.Max(l, T.Create(-BernLogitClip)), T.Create(BernLogitClip)) : l;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T l)
            where T : struct, ISimd<T>
        {
            l = Clip(l);
            return Of(x, l, VectorMath.ExpNonPositive(-T.Abs(l)));
        }

        /// <summary>x lc - max(lc, 0) - log(1 + e) from lc and e = e^-|lc| (softplus's tail, <see cref="SoftplusTailOp"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Of<T>(T x, T lc, T e)
            where T : struct, ISimd<T> => x * lc - T.Max(lc, T.Create(0f)) - VectorMath.Log1pUnit(e);
    }

    // The log-likelihood's term and its logits' gradient from one e = e^-|lc| (made by LogLikRow's first pass):
    // LogLikTerm's operations, and LogitGradOp's on the sigmoid of that e. Inside the clip lc is l, so that sigmoid
    // is VectorMath.Sigmoid(l)'s bits; outside it the gradient is masked to zero. The same bits as the two kernels.
    internal readonly struct LogLikGradTerm(bool clip, float g) : IRowTermWithOutput
    {
        public static bool Writes => true;

        public static bool ReadsC => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T l, T e, out T grad)
            where T : struct, ISimd<T>
        {
            var lc = new LogLikTerm(clip).Clip(l);
            grad = new LogitGradOp(g, clip).From(x, l, VectorMath.SigmoidOfExp(lc, e));
            return LogLikTerm.Of(x, lc, e);
        }
    }

    protected override void BernoulliLogLikAndGradCore(in BernoulliLogLikAndGradArgs args)
    {
        var (x, logits, g, m, d, form, logp, dlogits) = args;
        Mem X = A(x),
            L = A(logits),
            G = A(g),
            O = A(logp),
            DL = A(dlogits);
        bool clip = form == BernoulliForm.Original;
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            Span<float> scratch = d <= MaxStackRow ? stackalloc float[d] : new float[d];
            for (int r = s; r < e; r++)
            {
                O[r] = LogLikRow(
                    new LogLikGradTerm(clip, G[r]),
                    new LogLikTerm(clip),
                    X.Span(r * d, d),
                    L.Span(r * d, d),
                    scratch,
                    DL.Span(r * d, d)
                );
            }
        });
    }

    /// <summary>
    /// Whether a kernel over <paramref name="count"/> rows (or elements) of logits repeating every <paramref
    /// name="period"/> computes their functions once per distinct row: from two periods on (a 64-row epilogue block of
    /// the fixed-z decoder's 10-periodic logits builds its tables from 10 rows). The device kernels do not: each
    /// element computes its own, the same bits.
    /// </summary>
    static bool Periodic(int period, int count) => period > 0 && count >= 2 * period;

    // LogLikTerm with its functions of the logit from tables of the first period: lc, max(lc, 0) and softplus's tail,
    // then per row (x lc - max(lc, 0)) - tail, LogLikTerm's operations in its order on the same values, summed by the
    // same RowSum: the same bits, with no exp or log per element.
    void LogLikPeriodic(LogLikTerm term, Mem X, Mem L, int m, int d, int p, Mem O)
    {
        int pd = p * d;
        float[] tables = ArrayPool<float>.Shared.Rent(3 * pd);
        try
        {
            Span<float> lc = tables.AsSpan(0, pd),
                mx = tables.AsSpan(pd, pd),
                tl = tables.AsSpan(2 * pd, pd);
            Elementwise.Map(new ClipOp(term), L.Span(0, pd), L.Span(0, pd), lc);
            Elementwise.Map(new PositivePartOp(), lc, lc, mx);
            Elementwise.Map<SoftplusTailOp>(lc, tl);
            Chunks(m, Grain(d), (s, e) =>
            {
                Span<float> t = d <= MaxStackRow ? stackalloc float[d] : new float[d];
                for (int r = s; r < e; r++)
                {
                    int q = r % p * d;
                    TensorPrimitives.Multiply(X.Span(r * d, d), tables.AsSpan(q, d), t);
                    TensorPrimitives.Subtract(t, tables.AsSpan(pd + q, d), t);
                    TensorPrimitives.Subtract(t, tables.AsSpan(2 * pd + q, d), t);
                    O[r] = RowSum.Of(t);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tables);
        }
    }

    // The table builders' unary functions, on Elementwise's binary driver (its second operand unused).
    readonly struct ClipOp(LogLikTerm term) : IBinaryOp
    {
        public T Invoke<T>(T l, T _)
            where T : struct, ISimd<T> => term.Clip(l);
    }

    readonly struct PositivePartOp : IBinaryOp
    {
        public T Invoke<T>(T l, T _)
            where T : struct, ISimd<T> => T.Max(l, T.Create(0f));
    }

    // dlogits += g (x - sigmoid l), only strictly inside the clip in the original form; dx += g lc.
    protected override void BernoulliLogLikBackwardCore(in BernoulliLogLikBackwardArgs args)
    {
        var (x, logits, g, m, d, form, accumulate, dlogits, dx, period) = args;
        Mem X = A(x),
            L = A(logits),
            G = A(g),
            DL = A(dlogits),
            DX = A(dx);
        bool hasDx = !dx.IsEmpty,
            hasDl = !dlogits.IsEmpty,
            clip = form == BernoulliForm.Original;
        if (Periodic(period, m))
        {
            LogLikBackwardPeriodic(X, L, G, m, d, period, clip, accumulate, DL, DX);
            return;
        }
        Chunks(m, Grain(d * 4), (s, e) =>
        {
            Span<float> t = hasDx ? (d <= MaxStackRow ? stackalloc float[d] : new float[d]) : default;
            for (int r = s; r < e; r++)
            {
                float gr = G[r];
                var lr = L.Span(r * d, d);
                if (hasDl)
                {
                    Elementwise.Map(
                        new LogitGradOp(gr, clip),
                        X.Span(r * d, d),
                        lr,
                        DL.Span(r * d, d),
                        accumulate: accumulate
                    );
                }
                if (!hasDx)
                    continue;
                var dxr = DX.Span(r * d, d);
                if (!clip)
                {
                    TensorPrimitives.MultiplyAdd(lr, gr, dxr, dxr);
                    continue;
                }
                TensorPrimitives.Clamp(lr, -BernLogitClip, BernLogitClip, t);
                TensorPrimitives.MultiplyAdd(t, gr, dxr, dxr);
            }
        });
    }

    // The same with sigmoid l, the clip's mask and lc from tables of the first period: per row t = x - sigmoid l,
    // t &= mask, then t g written or added after dlogits (LogitGradOp's and Map's operations in their order), and dx +=
    // lc g as above: the same bits, with no exp per element.
    void LogLikBackwardPeriodic(Mem X, Mem L, Mem G, int m, int d, int p, bool clip, bool accumulate, Mem DL, Mem DX)
    {
        int pd = p * d;
        float[] tables = ArrayPool<float>.Shared.Rent(3 * pd);
        try
        {
            // [0, pd): sigmoid l; [pd, 2 pd): the mask |l| < clip; [2 pd, 3 pd): lc (clamped l) for dx.
            var l = L.Span(0, pd);
            GradTables(l, clip, tables.AsSpan(0, pd), tables.AsSpan(pd, pd));
            TensorPrimitives.Clamp(l, -BernLogitClip, BernLogitClip, tables.AsSpan(2 * pd, pd));
            bool hasDl = !DL.IsEmpty,
                hasDx = !DX.IsEmpty;
            Chunks(m, Grain(d * 2), (s, e) =>
            {
                Span<float> t = d <= MaxStackRow ? stackalloc float[d] : new float[d];
                for (int r = s; r < e; r++)
                {
                    float gr = G[r];
                    int q = r % p * d;
                    if (hasDl)
                    {
                        var dlr = DL.Span(r * d, d);
                        GradRow(
                            X.Span(r * d, d),
                            tables.AsSpan(q, d),
                            tables.AsSpan(pd + q, d),
                            clip,
                            gr,
                            accumulate ? t : dlr
                        );
                        if (accumulate)
                            TensorPrimitives.Add(dlr, t, dlr);
                    }
                    if (hasDx)
                    {
                        var dxr = DX.Span(r * d, d);
                        TensorPrimitives.MultiplyAdd(clip ? tables.AsSpan(2 * pd + q, d) : L.Span(q, d), gr, dxr, dxr);
                    }
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tables);
        }
    }

    // One period row at a time (in parallel), as FoldRows runs: row c's term written into the row's accumulator, then
    // each of rows c + p, c + 2p, ...'s added; a term is LogitGradOp's (x - sigmoid l, masked, times g) from the period
    // row's sigmoid and mask, computed once, so the accumulator holds FoldRows' bits of the whole-row gradient.
    protected override void BernoulliLogLikBackwardFoldedCore(in BernoulliLogLikBackwardFoldedArgs args)
    {
        var (x, logits, g, m, d, form, p, accumulate, dlogits) = args;
        Mem X = A(x),
            L = A(logits),
            G = A(g),
            DL = A(dlogits);
        bool clip = form == BernoulliForm.Original;
        ForEach(p, 1, c =>
        {
            float[] rows = ArrayPool<float>.Shared.Rent(4 * d);
            try
            {
                Span<float> sig = rows.AsSpan(0, d),
                    mask = rows.AsSpan(d, d),
                    acc = rows.AsSpan(2 * d, d),
                    t = rows.AsSpan(3 * d, d);
                GradTables(L.Span(c * d, d), clip, sig, mask);
                GradRow(X.Span(c * d, d), sig, mask, clip, G[c], acc);
                for (int r = c + p; r < m; r += p)
                {
                    GradRow(X.Span(r * d, d), sig, mask, clip, G[r], t);
                    TensorPrimitives.Add(acc, t, acc);
                }
                var dl = DL.Span(c * d, d);
                if (accumulate)
                    TensorPrimitives.Add(dl, acc, dl);
                else
                    acc.CopyTo(dl);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rows);
            }
        });
    }

    // A period row's tables for the logits' gradient: sigmoid l and, in the clipped form, the mask |l| < clip.
    static void GradTables(ReadOnlySpan<float> l, bool clip, Span<float> sigmoid, Span<float> mask)
    {
        Elementwise.Map<SigmoidOp>(l, sigmoid);
        if (clip)
            Elementwise.Map(new InsideClipOp(), l, l, mask);
    }

    // One row's LogitGradOp from the tables: dst = ((x - sigmoid l) & mask) g, its operations in its order.
    static void GradRow(
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> sigmoid,
        ReadOnlySpan<float> mask,
        bool clip,
        float g,
        Span<float> dst
    )
    {
        TensorPrimitives.Subtract(x, sigmoid, dst);
        if (clip)
            TensorPrimitives.BitwiseAnd(dst, mask, dst);
        TensorPrimitives.Multiply(dst, g, dst);
    }

    readonly struct InsideClipOp : IBinaryOp
    {
        public T Invoke<T>(T l, T _)
            where T : struct, ISimd<T> => T.Lt(T.Abs(l), T.Create(BernLogitClip));
    }

    // g (x - sigmoid l), zero where |l| >= the logit clip in the original form (branch-free: trained logits
    // saturate on much of the background).
    readonly struct LogitGradOp(float g, bool clip) : IBinaryOp
    {
        public T Invoke<T>(T x, T l)
            where T : struct, ISimd<T> => From(x, l, VectorMath.Sigmoid(l));

        /// <summary>The gradient from <paramref name="sigmoid"/> = sigmoid l, made already.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T From<T>(T x, T l, T sigmoid)
            where T : struct, ISimd<T>
        {
            var t = x - sigmoid;
            if (clip)
                t &= new InsideClipOp().Invoke(l, l);
            return t * T.Create(g);
        }
    }

    protected override void BernoulliSampleCore(in BernoulliSampleArgs args)
    {
        var (logits, u, n, tau, relaxed, form, xs, period) = args;
        Mem L = A(logits),
            U = A(u),
            O = A(xs);
        var hard = new HardSampleOp(form == BernoulliForm.Original);
        if (!relaxed && Periodic(period, n))
        {
            HardSamplePeriodic(hard, L, U, n, period, O);
            return;
        }
        Chunks(n, 1 << 14, (s, e) =>
        {
            if (relaxed)
            {
                Elementwise.MapThen<RelaxedLogitOp, SigmoidOp>(
                    new(tau),
                    L.Span(s, e - s),
                    U.Span(s, e - s),
                    O.Span(s, e - s),
                    bPad: 0.5f
                );
                return;
            }
            Elementwise.Map(hard, L.Span(s, e - s), U.Span(s, e - s), O.Span(s, e - s));
        });
    }

    // The hard sample's mean from a table of the first period's logits: each element draws against its entry.
    void HardSamplePeriodic(HardSampleOp hard, Mem L, Mem U, int n, int p, Mem O)
    {
        float[] means = ArrayPool<float>.Shared.Rent(p);
        try
        {
            Elementwise.Map(new MeanOp(hard), L.Span(0, p), L.Span(0, p), means);
            Chunks(n, 1 << 14, (s, e) =>
            {
                // Runs of the chunk that stay inside one period: each draws against one stretch of the table.
                int i = s;
                while (i < e)
                {
                    int q = i % p,
                        len = Math.Min(p - q, e - i);
                    Elementwise.Map(new DrawOp(), means.AsSpan(q, len), U.Span(i, len), O.Span(i, len));
                    i += len;
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(means);
        }
    }

    // xs = sigmoid((l + log u - log(1 - u)) / tau), rounded step by step as the device kernel writes it. The CPU runs
    // it as its two parts in two passes (Elementwise.MapThen: one pass's chain is too long for the core to overlap
    // vectors), the device as one.
    /// <summary>The relaxed sample (the device kernel runs it on one Lane): sigmoid of <see cref="RelaxedLogitOp"/>.</summary>
    internal readonly struct RelaxedSampleOp(float tau) : IBinaryOp
    {
        public T Invoke<T>(T l, T u)
            where T : struct, ISimd<T> => VectorMath.Sigmoid(new RelaxedLogitOp(tau).Invoke(l, u));
    }

    // z = (l + log u - log(1 - u)) / tau. u is a uniform draw, so u and 1 - u are positive normal floats (the padded
    // tail has u = 1/2) and their logs skip Log's special values (LogPositiveNormal: the same bits in fewer
    // operations). z / 1 is z exactly, so at tau = 1 (the default) the division is skipped: the same bits, one divide
    // per vector fewer.
    /// <summary>The relaxed sample's logit before its sigmoid.</summary>
    internal readonly struct RelaxedLogitOp(float tau) : IBinaryOp
    {
        public T Invoke<T>(T l, T u)
            where T : struct, ISimd<T>
        {
            var z = l + (VectorMath.LogPositiveNormal(u) - VectorMath.LogPositiveNormal(T.Create(1f) - u));
            return tau == 1f ? z : z / T.Create(tau);
        }
    }

    // xs = u < m ? 1 : 0 with m = sigmoid(l), clipped to [1e-5, 1 - 1e-5] in the original form, branch-free (with
    // random u a branch would mispredict half the time); a NaN mean samples 0 (it stays NaN through the clip, and no
    // u is below NaN).
    readonly struct HardSampleOp(bool clip) : IBinaryOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Mean<T>(T l)
            where T : struct, ISimd<T>
        {
            var m = VectorMath.Sigmoid(l);
            var live = T.Eq(m, m);
            if (clip)
                m = T.Min(T.Max(m, T.Create(BernClip)), T.Create(1f - BernClip));
            return T.Select(live, m, T.Create(float.NaN));
        }

        public T Invoke<T>(T l, T u)
            where T : struct, ISimd<T> => new DrawOp().Invoke(Mean(l), u);
    }

    readonly struct MeanOp(HardSampleOp hard) : IBinaryOp
    {
        public T Invoke<T>(T l, T _)
            where T : struct, ISimd<T> => hard.Mean(l);
    }

    /// <summary>[u &lt; m] for a mean m (false for a NaN m).</summary>
    readonly struct DrawOp : IBinaryOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T m, T u)
            where T : struct, ISimd<T> => T.Lt(u, m) & T.Create(1f);
    }

    protected override void BernoulliSampleBackwardCore(in BernoulliSampleBackwardArgs args)
    {
        var (xs, dxs, n, tau, accumulate, dlogits) = args;
        Mem X = A(xs),
            D = A(dxs),
            O = A(dlogits);
        Chunks(n, 1 << 15, (s, e) =>
            Elementwise.Map(
                new RelaxedGradOp(tau),
                X.Span(s, e - s),
                D.Span(s, e - s),
                O.Span(s, e - s),
                accumulate: accumulate
            )
        );
    }

    // dxs xs (1 - xs) / tau, rounded step by step (no fused multiply-add); at tau = 1 without the exact division.
    readonly struct RelaxedGradOp(float tau) : IBinaryOp
    {
        public T Invoke<T>(T xs, T dxs)
            where T : struct, ISimd<T>
        {
            var g = dxs * xs * (T.Create(1f) - xs);
            return tau == 1f ? g : g / T.Create(tau);
        }
    }
}
