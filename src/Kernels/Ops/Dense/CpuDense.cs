using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cpu;

// The managed CPU twin of DeviceDense.cs (this folder).
public sealed partial class CpuBackend
{
    protected override void GemmCore(in GemmArgs args)
    {
        var (a, b, bias, m, k, n, transA, transB, act, accumulate, c, rowsReady, sums) = args;
        bool summed = CpuGemm.Run(
            this,
            A(a),
            A(b),
            A(bias),
            m,
            k,
            n,
            transA,
            transB,
            act,
            accumulate,
            A(c),
            rowsReady: rowsReady,
            sumsOfB: A(sums)
        );
        if (!sums.IsEmpty && !summed)
            SumsOfB(args);
    }

    // A read and packed once for every output when each takes the tall schedule (narrow outputs over many rows: the
    // first layers of the classifier and the z-encoder, forward and weight gradient); else one GEMM after another.
    protected override void GemmsCore(View a, int m, int k, bool transA, bool transB, GemmOutput[] outputs)
    {
        if (outputs.Length < 2)
        {
            base.GemmsCore(a, m, k, transA, transB, outputs); // every Gemm call: nothing to share
            return;
        }
        var outs = outputs
            .Select(o => new CpuGemm.Output(A(o.B), A(o.Bias), o.N, o.Act, o.Accumulate, A(o.C), o.RowsReady))
            .ToArray();
        if (!CpuGemm.SharesTall(this, m, k, outs))
        {
            base.GemmsCore(a, m, k, transA, transB, outputs);
            return;
        }
        CpuGemm.RunShared(this, A(a), m, k, transA, transB, outs);
        foreach (var o in outputs)
        {
            if (!o.SumsOfB.IsEmpty)
                SumsOfB(Args(a, m, k, transA, transB, o));
        }
    }

    // Fixed blocks of LaunchShape.BiasBlockRows rows (in parallel; a block's dZ and its partial row stay in L1/L2): the block's dZ is formed in one pass over its contiguous rows, then its
    // rows are added to the block's partial row; the partials are then added in block order, one fixed order per
    // column for any thread count, which the device kernel keeps too.
    // One period row at a time (in parallel): start from row c, then add rows c + p, c + 2p, ... in order, each add a
    // vector pass over the row (elementwise, so each element is the scalar chain the device thread runs).
    protected override void FoldRowsCore(in FoldRowsArgs args)
    {
        var (x, m, n, p, y) = args;
        Mem X = A(x),
            Y = A(y);
        ForEach(p, 1, c =>
        {
            var acc = Y.Span(c * n, n);
            X.Span(c * n, n).CopyTo(acc);
            for (int r = c + p; r < m; r += p)
                TensorPrimitives.Add(acc, X.Span(r * n, n), acc);
        });
    }

    protected override void ActBiasBackwardCore(in ActBiasBackwardArgs args)
    {
        var (y, dy, m, n, act, dz, db) = args;
        Mem Y = A(y),
            DY = A(dy),
            DZ = A(dz),
            DB = A(db);
        if (db.IsEmpty)
        {
            Chunks(m * n, Grain(1, 1 << 17), (s, e) =>
                ActGrad(Y.Span(s, e - s), DY.Span(s, e - s), DZ.Span(s, e - s), act)
            );
            return;
        }
        int blocks = (m + BiasBlockRows - 1) / BiasBlockRows;
        float[] partial = System.Buffers.ArrayPool<float>.Shared.Rent(blocks * n);
        try
        {
            Chunks(blocks, Math.Max(1, Grain(BiasBlockRows * n, 1 << 17)), (s, e) =>
            {
                for (int b = s; b < e; b++)
                {
                    int r0 = b * BiasBlockRows,
                        rows = Math.Min(m, r0 + BiasBlockRows) - r0;
                    var dzb = DZ.Span(r0 * n, rows * n);
                    ActGrad(Y.Span(r0 * n, rows * n), DY.Span(r0 * n, rows * n), dzb, act);
                    var acc = partial.AsSpan(b * n, n);
                    acc.Clear();
                    for (int r = 0; r < rows; r++)
                    {
                        var dzr = dzb.Slice(r * n, n);
                        if (n >= 16)
                        {
                            TensorPrimitives.Add(acc, dzr, acc);
                        }
                        else
                        {
                            for (int j = 0; j < n; j++)
                                acc[j] += dzr[j];
                        }
                    }
                }
            });
            var total = partial.AsSpan(0, n);
            for (int b = 1; b < blocks; b++)
                TensorPrimitives.Add(total, partial.AsSpan(b * n, n), total);
            var o = DB.Span(0, n);
            TensorPrimitives.Add(o, total, o);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(partial);
        }
    }

    // dz = dy act'(y) elementwise, where act' is written in terms of the output y; dz may be dy (in place).
    // tanh: dy (1 - y y); sigmoid: dy ((1 - y) y), rounded step by step (no fused multiply-add); softplus:
    // -expm1(-y), scalar for its precision near 0.
    static void ActGrad(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, Activation act)
    {
        switch (act)
        {
            case Activation.Tanh:
                Elementwise.Map(new TanhGradOp(), y, dy, dz);
                break;
            case Activation.Sigmoid:
                Elementwise.Map(new SigmoidGradOp(), y, dy, dz);
                break;
            case Activation.Softplus:
                for (int i = 0; i < y.Length; i++)
                    dz[i] = dy[i] * Fn.ActGrad(y[i], act);
                break;
            default:
                if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(dz), ref MemoryMarshal.GetReference(dy)))
                    dy.CopyTo(dz);
                break;
        }
    }

    readonly struct TanhGradOp : IBinaryOp
    {
        public T Invoke<T>(T y, T dy)
            where T : struct, ISimd<T> => dy * (T.Create(1f) - y * y);
    }

    readonly struct SigmoidGradOp : IBinaryOp
    {
        public T Invoke<T>(T y, T dy)
            where T : struct, ISimd<T> => dy * ((T.Create(1f) - y) * y);
    }
}
