using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// Tensor.RowPeriod: a dense layer over inputs whose rows repeat computes one period and copies it down, and runs its
/// backward on the gradient folded onto one period. The checks compare against the same graph without the promise,
/// which runs the whole GEMMs: the forward bit for bit (each output row is its own FMA chain, whatever the number of
/// rows), the gradients within float rounding (the fold adds the rows in another order than the whole GEMM): at most
/// 1e-5 of the tensor's largest gradient apart.
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
    static (float[] Out, float[] Grad, long Flops, long BackwardFlops, int OutPeriod, bool[] Folds) Run(
        int period,
        float[] x
    )
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
        var output = cpu.ToArray(ex.Value(o)); // before its slot is free again (its last reader's backward)
        ex.Backward();
        var dense = g.Ops.OfType<DenseOp>().ToArray();
        return (
            output,
            cpu.ToArray(ex.Gradients),
            dense.Sum(op => op.Flops(false)),
            dense.Sum(op => op.Flops(true)),
            o.RowPeriod,
            [.. dense.Select(d => d.FoldsBackward), h.FoldedGrad, o.FoldedGrad]
        );
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
        AssertClose(whole.Grad, periodic.Grad);
        Assert.NotEqual(whole.Grad, periodic.Grad); // the fold ran: it adds in another order
        Assert.All(periodic.Out, v => Assert.True(float.IsFinite(v)));
        // Both layers fold; h keeps a folded gradient (its reader is the folding layer o), o a whole one (the loss's).
        Assert.Equal([true, true, true, false], periodic.Folds);
        Assert.Equal([false, false, false, false], whole.Folds);
        // Flops: 2 m n k per layer, m the period when periodic (backward: dW, and dX for h, whose input x takes none).
        Assert.Equal(2L * Rows * (In * Hidden + Hidden * 3), whole.Flops);
        Assert.Equal(2L * Period * (In * Hidden + Hidden * 3), periodic.Flops);
        Assert.Equal(2L * Rows * (In * Hidden + 2 * Hidden * 3), whole.BackwardFlops);
        Assert.Equal(2L * Period * (In * Hidden + 2 * Hidden * 3), periodic.BackwardFlops);
    }

    static void AssertClose(float[] want, float[] got)
    {
        Assert.Equal(want.Length, got.Length);
        float scale = want.Max(MathF.Abs);
        Assert.True(scale > 0);
        for (int i = 0; i < want.Length; i++)
        {
            Assert.True(
                MathF.Abs(want[i] - got[i]) <= 1e-5f * scale,
                $"[{i}]: whole GEMMs {want[i]:R}, folded {got[i]:R} (largest gradient {scale:R})"
            );
        }
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
    // changes no loss bit and no gradient beyond float rounding against the untiled declaration of the same objective;
    // the reverse stream's three decoder layers run their backward on ten rows, and its hidden layers leave their
    // other rows unwritten (nothing reads them; GraphTests' NaN-filled arena holds the step to that).
    [Fact]
    public void TiledUnfeaturedStreamLeavesTheObjectiveBitwiseUnchanged()
    {
        const int batch = 25;
        var cfg = ModelConfig.For(Preset.Original);
        Assert.Equal(UnfeaturedZ.Fixed, cfg.UnfeaturedZ);
        (float[] Losses, float[] Grad, int Folding) Step(bool tiled)
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
            var copying = obj.Graph.Ops.OfType<DenseOp>().Where(d => d.Outputs[0].RowPeriod > 0 && d.FillsPeriods);
            Assert.Equal(tiled ? ["decoder.out (reverse)"] : (string[])[], copying.Select(d => d.Label));
            // Floats stored for each reverse decoder layer's output and its gradient: one period (10 rows) of the hidden
            // layers' (and of the logits' gradient, folded where it is made), all 25 rows of the logits the Bernoulli
            // ops read.
            var stored = obj
                .Graph.Ops.OfType<DenseOp>()
                .Where(d => d.Label.StartsWith("decoder.") && d.Label.EndsWith("(reverse)"))
                .Select(d => (ex.Plan.Value(d.Outputs[0]).Floats, ex.Plan.Grad(d.Outputs[0])!.Floats));
            int rows = tiled ? 10 : batch;
            Assert.Equal([(rows * 250, rows * 250), (rows * 500, rows * 500), (batch * 784, rows * 784)], stored);
            return (
                ex.ReadLosses(),
                cpu.ToArray(ex.Gradients),
                obj.Graph.Ops.OfType<DenseOp>().Count(d => d.FoldsBackward)
            );
        }
        var plain = Step(false);
        var tiled = Step(true);
        Assert.Equal(plain.Losses, tiled.Losses);
        AssertClose(plain.Grad, tiled.Grad);
        Assert.Contains(plain.Grad, v => v != 0);
        Assert.Equal(0, plain.Folding);
        Assert.Equal(3, tiled.Folding);
    }

    // The fixed-z decoder's logits keep a folded gradient: their log-likelihood folds it as it makes it
    // (Backend.BernoulliLogLikBackwardFolded) and the hard sample writes none, so the output layer has nothing left to
    // fold; a relaxed x~ writes whole rows, and the layer folds them itself. Both give the same bits as writing whole
    // rows and folding after (the kernel's test; InvariantTests' original-preset hash runs the folded plan).
    [Theory]
    [InlineData(XTildeGrad.None, true)]
    [InlineData(XTildeGrad.Relaxed, false)]
    public void TheFixedZLogitsGradientIsFoldedWhereItIsMade(XTildeGrad xTilde, bool folded)
    {
        using var cpu = new CpuBackend(1);
        var cfg = ModelConfig.For(Preset.Original) with { XTildeGrad = xTilde };
        using var f = new Untapped.Training.Gate.ObjectiveFixture(cpu, cfg, 32, 1);
        var output = f.Objective.Graph.Ops.OfType<DenseOp>().Single(d => d.Label == "decoder.out (reverse)");
        var logits = output.Outputs[0];
        Assert.Equal(10, logits.RowPeriod);
        Assert.Equal(folded, logits.FoldedGrad);
        Assert.True(output.FoldsBackward);
    }

    // The gate's and the backend tests' fixture builds the objective as the trainer does, so a device's five-step check
    // of the original preset runs the folded backward too.
    [Fact]
    public void TheCheckFixtureFoldsTheUnfeaturedStreamAsTrainingDoes()
    {
        using var cpu = new CpuBackend(1);
        using var fixedZ = new Untapped.Training.Gate.ObjectiveFixture(cpu, ModelConfig.For(Preset.Original), 32, 1);
        using var sampledZ = new Untapped.Training.Gate.ObjectiveFixture(cpu, ModelConfig.For(Preset.Paper), 32, 1);
        Assert.Equal(3, fixedZ.Objective.Graph.Ops.OfType<DenseOp>().Count(d => d.FoldsBackward));
        Assert.Equal(0, sampledZ.Objective.Graph.Ops.OfType<DenseOp>().Count(d => d.FoldsBackward));
    }
}
