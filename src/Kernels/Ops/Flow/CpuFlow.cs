namespace Untapped.Kernels.Cpu;

// The managed CPU side of the logistic flow: the rows of FlowRows.cs (this folder), which the device kernels run too,
// on transposed blocks of a vector's lanes' worth of rows (RowBlock.cs).
public sealed partial class CpuBackend
{
    protected override void LogisticFlowCore(in LogisticFlowArgs args)
    {
        var (zt, m, d, lo, hi, form, z, logdet) = args;
        BlockRows(new FlowBlocks(A(zt), d, lo, hi, form, A(z), A(logdet)), m, d, 3);
    }

    readonly struct FlowBlocks(Mem zt, int d, float lo, float hi, LogDetForm form, Mem z, Mem logdet) : IBlockRows
    {
        public void Run<TV>(int r, int rows, float[] blocks)
            where TV : struct, ISimd<TV>
        {
            int dw = d * TV.Count;
            var t = new RowBlock<TV>(blocks, 0).Load(zt, r, rows, d);
            RowBlock<TV> zs = new(blocks, dw),
                ld = new(blocks, 2 * dw);
            FlowRows.Forward<
                TV,
                RowBlock<TV>,
                RowThrough<SigmoidOp, TV, RowBlock<TV>>,
                RowThrough<SoftplusNegOp, TV, RowBlock<TV>>,
                RowThrough<SoftplusOp, TV, RowBlock<TV>>
            >(new(t), new(t), new(t), d, lo, hi, form, zs, ld);
            zs.StoreTo(z, r, rows, d);
            ld.StoreTo(logdet, r, rows, 1);
        }
    }

    protected override void LogisticFlowBackwardCore(in LogisticFlowBackwardArgs args)
    {
        var (zt, dz, dlogdet, m, d, lo, hi, form, dzt) = args;
        BlockRows(new FlowBackwardBlocks(A(zt), A(dz), A(dlogdet), d, lo, hi, form, A(dzt)), m, d, 4);
    }

    readonly struct FlowBackwardBlocks(Mem zt, Mem dz, Mem dlogdet, int d, float lo, float hi, LogDetForm form, Mem dzt)
        : IBlockRows
    {
        public void Run<TV>(int r, int rows, float[] blocks)
            where TV : struct, ISimd<TV>
        {
            int dw = d * TV.Count;
            var o = new RowBlock<TV>(blocks, 3 * dw).Load(dzt, r, rows, d);
            // The sigmoid is read twice per element (the product and the gradient): computed once, in place.
            FlowRows.Backward<TV, RowBlock<TV>, RowBlock<TV>, RowBlock<TV>>(
                new RowBlock<TV>(blocks, 0).Load(zt, r, rows, d).Apply<SigmoidOp>(d),
                new RowBlock<TV>(blocks, dw).Load(dz, r, rows, d),
                new RowBlock<TV>(blocks, 2 * dw).Load(dlogdet, r, rows, 1),
                d,
                lo,
                hi,
                form,
                o
            );
            o.StoreTo(dzt, r, rows, d);
        }
    }

    protected override void LogisticFlowInverseCore(in LogisticFlowInverseArgs args)
    {
        var (z, n, lo, hi, zt) = args;
        Mem Z = A(z),
            O = A(zt);
        Chunks(n, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++)
                O[i] = Fn.FlowInverse(Z[i], lo, hi);
        });
    }
}
