using System.Numerics.Tensors;
using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Cpu;

// Twin of Device/DeviceLosses.cs.
public sealed partial class CpuBackend
{
    protected override void ClippedCrossEntropyCore(View p, View target, int m, int k, View loss)
    {
        Mem P = A(p),
            T = A(target),
            O = A(loss);
        Chunks(m, Grain(k * 4), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float pt = 0f;
                for (int j = r * k; j < (r + 1) * k; j++)
                    pt += T[j] * P[j];
                O[r] = -MathF.Log(MathF.Max(pt, CeFloor));
            }
        });
    }

    protected override void ClippedCrossEntropyBackwardCore(View p, View target, View g, int m, int k, View dp)
    {
        Mem P = A(p),
            T = A(target),
            G = A(g),
            D = A(dp);
        Chunks(m, Grain(k * 4), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float pt = 0f;
                for (int j = r * k; j < (r + 1) * k; j++)
                    pt += T[j] * P[j];
                if (pt <= CeFloor)
                    continue;
                for (int j = r * k; j < (r + 1) * k; j++)
                    D[j] += -G[r] * T[j] / pt;
            }
        });
    }

    protected override void L2DistanceCore(View a, View b, int m, int d, View dist)
    {
        Mem X = A(a),
            Y = A(b),
            O = A(dist);
        Chunks(m, Grain(d), (s, e) =>
        {
            for (int r = s; r < e; r++)
                O[r] = MathF.Sqrt(RowSum.Of(new SquaredDifference(), X.Span(r * d, d), Y.Span(r * d, d)));
        });
    }

    // (a - b)^2; summed by RowSum (TensorPrimitives.Distance adds in an order that depends on the vector width).
    readonly struct SquaredDifference : IRowTerm
    {
        public T Invoke<T>(T a, T b)
            where T : struct, ISimd<T>
        {
            var t = a - b;
            return t * t;
        }
    }

    protected override void L2DistanceBackwardCore(
        View a,
        View b,
        View dist,
        View g,
        int m,
        int d,
        bool accumulate,
        View da
    )
    {
        Mem X = A(a),
            Y = A(b),
            N = A(dist),
            G = A(g),
            D = A(da);
        Chunks(m, Grain(d), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var dr = D.Span(r * d, d);
                if (!(N[r] > 0f))
                {
                    if (!accumulate)
                        dr.Clear();
                    continue;
                }
                Elementwise.Map(
                    new ScaledDifferenceOp(G[r] / N[r]),
                    X.Span(r * d, d),
                    Y.Span(r * d, d),
                    dr,
                    accumulate: accumulate
                );
            }
        });
    }

    // (a - b) f, rounded step by step.
    readonly struct ScaledDifferenceOp(float f) : IBinaryOp
    {
        public T Invoke<T>(T a, T b)
            where T : struct, ISimd<T> => (a - b) * T.Create(f);
    }

    // Sequential on purpose: one fixed order, and the vectors are small (one value per row).
    protected override void RowMeanAccumulateCore(View v, int m, float coef, View output)
    {
        var x = S(v);
        float acc = 0f;
        for (int i = 0; i < m; i++)
            acc += x[i];
        S(output)[0] += coef * (acc / m);
    }

    protected override void FillCore(int n, float value, View output) => S(output)[..n].Fill(value);
}
