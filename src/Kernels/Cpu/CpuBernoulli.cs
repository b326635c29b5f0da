using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cpu;

// Twin of bernoulli.cl.
public sealed partial class CpuAccelerator
{
    const float BernClip = 1e-5f;
    /// <summary>sigmoid(+-BernLogitClip) = 1 - 1e-5 and 1e-5: the original form's clip on m, moved to the logits.</summary>
    const float BernLogitClip = 11.512915464920228f;

    // One pass per row: logp = sum x lc - softplus(lc), lc = l (exact) or l clamped to +-ln(99999) (original, the
    // same as clipping m; see bernoulli.cl), summed in one vector of lanes then across them. The ragged tail is masked.
    protected override void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp)
    {
        Mem X = A(x), L = A(logits), O = A(logp);
        bool clip = form == BernoulliForm.Original;
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            for (int r = s; r < e; r++)
                O[r] = Elementwise.Wide ? RowLogLik<V512>(X.Span(r * d, d), L.Span(r * d, d), clip)
                    : RowLogLik<V256>(X.Span(r * d, d), L.Span(r * d, d), clip);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float RowLogLik<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> l, bool clip) where T : struct, ISimd<T>
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ls = ref MemoryMarshal.GetReference(l);
        var acc = T.Create(0f);
        int d = x.Length, j = 0;
        for (; j + T.Count <= d; j += T.Count) acc += LogLikTerm(T.Load(ref xs, (nuint)j), T.Load(ref ls, (nuint)j), clip);
        if (j < d) acc += Tail<T>(x[j..], l[j..], clip);
        return T.Sum(acc);
    }

    // The last d mod Count elements, padded with zeros and masked out of the sum.
    static T Tail<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> l, bool clip) where T : struct, ISimd<T>
    {
        Span<float> xt = stackalloc float[T.Count], lt = stackalloc float[T.Count], live = stackalloc float[T.Count];
        xt.Clear(); lt.Clear();
        x.CopyTo(xt); l.CopyTo(lt);
        for (int i = 0; i < live.Length; i++) live[i] = i < x.Length ? BitConverter.Int32BitsToSingle(-1) : 0f;
        return LogLikTerm(T.Load(ref xt[0], 0), T.Load(ref lt[0], 0), clip) & T.Load(ref live[0], 0);
    }

    // t[j] = 0 where |l[j]| >= the logit clip (branch-free: trained logits saturate on much of the background).
    static void InsideClip(ReadOnlySpan<float> l, Span<float> t)
    {
        if (Elementwise.Wide) InsideClip<V512>(l, t); else InsideClip<V256>(l, t);
    }

    static void InsideClip<T>(ReadOnlySpan<float> l, Span<float> t) where T : struct, ISimd<T>
    {
        ref float ls = ref MemoryMarshal.GetReference(l);
        ref float ts = ref MemoryMarshal.GetReference(t);
        var c = T.Create(BernLogitClip);
        int j = 0;
        for (; j + T.Count <= t.Length; j += T.Count)
            T.Store(T.Load(ref ts, (nuint)j) & T.Lt(T.Abs(T.Load(ref ls, (nuint)j)), c), ref ts, (nuint)j);
        for (; j < t.Length; j++) if (!(MathF.Abs(l[j]) < BernLogitClip)) t[j] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T LogLikTerm<T>(T x, T l, bool clip) where T : struct, ISimd<T>
    {
        if (clip) l = T.Min(T.Max(l, T.Create(-BernLogitClip)), T.Create(BernLogitClip));
        return x * l - T.Max(l, T.Create(0f)) - SoftplusTailOp.Invoke(l);
    }

    // dlogits += g (x - sigmoid l), only strictly inside the clip in the original form; dx += g lc.
    protected override void BernoulliLogLikBackwardCore(View x, View logits, View g, int m, int d, BernoulliForm form, bool accumulate, View dlogits, View dx)
    {
        Mem X = A(x), L = A(logits), G = A(g), DL = A(dlogits), DX = A(dx);
        bool hasDx = !dx.IsEmpty, clip = form == BernoulliForm.Original;
        Chunks(m, Grain(d * 4), (s, e) =>
        {
            Span<float> t = d <= 4096 ? stackalloc float[d] : new float[d];
            for (int r = s; r < e; r++)
            {
                float gr = G[r];
                var xr = X.Span(r * d, d);
                var lr = L.Span(r * d, d);
                var dl = DL.Span(r * d, d);
                Elementwise.Map<SigmoidOp>(lr, t);
                TensorPrimitives.Subtract(xr, t, t);                      // x - sigmoid(l)
                if (clip) InsideClip(lr, t);
                if (accumulate) TensorPrimitives.MultiplyAdd(t, gr, dl, dl); else TensorPrimitives.Multiply(t, gr, dl);
                if (!hasDx) continue;
                var dxr = DX.Span(r * d, d);
                if (!clip) { TensorPrimitives.MultiplyAdd(lr, gr, dxr, dxr); continue; }
                TensorPrimitives.Clamp(lr, -BernLogitClip, BernLogitClip, t);
                TensorPrimitives.MultiplyAdd(t, gr, dxr, dxr);
            }
        });
    }

    protected override void BernoulliSampleCore(View logits, View u, int n, float tau, bool relaxed, BernoulliForm form, View xs)
    {
        Mem L = A(logits), U = A(u), O = A(xs);
        Chunks(n, 1 << 14, (s, e) =>
        {
            if (relaxed)
            {
                // sigmoid((l + log u - log(1 - u)) / tau), in slices that fit a stack buffer
                Span<float> t = stackalloc float[1024];
                for (int i = s; i < e; i += t.Length)
                {
                    int len = Math.Min(t.Length, e - i);
                    var o = O.Span(i, len); var tt = t[..len];
                    Elementwise.Map<LogOp>(U.Span(i, len), o);
                    TensorPrimitives.Subtract(1f, U.Span(i, len), tt);
                    Elementwise.Map<LogOp>(tt, tt);
                    TensorPrimitives.Subtract(o, tt, o);
                    TensorPrimitives.Add(o, L.Span(i, len), o);
                    TensorPrimitives.Divide(o, tau, o);
                    Elementwise.Map<SigmoidOp>(o, o);
                }
                return;
            }
            var m = O.Span(s, e - s);                     // the means first, in place, then the comparison
            Elementwise.Map<SigmoidOp>(L.Span(s, e - s), m);
            if (form == BernoulliForm.Original) { TensorPrimitives.Max(m, BernClip, m); TensorPrimitives.Min(m, 1f - BernClip, m); }
            Threshold(U.Span(s, e - s), m);
        });
    }

    // m[i] = u[i] < m[i] ? 1 : 0, branch-free: with random u a branch would mispredict half the time.
    static void Threshold(ReadOnlySpan<float> u, Span<float> m)
    {
        if (Elementwise.Wide) Threshold<V512>(u, m); else Threshold<V256>(u, m);
    }

    static void Threshold<T>(ReadOnlySpan<float> u, Span<float> m) where T : struct, ISimd<T>
    {
        ref float us = ref MemoryMarshal.GetReference(u);
        ref float ms = ref MemoryMarshal.GetReference(m);
        int i = 0;
        for (; i + T.Count <= m.Length; i += T.Count)
            T.Store(T.Lt(T.Load(ref us, (nuint)i), T.Load(ref ms, (nuint)i)) & T.Create(1f), ref ms, (nuint)i);
        for (; i < m.Length; i++) m[i] = u[i] < m[i] ? 1f : 0f;
    }

    protected override void BernoulliSampleBackwardCore(View xs, View dxs, int n, float tau, View dlogits)
    {
        Mem X = A(xs), D = A(dxs), O = A(dlogits);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++) O[i] += D[i] * X[i] * (1f - X[i]) / tau;
        });
    }
}
