using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Untapped.Kernels.Cpu;

// Twin of dense.cl.
public sealed partial class CpuAccelerator
{
    protected override void GemmCore(View a, View b, View bias, int m, int k, int n, bool transA, bool transB,
        Activation act, bool accumulate, View c) =>
        CpuGemm.Run(this, A(a), A(b), A(bias), m, k, n, transA, transB, act, accumulate, A(c));

    const int BiasRows = 128;

    // Fixed blocks of 128 rows (in parallel): each row's dZ is formed while it is in L1 and added to the block's
    // partial row; the partials are then added in block order, one fixed order per column for any thread count.
    protected override void ActBiasBackwardCore(View y, View dy, int m, int n, Activation act, View dz, View db)
    {
        Mem Y = A(y), DY = A(dy), DZ = A(dz), DB = A(db);
        int blocks = (m + BiasRows - 1) / BiasRows;
        float[] partial = System.Buffers.ArrayPool<float>.Shared.Rent(blocks * n);
        try
        {
            Chunks(blocks, Math.Max(1, Grain(BiasRows * n, 1 << 17)), (s, e) =>
            {
                Span<float> t = n <= 4096 ? stackalloc float[n] : new float[n];
                for (int b = s; b < e; b++)
                {
                    var acc = partial.AsSpan(b * n, n);
                    acc.Clear();
                    for (int r = b * BiasRows, r1 = Math.Min(m, r + BiasRows); r < r1; r++)
                    {
                        var yr = Y.Span(r * n, n);
                        var dyr = DY.Span(r * n, n);
                        var dzr = DZ.Span(r * n, n);
                        switch (act)
                        {
                            case Activation.Tanh:                               // 1 - y^2
                                TensorPrimitives.Multiply(yr, yr, t);
                                TensorPrimitives.Subtract(1f, t, t);
                                TensorPrimitives.Multiply(dyr, t, dzr);
                                break;
                            case Activation.Sigmoid:                            // y (1 - y)
                                TensorPrimitives.Subtract(1f, yr, t);
                                TensorPrimitives.Multiply(t, yr, t);
                                TensorPrimitives.Multiply(dyr, t, dzr);
                                break;
                            case Activation.Softplus:                           // -expm1(-y), scalar for its precision near 0
                                for (int j = 0; j < n; j++) dzr[j] = dyr[j] * Fn.ActGrad(yr[j], act);
                                break;
                            default:
                                if (!Unsafe.AreSame(ref dzr[0], ref dyr[0])) dyr.CopyTo(dzr);
                                break;
                        }
                        TensorPrimitives.Add(acc, dzr, acc);
                    }
                }
            });
            var total = partial.AsSpan(0, n);
            for (int b = 1; b < blocks; b++) TensorPrimitives.Add(total, partial.AsSpan(b * n, n), total);
            var o = DB.Span(0, n);
            TensorPrimitives.Add(o, total, o);
        }
        finally { System.Buffers.ArrayPool<float>.Shared.Return(partial); }
    }
}
