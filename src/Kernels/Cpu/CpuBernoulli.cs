using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Untapped.Kernels.Cpu;

// Twin of bernoulli.cl.
public sealed partial class CpuAccelerator
{
    const float BernClip = 1e-5f;

    // Rows are independent; inside a row the sums run through TensorPrimitives (vectorised, fixed order).
    protected override void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp)
    {
        Mem X = A(x), L = A(logits), O = A(logp);
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            Span<float> t = d <= 4096 ? stackalloc float[d] : new float[d];
            Span<float> u = d <= 4096 ? stackalloc float[d] : new float[d];
            for (int r = s; r < e; r++)
            {
                var xr = X.Span(r * d, d);
                var lr = L.Span(r * d, d);
                if (form == BernoulliForm.Exact)
                {
                    // x l - softplus(l), softplus(l) = max(l, 0) + log(1 + e^-|l|)
                    Elementwise.Map<SoftplusTailOp>(lr, t);
                    TensorPrimitives.Max(lr, 0f, u);
                    O[r] = TensorPrimitives.Dot(xr, lr) - TensorPrimitives.Sum(t) - TensorPrimitives.Sum(u);
                }
                else
                {
                    // x log m + (1-x) log(1-m) = x (log m - log(1-m)) + log(1-m), m clipped
                    Elementwise.Map<SigmoidOp>(lr, t);
                    TensorPrimitives.Max(t, BernClip, t);
                    TensorPrimitives.Min(t, 1f - BernClip, t);
                    TensorPrimitives.Negate(t, u);
                    TensorPrimitives.Add(u, 1f, u);
                    Elementwise.Map<LogOp>(t, t);
                    Elementwise.Map<LogOp>(u, u);
                    float sum1m = TensorPrimitives.Sum(u);
                    TensorPrimitives.Subtract(t, u, t);
                    O[r] = TensorPrimitives.Dot(xr, t) + sum1m;
                }
            }
        });
    }

    protected override void BernoulliLogLikBackwardCore(View x, View logits, View g, int m, int d, BernoulliForm form, View dlogits, View dx)
    {
        Mem X = A(x), L = A(logits), G = A(g), DL = A(dlogits), DX = A(dx);
        bool hasDx = !dx.IsEmpty;
        Chunks(m, Grain(d * 4), (s, e) =>
        {
            Span<float> t = d <= 4096 ? stackalloc float[d] : new float[d];
            Span<float> mm = d <= 4096 ? stackalloc float[d] : new float[d];
            Span<float> lg = d <= 4096 ? stackalloc float[d] : new float[d];
            for (int r = s; r < e; r++)
            {
                float gr = G[r];
                var xr = X.Span(r * d, d);
                var lr = L.Span(r * d, d);
                var dl = DL.Span(r * d, d);
                Elementwise.Map<SigmoidOp>(lr, t);
                if (form == BernoulliForm.Exact)
                {
                    TensorPrimitives.Subtract(xr, t, t);                  // x - sigmoid(l)
                    TensorPrimitives.MultiplyAdd(t, gr, dl, dl);
                    if (hasDx) TensorPrimitives.MultiplyAdd(lr, gr, DX.Span(r * d, d), DX.Span(r * d, d));
                    continue;
                }
                // The clipped mean passes gradient to the logits only strictly inside the clip.
                for (int j = 0; j < d; j++)
                {
                    float sg = t[j];
                    dl[j] += gr * (sg > BernClip && sg < 1f - BernClip ? xr[j] - sg : 0f);
                }
                if (!hasDx) continue;
                TensorPrimitives.Max(t, BernClip, mm);                       // dx += g (log m - log(1 - m)), m clipped
                TensorPrimitives.Min(mm, 1f - BernClip, mm);
                TensorPrimitives.Subtract(1f, mm, lg);
                Elementwise.Map<LogOp>(lg, lg);
                Elementwise.Map<LogOp>(mm, mm);
                TensorPrimitives.Subtract(mm, lg, mm);
                var dxr = DX.Span(r * d, d);
                TensorPrimitives.MultiplyAdd(mm, gr, dxr, dxr);
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
