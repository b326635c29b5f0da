using System.Runtime.CompilerServices;

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
            if (Lanes.Wide)
                AdamRange<V512>(st, norm, W, G, M1, V2, s, e);
            else if (Lanes.Has256)
                AdamRange<V256>(st, norm, W, G, M1, V2, s, e);
            else
                AdamRange<V128>(st, norm, W, G, M1, V2, s, e);
        });
    }

    // Elements [s, e) a vector at a time (AdamStep.Update: each lane the scalar update's bits), the tail one by one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AdamRange<T>(AdamStep st, float norm, Mem w, Mem g, Mem m, Mem v, int s, int e)
        where T : struct, ISimd<T>
    {
        int i = s;
        for (; i + T.Count <= e; i += T.Count)
        {
            T mi = T.Load(ref m[i], 0),
                vi = T.Load(ref v[i], 0);
            T.Store(st.Update(T.Load(ref g[i], 0), norm, T.Load(ref w[i], 0), ref mi, ref vi), ref w[i], 0);
            T.Store(mi, ref m[i], 0);
            T.Store(vi, ref v[i], 0);
        }
        for (; i < e; i++)
            st.Apply(g[i], norm, ref w[i], ref m[i], ref v[i]);
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
