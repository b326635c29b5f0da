using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

// Twin of bernoulli.cl.
public sealed partial class CpuAccelerator
{
    const float BernClip = 1e-5f;
    /// <summary>sigmoid(+-BernLogitClip) = 1 - 1e-5 and 1e-5: the original form's clip on m, moved to the logits.</summary>
    const float BernLogitClip = 11.512915464920228f;

    // One pass per row: logp = sum x lc - softplus(lc), lc = l (exact) or l clamped to +-ln(99999) (original, the
    // same as clipping m; see bernoulli.cl), summed in eight lanes then across them. The ragged tail is masked.
    protected override void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp)
    {
        Mem X = A(x), L = A(logits), O = A(logp);
        bool clip = form == BernoulliForm.Original;
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            Span<float> xt = stackalloc float[8], lt = stackalloc float[8];
            for (int r = s; r < e; r++)
            {
                var xr = X.Span(r * d, d);
                var lr = L.Span(r * d, d);
                var acc = Vector256<float>.Zero;
                int j = 0;
                for (; j + 8 <= d; j += 8) acc += LogLikTerm(Vector256.Create(xr[j..]), Vector256.Create(lr[j..]), clip);
                if (j < d)
                {
                    xt.Clear(); lt.Clear();
                    xr[j..].CopyTo(xt); lr[j..].CopyTo(lt);
                    var live = Vector256.LessThan(Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7), Vector256.Create((float)(d - j)));
                    acc += LogLikTerm(Vector256.Create<float>(xt), Vector256.Create<float>(lt), clip) & live;
                }
                O[r] = Vector256.Sum(acc);
            }
        });
    }

    // t[j] = 0 where |l[j]| >= the logit clip (branch-free: trained logits saturate on much of the background).
    static void InsideClip(ReadOnlySpan<float> l, Span<float> t)
    {
        var c = Vector256.Create(BernLogitClip);
        int j = 0;
        for (; j + 8 <= t.Length; j += 8)
            (Vector256.Create<float>(t[j..]) & Vector256.LessThan(Vector256.Abs(Vector256.Create(l[j..])), c)).CopyTo(t[j..]);
        for (; j < t.Length; j++) if (!(MathF.Abs(l[j]) < BernLogitClip)) t[j] = 0f;
    }

    static Vector256<float> LogLikTerm(Vector256<float> x, Vector256<float> l, bool clip)
    {
        if (clip) l = Vector256.MinNative(Vector256.MaxNative(l, Vector256.Create(-BernLogitClip)), Vector256.Create(BernLogitClip));
        return x * l - Vector256.MaxNative(l, Vector256<float>.Zero) - SoftplusTailOp.Invoke(l);
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
        int i = 0;
        for (; i + 8 <= m.Length; i += 8)
        {
            var one = Vector256.LessThan(Vector256.Create(u[i..]), Vector256.Create<float>(m[i..])) & Vector256.Create(1f);
            one.CopyTo(m[i..]);
        }
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
