namespace Untapped.Kernels.Cpu;

// Twin of Device/DeviceAdam.cs.
public sealed partial class CpuBackend
{
    protected override void SumSquaresPartialsCore(View x, int n, View partials)
    {
        Mem X = A(x),
            P = A(partials);
        int chunk = (n + NormPartials - 1) / NormPartials;
        Chunks(NormPartials, 16, (s, e) =>
        {
            for (int g = s; g < e; g++)
            {
                int lo = Math.Min(n, g * chunk),
                    hi = Math.Min(n, lo + chunk);
                float acc = 0f;
                for (int i = lo; i < hi; i++)
                    acc += X[i] * X[i];
                P[g] = acc;
            }
        });
    }

    protected override void AdamCore(View partials, int n, AdamStep step, View parameters, View grads, View m, View v)
    {
        var ps = S(partials);
        float sq = 0f;
        for (int i = 0; i < NormPartials; i++)
            sq += ps[i];
        float norm = MathF.Sqrt(sq);
        Mem W = A(parameters),
            G = A(grads),
            M1 = A(m),
            V2 = A(v);
        var st = step;
        Chunks(n, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++)
                st.Apply(G[i], norm, ref W[i], ref M1[i], ref V2[i]);
        });
    }
}
