using System.Numerics.Tensors;

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
                    TensorPrimitives.Abs(lr, t);
                    TensorPrimitives.Negate(t, t);
                    TensorPrimitives.Exp(t, t);
                    TensorPrimitives.Add(t, 1f, t);
                    TensorPrimitives.Log(t, t);
                    TensorPrimitives.Max(lr, 0f, u);
                    O[r] = TensorPrimitives.Dot(xr, lr) - TensorPrimitives.Sum(t) - TensorPrimitives.Sum(u);
                }
                else
                {
                    // x log m + (1-x) log(1-m) = x (log m - log(1-m)) + log(1-m), m clipped
                    TensorPrimitives.Sigmoid(lr, t);
                    TensorPrimitives.Max(t, BernClip, t);
                    TensorPrimitives.Min(t, 1f - BernClip, t);
                    TensorPrimitives.Negate(t, u);
                    TensorPrimitives.Add(u, 1f, u);
                    TensorPrimitives.Log(t, t);
                    TensorPrimitives.Log(u, u);
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
            for (int r = s; r < e; r++)
            {
                float gr = G[r];
                var xr = X.Span(r * d, d);
                var lr = L.Span(r * d, d);
                var dl = DL.Span(r * d, d);
                TensorPrimitives.Sigmoid(lr, t);
                if (form == BernoulliForm.Exact)
                {
                    TensorPrimitives.Subtract(xr, t, t);                  // x - sigmoid(l)
                    TensorPrimitives.MultiplyAdd(t, gr, dl, dl);
                    if (hasDx) TensorPrimitives.MultiplyAdd(lr, gr, DX.Span(r * d, d), DX.Span(r * d, d));
                    continue;
                }
                for (int j = 0; j < d; j++)
                {
                    float sg = t[j], mm = Fn.Clamp(sg, BernClip, 1f - BernClip);
                    dl[j] += gr * (sg > BernClip && sg < 1f - BernClip ? xr[j] - mm : 0f);
                    if (hasDx) DX[r * d + j] += gr * (MathF.Log(mm) - MathF.Log(1f - mm));
                }
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
                for (int i = s; i < e; i++) O[i] = Fn.Sigmoid((L[i] + MathF.Log(U[i]) - MathF.Log(1f - U[i])) / tau);
                return;
            }
            var m = O.Span(s, e - s);                     // the means first, in place, then the comparison
            TensorPrimitives.Sigmoid(L.Span(s, e - s), m);
            if (form == BernoulliForm.Original) { TensorPrimitives.Max(m, BernClip, m); TensorPrimitives.Min(m, 1f - BernClip, m); }
            var uu = U.Span(s, e - s);
            for (int i = 0; i < m.Length; i++) m[i] = uu[i] < m[i] ? 1f : 0f;
        });
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
