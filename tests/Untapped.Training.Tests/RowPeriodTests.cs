using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// Tensor.RowPeriod: a dense layer over inputs whose rows repeat computes one period and copies it down. The checks
/// compare against the same graph without the promise, which runs the whole GEMM, so any difference in a bit shows.
/// </summary>
public sealed class RowPeriodTests
{
    const int Rows = 10,
        Period = 3,
        In = 5,
        Hidden = 4;

    static float[] Tiled(int rows, int period, int cols, int seed)
    {
        var r = new Random(seed);
        var first = Enumerable.Range(0, period * cols).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        return Enumerable.Range(0, rows * cols).Select(i => first[i % (period * cols)]).ToArray();
    }

    // x (periodic) -> tanh dense -> dense, the second layer's input inheriting the period; loss = mean ||out - t||.
    static (float[] Out, float[] Grad, long Flops, int OutPeriod) Run(int period, float[] x)
    {
        var g = new ComputeGraph();
        var w0 = g.Parameter("w0", In, Hidden);
        var b0 = g.Parameter("b0", 1, Hidden);
        var w1 = g.Parameter("w1", Hidden, 3);
        var b1 = g.Parameter("b1", 1, 3);
        var xi = g.Input("x", Rows, In, period);
        var t = g.Input("t", Rows, 3);
        var h = g.Dense("h", [xi], w0, b0, Activation.Tanh);
        var o = g.Dense("o", [h], w1, b1, Activation.None);
        g.Loss("fit", 1f, new LossPart(g.L2Distance("d", o, t), 1f));
        using var cpu = new CpuBackend(2);
        using var ex = new Executor(g, cpu, 5);
        cpu.CopyFromHost(g.Parameters.Initialise(5, 1.0, new HashSet<string>()), ex.Parameters);
        ex.SetInput(xi, x);
        ex.SetInput(t, Enumerable.Range(0, Rows * 3).Select(i => (float)Math.Sin(i)).ToArray());
        cpu.Fill(Rows * 3, float.NaN, ex.Value(o)); // rows the copy must overwrite
        ex.Forward();
        ex.Backward();
        long flops = g.Ops.OfType<DenseOp>().Sum(op => op.Flops(false));
        return (cpu.ToArray(ex.Value(o)), cpu.ToArray(ex.Gradients), flops, o.RowPeriod);
    }

    [Fact]
    public void PeriodicDenseLayersGiveTheWholeGemmsBitsAndGradients()
    {
        var x = Tiled(Rows, Period, In, 1);
        var whole = Run(0, x);
        var periodic = Run(Period, x);
        Assert.Equal(Period, periodic.OutPeriod);
        Assert.Equal(0, whole.OutPeriod);
        Assert.Equal(
            whole.Out.Select(BitConverter.SingleToInt32Bits),
            periodic.Out.Select(BitConverter.SingleToInt32Bits)
        );
        Assert.Equal(whole.Grad, periodic.Grad);
        Assert.All(periodic.Out, v => Assert.True(float.IsFinite(v)));
        // Forward flops: 2 m n k per layer, m the period when periodic.
        Assert.Equal(2L * Rows * (In * Hidden + Hidden * 3), whole.Flops);
        Assert.Equal(2L * Period * (In * Hidden + Hidden * 3), periodic.Flops);
    }

    [Fact]
    public void SetInputRejectsDataWhoseRowsDoNotRepeat()
    {
        var x = Tiled(Rows, Period, In, 2);
        x[^1] += 1e-3f; // the last row differs from the one a period above it
        var e = Assert.Throws<ArgumentException>(() => Run(Period, x));
        Assert.Contains("x", e.Message);
        Assert.Contains("repeating every 3", e.Message);
        var g = new ComputeGraph();
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Input("bad", 4, 2, rowPeriod: 5));
    }

    // The trainer's use: Untapped under `--unfeatured-z fixed` feeds the ten (y, z) pairs tiled, and declaring it so
    // changes no loss and no gradient bit against the untiled declaration of the same objective.
    [Fact]
    public void TiledUnfeaturedStreamLeavesTheObjectiveBitwiseUnchanged()
    {
        const int batch = 25;
        var cfg = ModelConfig.For(Preset.Original);
        Assert.Equal(UnfeaturedZ.Fixed, cfg.UnfeaturedZ);
        (float[] Losses, float[] Grad) Step(bool tiled)
        {
            var obj = new Objective(cfg, batch, batch, batch, unfeaturedTiled: tiled);
            Assert.Equal(tiled ? 10 : 0, obj.YUnfeatured!.RowPeriod);
            using var cpu = new CpuBackend(2);
            using var ex = new Executor(obj.Graph, cpu, 7);
            cpu.CopyFromHost(Networks.Initialise(obj.Graph.Parameters, 7), ex.Parameters);
            var r = new Random(3);
            float[] Bits(int n) => Enumerable.Range(0, n).Select(_ => r.NextDouble() < 0.3 ? 1f : 0f).ToArray();
            var yl = new float[batch * 10];
            for (int i = 0; i < batch; i++)
                yl[i * 10 + r.Next(10)] = 1f;
            var yf = new float[batch * 10];
            for (int i = 0; i < batch; i++)
                yf[i * 10 + i % 10] = 1f;
            ex.SetInput(obj.XLabelled, Bits(batch * 784));
            ex.SetInput(obj.YLabelled, yl);
            ex.SetInput(obj.XUnlabelled, Bits(batch * 784));
            ex.SetInput(obj.YUnfeatured, yf);
            ex.SetInput(obj.ZUnfeatured!, Tiled(batch, 10, 2, 4));
            ex.Forward();
            ex.Backward();
            return (ex.ReadLosses(), cpu.ToArray(ex.Gradients));
        }
        var plain = Step(false);
        var tiled = Step(true);
        Assert.Equal(plain.Losses, tiled.Losses);
        Assert.Equal(plain.Grad, tiled.Grad);
        Assert.Contains(plain.Grad, v => v != 0);
    }
}
