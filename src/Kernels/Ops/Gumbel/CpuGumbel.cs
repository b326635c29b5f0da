namespace Untapped.Kernels.Cpu;

// The managed CPU side of the Gumbel family: the rows of GumbelRows.cs (this folder), which the device kernels run
// too, on transposed blocks of a vector's lanes' worth of rows (RowBlock.cs), so that each exp and log works on 16
// (AVX-512) or 8 (AVX2) rows at once.
public sealed partial class CpuBackend
{
    protected override void GumbelSoftmaxCore(in GumbelSoftmaxArgs args)
    {
        var (logits, u, m, k, tau, y) = args;
        BlockRows(new SoftmaxBlocks(A(logits), A(u), k, tau, A(y)), m, k, 4);
    }

    readonly struct SoftmaxBlocks(Mem logits, Mem u, int k, float tau, Mem y) : IBlockRows
    {
        public void Run<TV>(int r, int rows, float[] blocks)
            where TV : struct, ISimd<TV>
        {
            int kw = k * TV.Count;
            var l = new RowBlock<TV>(blocks, 0).Load(logits, r, rows, k);
            bool noise = !u.IsEmpty;
            var g = noise ? new RowBlock<TV>(blocks, kw).Load(u, r, rows, k) : default;
            var ys = new RowBlock<TV>(blocks, 2 * kw);
            GumbelRows.Softmax<TV, RowBlock<TV>, RowBlock<TV>, RowThrough<GumbelNoiseOp, TV, RowBlock<TV>>>(
                l,
                new(g),
                k,
                tau,
                noise,
                ys,
                new RowBlock<TV>(blocks, 3 * kw)
            );
            ys.StoreTo(y, r, rows, k);
        }
    }

    protected override void GumbelSoftmaxBackwardCore(in GumbelSoftmaxBackwardArgs args)
    {
        var (y, dy, m, k, tau, dlogits) = args;
        BlockRows(new SoftmaxBackwardBlocks(A(y), A(dy), k, tau, A(dlogits)), m, k, 3);
    }

    readonly struct SoftmaxBackwardBlocks(Mem y, Mem dy, int k, float tau, Mem dlogits) : IBlockRows
    {
        public void Run<TV>(int r, int rows, float[] blocks)
            where TV : struct, ISimd<TV>
        {
            int kw = k * TV.Count;
            var dl = new RowBlock<TV>(blocks, 2 * kw).Load(dlogits, r, rows, k);
            GumbelRows.SoftmaxBackward<TV, RowBlock<TV>, RowBlock<TV>>(
                new RowBlock<TV>(blocks, 0).Load(y, r, rows, k),
                new RowBlock<TV>(blocks, kw).Load(dy, r, rows, k),
                k,
                tau,
                dl
            );
            dl.StoreTo(dlogits, r, rows, k);
        }
    }

    protected override void ConcreteLogPdfCore(in ConcreteLogPdfArgs args)
    {
        var (logits, y, m, k, tau, logNorm, lp) = args;
        BlockRows(new ConcreteLogPdfBlocks(A(logits), A(y), k, tau, logNorm, A(lp)), m, k, 4);
    }

    readonly struct ConcreteLogPdfBlocks(Mem logits, Mem y, int k, float tau, float logNorm, Mem lp) : IBlockRows
    {
        public void Run<TV>(int r, int rows, float[] blocks)
            where TV : struct, ISimd<TV>
        {
            int kw = k * TV.Count;
            var o = new RowBlock<TV>(blocks, 2 * kw);
            // log y is read twice per element (the terms and the linear sum): computed once, in place.
            GumbelRows.ConcreteLogPdf<TV, RowBlock<TV>, RowBlock<TV>, RowBlock<TV>>(
                new RowBlock<TV>(blocks, 0).Load(logits, r, rows, k),
                new RowBlock<TV>(blocks, kw).Load(y, r, rows, k).Apply<LogFlooredOp>(k),
                k,
                tau,
                logNorm,
                o,
                new RowBlock<TV>(blocks, 3 * kw)
            );
            o.StoreTo(lp, r, rows, 1);
        }
    }

    protected override void ConcreteLogPdfBackwardCore(in ConcreteLogPdfBackwardArgs args)
    {
        var (logits, y, g, m, k, tau, dlogits, dy) = args;
        BlockRows(new ConcreteLogPdfBackwardBlocks(A(logits), A(y), A(g), k, tau, A(dlogits), A(dy)), m, k, 6);
    }

    readonly struct ConcreteLogPdfBackwardBlocks(Mem logits, Mem y, Mem g, int k, float tau, Mem dlogits, Mem dy)
        : IBlockRows
    {
        public void Run<TV>(int r, int rows, float[] blocks)
            where TV : struct, ISimd<TV>
        {
            int kw = k * TV.Count;
            bool hasDy = !dy.IsEmpty;
            var ys = new RowBlock<TV>(blocks, kw).Load(y, r, rows, k);
            var dl = new RowBlock<TV>(blocks, 3 * kw).Load(dlogits, r, rows, k);
            var dys = hasDy ? new RowBlock<TV>(blocks, 4 * kw).Load(dy, r, rows, k) : default;
            GumbelRows.ConcreteLogPdfBackward<
                TV,
                RowBlock<TV>,
                RowBlock<TV>,
                RowThrough<LogFlooredOp, TV, RowBlock<TV>>
            >(
                new RowBlock<TV>(blocks, 0).Load(logits, r, rows, k),
                ys,
                new(ys),
                new RowBlock<TV>(blocks, 2 * kw).Load(g, r, rows, 1),
                k,
                tau,
                hasDy,
                dl,
                dys,
                new RowBlock<TV>(blocks, 5 * kw)
            );
            dl.StoreTo(dlogits, r, rows, k);
            if (hasDy)
                dys.StoreTo(dy, r, rows, k);
        }
    }
}
