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

    // Columns in blocks of 64; rows in order inside a block, so each column's sum has one fixed order.
    protected override void ColSumCore(View x, int m, int n, float scale, bool accumulate, View output)
    {
        Mem X = A(x), O = A(output);
        Chunks(n, 64, (s, e) =>
        {
            Span<float> acc = stackalloc float[e - s];
            acc.Clear();
            for (int r = 0; r < m; r++) TensorPrimitives.Add(acc, X.Span(r * n + s, e - s), acc);
            for (int j = s; j < e; j++) O[j] = (accumulate ? O[j] : 0f) + scale * acc[j - s];
        });
    }
}
