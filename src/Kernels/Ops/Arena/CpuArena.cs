namespace Untapped.Kernels.Cpu;

// The managed CPU twin of DeviceArena.cs (this folder).
public sealed partial class CpuBackend
{
    protected override void SumSquaresPartialsCore(in SumSquaresPartialsArgs args)
    {
        var (x, n, partials) = args;
        ForEach(NormPartials, 16, g => ArenaRows.SumSquaresChunk(g, A(x), n, A(partials)));
    }

    protected override void AdamCore(in AdamArgs args)
    {
        var (partials, n, step, parameters, grads, m, v) = args;
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

    // In RowSum's fixed order, which the device kernel keeps with eight threads (the vectors are small: one value per
    // row).
    protected override void RowMeanAccumulateCore(in RowMeanAccumulateArgs args)
    {
        var (v, m, coef, output) = args;
        var x = S(v)[..m];
        S(output)[0] += coef * (RowSum.Of(x) / m);
    }

    protected override void FillCore(in FillArgs args)
    {
        var (n, value, output) = args;
        S(output)[..n].Fill(value);
    }
}
