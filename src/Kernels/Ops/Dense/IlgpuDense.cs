namespace Untapped.Kernels.Ilgpu;

// The launches of the GEMM, the activation backward and the row fold (DeviceGemm.cs, DeviceDense.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void GemmCore(in GemmArgs args)
    {
        var (a, b, bias, m, k, n, transA, transB, act, accumulate, c, rowsReady, sums) = args;
        if (!sums.IsEmpty)
            SumsOfB(args); // reads B only: in stream order before or after the GEMM alike
        if (m == 0 || n == 0)
            return;
        var grid = new Index2D((n + GemmTile - 1) / GemmTile, (m + GemmTile - 1) / GemmTile);
        Run(
            DeviceGemm.Gemm,
            new KernelConfig(grid, new Index2D(GemmThreads, GemmThreads)),
            Arr(a),
            Arr(b),
            Arr(bias),
            new GemmShape(m, k, n, transA, transB, !bias.IsEmpty, act, accumulate),
            Arr(c)
        );
        // The epilogue's kernels follow the GEMM in stream order, over all rows: the same bits as the CPU's fused
        // epilogue (row-wise work). Fusing them into the GEMM tile is not done: a tile holds 64 of a row's columns,
        // and the Bernoulli log-likelihood sums whole rows in the CPU's order.
        rowsReady?.Invoke(0, m);
    }

    // dZ is written unless it is dY itself and there is no activation to apply.
    protected override void ActBiasBackwardCore(in ActBiasBackwardArgs args)
    {
        var (y, dy, m, n, act, dz, db) = args;
        if (n == 0)
            return;
        var config = new KernelConfig(new Index2D((n + BiasCols - 1) / BiasCols, 1), new Index2D(BiasCols, BiasRows));
        Run(
            DeviceDense.ActBiasBackward,
            config,
            Arr(y),
            Arr(dy),
            m,
            n,
            act,
            (Flag)(act != Activation.None || !dz.Equals(dy)),
            Arr(dz),
            Arr(db)
        );
    }

    protected override void FoldRowsCore(in FoldRowsArgs args)
    {
        var (x, m, n, p, y) = args;
        if (n > 0)
            Run(DeviceDense.FoldRows, (Index1D)(p * n), Arr(x), m, n, p, Arr(y));
    }
}
