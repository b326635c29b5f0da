using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cpu;

// Twin of dense.cl.
public sealed partial class CpuAccelerator
{
    protected override void GemmCore(View a, View b, View bias, int m, int k, int n, bool transA, bool transB,
        Activation act, bool accumulate, View c) =>
        CpuGemm.Run(this, A(a), A(b), A(bias), m, k, n, transA, transB, act, accumulate, A(c));

    const int BiasRows = 128;

    // Fixed blocks of 128 rows (in parallel): the block's dZ is formed in one pass over its contiguous rows, then its
    // rows are added to the block's partial row; the partials are then added in block order, one fixed order per
    // column for any thread count.
    protected override void ActBiasBackwardCore(View y, View dy, int m, int n, Activation act, View dz, View db)
    {
        Mem Y = A(y), DY = A(dy), DZ = A(dz), DB = A(db);
        int blocks = (m + BiasRows - 1) / BiasRows;
        float[] partial = System.Buffers.ArrayPool<float>.Shared.Rent(blocks * n);
        try
        {
            Chunks(blocks, Math.Max(1, Grain(BiasRows * n, 1 << 17)), (s, e) =>
            {
                for (int b = s; b < e; b++)
                {
                    int r0 = b * BiasRows, rows = Math.Min(m, r0 + BiasRows) - r0;
                    var dzb = DZ.Span(r0 * n, rows * n);
                    if (Elementwise.Wide) ActGrad<V512>(Y.Span(r0 * n, rows * n), DY.Span(r0 * n, rows * n), dzb, act);
                    else ActGrad<V256>(Y.Span(r0 * n, rows * n), DY.Span(r0 * n, rows * n), dzb, act);
                    var acc = partial.AsSpan(b * n, n);
                    acc.Clear();
                    for (int r = 0; r < rows; r++)
                    {
                        var dzr = dzb.Slice(r * n, n);
                        if (n >= 16) TensorPrimitives.Add(acc, dzr, acc);
                        else for (int j = 0; j < n; j++) acc[j] += dzr[j];
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

    // dz = dy act'(y) elementwise, where act' is written in terms of the output y; dz may be dy (in place).
    // tanh: dy (1 - y y); sigmoid: dy ((1 - y) y), rounded step by step (no fused multiply-add) in vector and tail
    // alike; softplus: -expm1(-y), scalar for its precision near 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ActGrad<T>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, Activation act) where T : struct, ISimd<T>
    {
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float dys = ref MemoryMarshal.GetReference(dy);
        ref float dzs = ref MemoryMarshal.GetReference(dz);
        int len = y.Length, i = 0;
        var one = T.Create(1f);
        switch (act)
        {
            case Activation.Tanh:
                for (; i + T.Count <= len; i += T.Count)
                {
                    var v = T.Load(ref ys, (nuint)i);
                    T.Store(T.Load(ref dys, (nuint)i) * (one - v * v), ref dzs, (nuint)i);
                }
                for (; i < len; i++) dz[i] = dy[i] * (1f - y[i] * y[i]);
                break;
            case Activation.Sigmoid:
                for (; i + T.Count <= len; i += T.Count)
                {
                    var v = T.Load(ref ys, (nuint)i);
                    T.Store(T.Load(ref dys, (nuint)i) * ((one - v) * v), ref dzs, (nuint)i);
                }
                for (; i < len; i++) dz[i] = dy[i] * ((1f - y[i]) * y[i]);
                break;
            case Activation.Softplus:
                for (; i < len; i++) dz[i] = dy[i] * Fn.ActGrad(y[i], act);
                break;
            default:
                if (!Unsafe.AreSame(ref dzs, ref dys)) dy.CopyTo(dz);
                break;
        }
    }
}
