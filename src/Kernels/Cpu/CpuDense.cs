using System.Numerics.Tensors;

namespace Untapped.Kernels.Cpu;

// Twin of dense.cl.
public sealed partial class CpuAccelerator
{
    protected override void GemmCore(View a, View b, View bias, int m, int k, int n, bool transA, bool transB,
        Activation act, bool accumulate, View c) =>
        CpuGemm.Run(this, A(a), A(b), A(bias), m, k, n, transA, transB, act, accumulate, A(c));

    protected override void ActBackwardCore(View y, View dy, int n, Activation act, View dz)
    {
        Mem Y = A(y), DY = A(dy), DZ = A(dz);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++) DZ[i] = DY[i] * Fn.ActGrad(Y[i], act);
        });
    }

    const int ColSumRows = 128;

    // Row blocks of a fixed 128 rows are summed into per-block partial rows (streaming whole rows, in parallel),
    // then the partials are added in block order: one fixed order per column for any thread count.
    protected override void ColSumCore(View x, int m, int n, float scale, bool accumulate, View output)
    {
        Mem X = A(x), O = A(output);
        int blocks = (m + ColSumRows - 1) / ColSumRows;
        if (blocks == 0) { if (!accumulate) O.Span(0, n).Clear(); return; }
        float[] partial = System.Buffers.ArrayPool<float>.Shared.Rent(blocks * n);
        try
        {
            Chunks(blocks, Math.Max(1, Grain(ColSumRows * n, 1 << 17)), (s, e) =>
            {
                for (int b = s; b < e; b++)
                {
                    var acc = partial.AsSpan(b * n, n);
                    int r0 = b * ColSumRows, r1 = Math.Min(m, r0 + ColSumRows);
                    X.Span(r0 * n, n).CopyTo(acc);
                    for (int r = r0 + 1; r < r1; r++) TensorPrimitives.Add(acc, X.Span(r * n, n), acc);
                }
            });
            var total = partial.AsSpan(0, n);
            for (int b = 1; b < blocks; b++) TensorPrimitives.Add(total, partial.AsSpan(b * n, n), total);
            var o = O.Span(0, n);
            if (accumulate) TensorPrimitives.MultiplyAdd(total, scale, o, o);
            else TensorPrimitives.Multiply(total, scale, o);
        }
        finally { System.Buffers.ArrayPool<float>.Shared.Return(partial); }
    }
}
