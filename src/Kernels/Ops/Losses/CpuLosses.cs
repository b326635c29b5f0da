using System.Numerics.Tensors;

namespace Untapped.Kernels.Cpu;

// The managed CPU side of the losses: the cross-entropy rows of LossRows.cs (this folder), which the device kernels
// run too; the L2 distance vectorised (its twin in DeviceLosses.cs reduces over a group of threads).
public sealed partial class CpuBackend
{
    protected override void ClippedCrossEntropyCore(in ClippedCrossEntropyArgs args)
    {
        var (p, target, m, k, loss) = args;
        Mem P = A(p),
            T = A(target),
            O = A(loss);
        Chunks(m, Grain(k * 4), (s, e) =>
        {
            for (int r = s; r < e; r++)
                LossRows.CrossEntropy(r, P, T, k, O);
        });
    }

    protected override void ClippedCrossEntropyBackwardCore(in ClippedCrossEntropyBackwardArgs args)
    {
        var (p, target, g, m, k, dp) = args;
        Mem P = A(p),
            T = A(target),
            G = A(g),
            DP = A(dp);
        Chunks(m, Grain(k * 4), (s, e) =>
        {
            for (int r = s; r < e; r++)
                LossRows.CrossEntropyBackward(r, P, T, G, k, DP);
        });
    }

    protected override void L2DistanceCore(in L2DistanceArgs args)
    {
        var (a, b, m, d, dist) = args;
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
    internal readonly struct SquaredDifference : IRowTerm
    {
        public T Invoke<T>(T a, T b)
            where T : struct, ISimd<T>
        {
            var t = a - b;
            return t * t;
        }
    }

    protected override void L2DistanceBackwardCore(in L2DistanceBackwardArgs args)
    {
        var (a, b, dist, g, m, d, accumulate, da) = args;
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
}
