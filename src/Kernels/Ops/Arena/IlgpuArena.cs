namespace Untapped.Kernels.Ilgpu;

// The launches of the batch mean, fill, the gradient norm and Adam (DeviceArena.cs, this folder).
public sealed partial class IlgpuBackend
{
    protected override void SumSquaresPartialsCore(in SumSquaresPartialsArgs args)
    {
        var (x, n, partials) = args;
        Run(DeviceArena.SumSquaresPartials, Groups(1, NormPartials), Arr(x), n, Arr(partials));
    }

    protected override void AdamCore(in AdamArgs args)
    {
        var (partials, n, step, parameters, grads, m, v) = args;
        if (n == 0)
            return;
        Run(DeviceArena.GlobalNorm, Groups(1, 1), Arr(partials), (V)_norm.View);
        Run(DeviceArena.Adam, Strided(n), (V)_norm.View, n, step, Arr(parameters), Arr(grads), Arr(m), Arr(v));
    }

    protected override void RowMeanAccumulateCore(in RowMeanAccumulateArgs args)
    {
        var (v, m, coef, output) = args;
        Run(DeviceArena.RowMeanAccumulate, Groups(1, RowGroup), Arr(v), m, coef, Arr(output));
    }

    protected override void FillCore(in FillArgs args)
    {
        var (n, value, output) = args;
        if (n > 0)
            Run(DeviceArena.Fill, Strided(n), n, value, Arr(output));
    }
}
