using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Cpu;

// Twin of Device/DeviceGumbel.cs.
public sealed partial class CpuBackend
{
    protected override void GumbelSoftmaxCore(View logits, View u, int m, int k, float tau, View y)
    {
        Mem L = A(logits),
            U = A(u),
            Y = A(y);
        bool noise = !u.IsEmpty;
        Chunks(m, Grain(k * 16), (s, e) =>
        {
            Span<float> a = stackalloc float[k];
            for (int r = s; r < e; r++)
            {
                float mx = -3.0e38f;
                for (int j = 0; j < k; j++)
                {
                    float v = L[r * k + j];
                    if (noise)
                        v += Fn.GumbelNoise(U[r * k + j]);
                    a[j] = v / tau;
                    mx = MathF.Max(mx, a[j]);
                }
                float sum = 0f;
                for (int j = 0; j < k; j++)
                {
                    a[j] = MathF.Exp(a[j] - mx);
                    sum += a[j];
                }
                for (int j = 0; j < k; j++)
                    Y[r * k + j] = a[j] / sum;
            }
        });
    }

    protected override void GumbelSoftmaxBackwardCore(View y, View dy, int m, int k, float tau, View dlogits)
    {
        Mem Y = A(y),
            DY = A(dy),
            DL = A(dlogits);
        Chunks(m, Grain(k * 4), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float dot = 0f;
                for (int j = r * k; j < (r + 1) * k; j++)
                    dot += DY[j] * Y[j];
                for (int j = r * k; j < (r + 1) * k; j++)
                    DL[j] += Y[j] * (DY[j] - dot) / tau;
            }
        });
    }

    // t_j = log_softmax(logits)_j - tau log y_j for one row; returns (log-sum-exp of logits, max of t).
    static (float Lse, float TMax) ConcreteTerms(Mem L, Mem Y, int o, int k, float tau, Span<float> t)
    {
        float mx = -3.0e38f;
        for (int j = 0; j < k; j++)
            mx = MathF.Max(mx, L[o + j]);
        float se = 0f;
        for (int j = 0; j < k; j++)
            se += MathF.Exp(L[o + j] - mx);
        float lse = mx + MathF.Log(se),
            tm = -3.0e38f;
        for (int j = 0; j < k; j++)
        {
            t[j] = L[o + j] - lse - tau * Fn.LogFloored(Y[o + j]);
            tm = MathF.Max(tm, t[j]);
        }
        return (lse, tm);
    }

    protected override void ConcreteLogPdfCore(View logits, View y, int m, int k, float tau, float logNorm, View lp)
    {
        Mem L = A(logits),
            Y = A(y),
            O = A(lp);
        Chunks(m, Grain(k * 16), (s, e) =>
        {
            Span<float> t = stackalloc float[k];
            for (int r = s; r < e; r++)
            {
                var (lse, tm) = ConcreteTerms(L, Y, r * k, k, tau, t);
                float lin = 0f,
                    st = 0f;
                for (int j = 0; j < k; j++)
                {
                    lin += L[r * k + j] - lse - (tau + 1f) * Fn.LogFloored(Y[r * k + j]);
                    st += MathF.Exp(t[j] - tm);
                }
                O[r] = logNorm - k * (tm + MathF.Log(st)) + lin;
            }
        });
    }

    protected override void ConcreteLogPdfBackwardCore(
        View logits,
        View y,
        View g,
        int m,
        int k,
        float tau,
        View dlogits,
        View dy
    )
    {
        Mem L = A(logits),
            Y = A(y),
            G = A(g),
            DL = A(dlogits),
            DY = A(dy);
        bool hasDy = !dy.IsEmpty;
        Chunks(m, Grain(k * 16), (s, e) =>
        {
            Span<float> t = stackalloc float[k];
            for (int r = s; r < e; r++)
            {
                var (_, tm) = ConcreteTerms(L, Y, r * k, k, tau, t);
                float st = 0f;
                for (int j = 0; j < k; j++)
                {
                    t[j] = MathF.Exp(t[j] - tm);
                    st += t[j];
                }
                float gr = G[r];
                for (int j = 0; j < k; j++)
                {
                    int i = r * k + j;
                    float w = t[j] / st;
                    DL[i] += gr * (1f - k * w);
                    if (hasDy)
                        DY[i] += gr * (k * tau * w - tau - 1f) / MathF.Max(Y[i], LogFloor);
                }
            }
        });
    }
}
