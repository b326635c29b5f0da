namespace Untapped.Kernels.Cpu;

// Twin of bernoulli.cl.
public sealed partial class CpuAccelerator
{
    const float BernClip = 1e-5f;

    protected override void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp)
    {
        Mem X = A(x), L = A(logits), O = A(logp);
        Chunks(m, Grain(d * 8), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float acc = 0f;
                int o = r * d;
                if (form == BernoulliForm.Exact)
                    for (int j = 0; j < d; j++) acc += X[o + j] * L[o + j] - Fn.Softplus(L[o + j]);
                else
                    for (int j = 0; j < d; j++)
                    {
                        float mm = Fn.Clamp(Fn.Sigmoid(L[o + j]), BernClip, 1f - BernClip), xv = X[o + j];
                        acc += xv * MathF.Log(mm) + (1f - xv) * MathF.Log(1f - mm);
                    }
                O[r] = acc;
            }
        });
    }

    protected override void BernoulliLogLikBackwardCore(View x, View logits, View g, int m, int d, BernoulliForm form, View dlogits, View dx)
    {
        Mem X = A(x), L = A(logits), G = A(g), DL = A(dlogits), DX = A(dx);
        bool hasDx = !dx.IsEmpty;
        Chunks(m, Grain(d * 4), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float gr = G[r];
                for (int i = r * d; i < (r + 1) * d; i++)
                {
                    float xv = X[i], lv = L[i], dl, dxv;
                    if (form == BernoulliForm.Exact) { dl = xv - Fn.Sigmoid(lv); dxv = lv; }
                    else
                    {
                        float sg = Fn.Sigmoid(lv), mm = Fn.Clamp(sg, BernClip, 1f - BernClip);
                        dl = sg > BernClip && sg < 1f - BernClip ? xv - mm : 0f;
                        dxv = MathF.Log(mm) - MathF.Log(1f - mm);
                    }
                    DL[i] += gr * dl;
                    if (hasDx) DX[i] += gr * dxv;
                }
            }
        });
    }

    protected override void BernoulliSampleCore(View logits, View u, int n, float tau, bool relaxed, BernoulliForm form, View xs)
    {
        Mem L = A(logits), U = A(u), O = A(xs);
        Chunks(n, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                float lv = L[i], uv = U[i];
                if (relaxed) O[i] = Fn.Sigmoid((lv + MathF.Log(uv) - MathF.Log(1f - uv)) / tau);
                else
                {
                    float mm = Fn.Sigmoid(lv);
                    if (form == BernoulliForm.Original) mm = Fn.Clamp(mm, BernClip, 1f - BernClip);
                    O[i] = uv < mm ? 1f : 0f;
                }
            }
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
