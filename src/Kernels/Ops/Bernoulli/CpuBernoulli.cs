using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cpu;

// The managed CPU twin of DeviceBernoulli.cs (this folder).
public sealed partial class CpuBackend
{
    // One pass per row: logp = sum x lc - softplus(lc), lc = l (exact) or l clamped to +-ln(99999) (original, the
    // same as clipping m), summed in RowSum's fixed order, so every vector width gives the same bits.
    protected override void BernoulliLogLikCore(in BernoulliLogLikArgs args)
    {
        var (x, logits, m, d, form, logp) = args;
        Mem X = A(x),
            L = A(logits),
            O = A(logp);
        var term = new LogLikTerm(form == BernoulliForm.Original);
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            for (int r = s; r < e; r++)
                O[r] = RowSum.Of(term, X.Span(r * d, d), L.Span(r * d, d));
        });
    }

    /// <summary>x lc - softplus(lc), lc = l or l clamped (the device kernel runs it on one Lane).</summary>
    internal readonly struct LogLikTerm(bool clip) : IRowTerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T l)
            where T : struct, ISimd<T>
        {
            if (clip)
                l = T.Min(T.Max(l, T.Create(-BernLogitClip)), T.Create(BernLogitClip));
            return x * l - T.Max(l, T.Create(0f)) - SoftplusTailOp.Invoke(l);
        }
    }

    // dlogits += g (x - sigmoid l), only strictly inside the clip in the original form; dx += g lc.
    protected override void BernoulliLogLikBackwardCore(in BernoulliLogLikBackwardArgs args)
    {
        var (x, logits, g, m, d, form, accumulate, dlogits, dx) = args;
        Mem X = A(x),
            L = A(logits),
            G = A(g),
            DL = A(dlogits),
            DX = A(dx);
        bool hasDx = !dx.IsEmpty,
            hasDl = !dlogits.IsEmpty,
            clip = form == BernoulliForm.Original;
        Chunks(m, Grain(d * 4), (s, e) =>
        {
            Span<float> t = hasDx ? (d <= 4096 ? stackalloc float[d] : new float[d]) : default;
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

    // g (x - sigmoid l), zero where |l| >= the logit clip in the original form (branch-free: trained logits
    // saturate on much of the background).
    readonly struct LogitGradOp(float g, bool clip) : IBinaryOp
    {
        public T Invoke<T>(T x, T l)
            where T : struct, ISimd<T>
        {
            var t = x - VectorMath.Sigmoid(l);
            if (clip)
                t &= T.Lt(T.Abs(l), T.Create(BernLogitClip));
            return t * T.Create(g);
        }
    }

    protected override void BernoulliSampleCore(in BernoulliSampleArgs args)
    {
        var (logits, u, n, tau, relaxed, form, xs) = args;
        Mem L = A(logits),
            U = A(u),
            O = A(xs);
        Chunks(n, 1 << 14, (s, e) =>
        {
            if (relaxed)
            {
                Elementwise.Map(
                    new RelaxedSampleOp(tau),
                    L.Span(s, e - s),
                    U.Span(s, e - s),
                    O.Span(s, e - s),
                    bPad: 0.5f
                );
                return;
            }
            Elementwise.Map(
                new HardSampleOp(form == BernoulliForm.Original),
                L.Span(s, e - s),
                U.Span(s, e - s),
                O.Span(s, e - s)
            );
        });
    }

    // xs = sigmoid((l + log u - log(1 - u)) / tau), rounded step by step as the device kernel writes it (the padded
    // tail has u = 1/2, so the logs stay finite).
    /// <summary>The relaxed sample (the device kernel runs it on one Lane).</summary>
    internal readonly struct RelaxedSampleOp(float tau) : IBinaryOp
    {
        public T Invoke<T>(T l, T u)
            where T : struct, ISimd<T> =>
            VectorMath.Sigmoid((l + (VectorMath.Log(u) - VectorMath.Log(T.Create(1f) - u))) / T.Create(tau));
    }

    // xs = u < m ? 1 : 0 with m = sigmoid(l), clipped to [1e-5, 1 - 1e-5] in the original form, branch-free (with
    // random u a branch would mispredict half the time); a NaN mean samples 0.
    readonly struct HardSampleOp(bool clip) : IBinaryOp
    {
        public T Invoke<T>(T l, T u)
            where T : struct, ISimd<T>
        {
            var m = VectorMath.Sigmoid(l);
            var live = T.Eq(m, m);
            if (clip)
                m = T.Min(T.Max(m, T.Create(BernClip)), T.Create(1f - BernClip));
            return T.Lt(u, m) & live & T.Create(1f);
        }
    }

    protected override void BernoulliSampleBackwardCore(in BernoulliSampleBackwardArgs args)
    {
        var (xs, dxs, n, tau, dlogits) = args;
        Mem X = A(xs),
            D = A(dxs),
            O = A(dlogits);
        Chunks(n, 1 << 15, (s, e) =>
            Elementwise.Map(
                new RelaxedGradOp(tau),
                X.Span(s, e - s),
                D.Span(s, e - s),
                O.Span(s, e - s),
                accumulate: true
            )
        );
    }

    // dxs xs (1 - xs) / tau, rounded step by step (no fused multiply-add).
    readonly struct RelaxedGradOp(float tau) : IBinaryOp
    {
        public T Invoke<T>(T xs, T dxs)
            where T : struct, ISimd<T> => dxs * xs * (T.Create(1f) - xs) / T.Create(tau);
    }
}
