using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Gate;
using Untapped.Training.Model;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The Bernoulli ops that read the decoder's logits run in the output layer's GEMM epilogue, and each hidden layer's
/// activation backward in the epilogue of the GEMM that finishes its output gradient
/// (<see cref="ComputeGraph.PlanEpilogues"/>): which ops fuse, and that a fused step gives the unfused step's bits.
/// </summary>
public class EpilogueTests
{
    // Op labels by the dense layer that runs them, written out from Objective.cs's order: each decoder's output layer is
    // followed by its log-likelihood; the labelled one's also by the reconstruction's noise, sample and distance, the
    // reverse stream's by its noise, its sample and the sample's log-likelihood. An op that reads those tensors further
    // on in the graph is not fused: log q(x~) under --reverse-qx marginal (after the classifier and encoder read x~).
    [Theory]
    [InlineData(Preset.Paper, ReverseQx.Uniform)]
    [InlineData(Preset.Original, ReverseQx.Uniform)]
    [InlineData(Preset.Paper, ReverseQx.Marginal)]
    public void TheDecoderOutputsRunTheirBernoulliOps(Preset preset, ReverseQx qx)
    {
        var cfg = ModelConfig.For(preset) with { ReverseQx = qx };
        using var cpu = new CpuBackend(1);
        using var f = new ObjectiveFixture(cpu, cfg, 20, 1);
        var plan = f
            .Objective.Graph.Ops.OfType<DenseOp>()
            .Where(d => d.Epilogue.Count > 0)
            .ToDictionary(d => d.Label, d => d.Epilogue.Select(o => o.Label).ToArray());
        string[] reverse = ["u_bernoulli (reverse)", "x_tilde (reverse)", "log_p (reverse)"];
        Assert.Equal(["decoder.out (labelled)", "decoder.out (unlabelled)", "decoder.out (reverse)"], plan.Keys);
        Assert.Equal(
            ["log_p (labelled)", "u_bernoulli (reconstruct)", "x_tilde (reconstruct)", "dist (reconstruct)"],
            plan["decoder.out (labelled)"]
        );
        Assert.Equal(["log_p (unlabelled)"], plan["decoder.out (unlabelled)"]);
        Assert.Equal(reverse, plan["decoder.out (reverse)"]);
        var fused = f.Objective.Graph.Ops.Where(o => o.FusedInto is not null).Select(o => o.Label);
        Assert.Equal(plan.Values.SelectMany(v => v).Order(), fused.Order());
        if (qx == ReverseQx.Marginal)
            Assert.Null(f.Objective.Graph.Ops.Single(o => o.Label == "log_q_x (reverse)").FusedInto);
    }

    // Every hidden (tanh) layer's activation backward runs in the input-gradient GEMM of the next layer of its network,
    // the first to read its output (classifier and decoder: l0 -> l1 -> out; z-encoder: l0 -> l1 -> mu, its first head),
    // except where the output is periodic: the original preset's reverse decoder, which folds its backward instead.
    // The output layers (none, softplus: read by non-dense ops) keep theirs.
    [Theory]
    [InlineData(Preset.Paper)]
    [InlineData(Preset.Original)]
    public void EachHiddenLayersActivationBackwardRunsInTheNextLayersGemm(Preset preset)
    {
        using var cpu = new CpuBackend(1);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(preset), 20, 1);
        var dense = f.Objective.Graph.Ops.OfType<DenseOp>().ToList();
        var byLabel = dense.ToDictionary(d => d.Label);
        var next = new Dictionary<string, string> { ["l0"] = "l1", ["l1"] = "out" };
        int fused = 0;
        foreach (var d in dense)
        {
            string layer = d.Label.Split(' ')[0].Split('.')[1];
            bool hidden = layer is "l0" or "l1";
            bool periodic =
                d.Label.StartsWith("decoder.") && d.Label.EndsWith("(reverse)") && preset == Preset.Original;
            Assert.Equal(hidden && !periodic, d.ActivationBackwardFused);
            if (!d.ActivationBackwardFused)
                continue;
            fused++;
            string up = d.Label.StartsWith("zencoder.") && layer == "l1" ? "mu" : next[layer];
            var above = byLabel[d.Label.Replace($".{layer} ", $".{up} ")];
            Assert.Same(d, above.ActivationBackwards.Single(b => b is not null));
        }
        Assert.Equal(fused, dense.Sum(d => d.ActivationBackwards.Count(b => b is not null)));
        Assert.True(fused >= 12, $"only {fused} fused activation backwards");
    }

    // The ops whose backward runs in the decoder's forward epilogue (ComputeGraph.PlanEpilogues): the labelled and
    // unlabelled streams' log-likelihoods (x is data, logp only a loss's, and the labelled logits' one other gradient
    // comes from the reconstruction's relaxed sample), and with a relaxed x~ that sample and its distance (the
    // distance's gradient a loss seed, the sample's output read only by the distance: the sample's backward waits for
    // the distance's and adds to the log-likelihood's dlogits, two writes in all). Not the reverse stream's where x~
    // takes a gradient (relaxed: its dx would be added out of order) or its logits fold (original: periodic), nor
    // where log p(x~) trains nothing (--reverse-logp-grad none); there with a hard x~ on random z, it does.
    [Theory]
    [InlineData(Preset.Paper, XTildeGrad.Relaxed, ReverseLogPGrad.Full, false)]
    [InlineData(Preset.Original, XTildeGrad.None, ReverseLogPGrad.Full, false)]
    [InlineData(Preset.Paper, XTildeGrad.None, ReverseLogPGrad.Full, true)]
    [InlineData(Preset.Paper, XTildeGrad.None, ReverseLogPGrad.None, false)]
    public void TheLogLikelihoodsBackwardRunsInTheForwardWhereItGivesTheSameBits(
        Preset preset,
        XTildeGrad xTilde,
        ReverseLogPGrad logpGrad,
        bool reverse
    )
    {
        var cfg = ModelConfig.For(preset) with { XTildeGrad = xTilde, ReverseLogPGrad = logpGrad };
        using var cpu = new CpuBackend(1);
        using var f = new ObjectiveFixture(cpu, cfg, 20, 1);
        bool relaxed = xTilde == XTildeGrad.Relaxed;
        string[] expected =
        [
            "log_p (labelled)",
            .. relaxed ? ["x_tilde (reconstruct)", "dist (reconstruct)"] : (string[])[],
            "log_p (unlabelled)",
            .. reverse ? ["log_p (reverse)"] : (string[])[],
        ];
        var early = f.Objective.Graph.Ops.Where(o => o.BackwardInForward).ToList();
        Assert.Equal(expected, early.Select(o => o.Label));
        // Only the sample waits (for the distance's dx~), and adds into the dlogits the log-likelihood wrote first.
        Assert.Equal(
            early.Select(o => o.Label.StartsWith("x_tilde") ? (true, true) : (false, false)),
            early.Select(o => o.BackwardInForwardOrder)
        );
        var plan = f.Executor.Plan;
        foreach (var op in early)
        {
            // The whole fused group's values, the gradient the op writes and its outputs' gradients (a loss seed, or
            // x~'s written by the distance) hold their own bytes at the step.
            var takes = op.Inputs.Single(t => t.RequiresGrad && op.WritesGrad(t));
            var group = op.FusedInto!.Epilogue.SelectMany(o => o.Inputs.Concat(o.Outputs))
                .Where(t => t.Kind != TensorKind.Parameter)
                .Distinct()
                .Select(plan.Value)
                .Append(plan.Grad(takes)!)
                .Concat(op.Outputs.Select(o => plan.Grad(o)!))
                .Distinct()
                .ToList();
            AssertApart(group);
        }
    }

    // A layer's logits read by a log-likelihood and then by one or two relaxed samples, each scored: with one sample the
    // log-likelihood's, the sample's and the distance's backwards move into the forward (the sample's gradient is then
    // added to the log-likelihood's, not it to the sample's: the same sum); with two, the distances' and the last
    // sample's (the first write of the logits' gradient in the backward pass, and still the first), not the
    // log-likelihood's or the first sample's (three gradients of the logits added in another order would round
    // differently). Two log-likelihoods of the logits both move, the second adding into the first's dlogits. Either
    // way the gradients are the unfused graph's bits.
    [Theory]
    [InlineData(1, 1, new[] { "log_p", "x~0", "d0" })]
    [InlineData(1, 2, new[] { "d0", "x~1", "d1" })]
    [InlineData(2, 0, new[] { "log_p", "log_q" })]
    public void TheLogLikelihoodsBackwardMovesOnlyWhereOneLaterWriteFollows(int logliks, int samples, string[] moves)
    {
        float[] Run(bool fuse)
        {
            const int rows = 200,
                cols = 40;
            var g = new ComputeGraph { FuseEpilogues = fuse };
            var w = g.Parameter("w", 6, cols);
            var b = g.Parameter("b", 1, cols);
            var x = g.Input("x", rows, 6);
            var target = g.Input("target", rows, cols);
            var other = g.Input("other", rows, cols);
            var logits = g.Dense("out", [x], w, b, Activation.None);
            g.Loss("log_p", 1f, new LossPart(g.BernoulliLogLik("log_p", target, logits, BernoulliForm.Exact), -1f));
            if (logliks == 2)
            {
                g.Loss(
                    "log_q",
                    0.3f,
                    new LossPart(g.BernoulliLogLik("log_q", other, logits, BernoulliForm.Exact), -1f)
                );
            }
            for (int k = 0; k < samples; k++)
            {
                var u = g.Noise($"u{k}", rows, cols, false);
                var xs = g.BernoulliSample($"x~{k}", logits, u, 0.7f, true, BernoulliForm.Exact);
                g.Loss($"d{k}", 0.5f, new LossPart(g.L2Distance($"d{k}", xs, target), 1f));
            }
            using var cpu = new CpuBackend(2);
            using var ex = new Executor(g, cpu, 9);
            Assert.Equal(fuse ? moves : [], g.Ops.Where(o => o.BackwardInForward).Select(o => o.Label));
            Assert.Equal(fuse, g.Ops.Any(o => o.FusedInto is not null));
            cpu.CopyFromHost(g.Parameters.Initialise(9, 1.0, new HashSet<string>()), ex.Parameters);
            var r = new Random(3);
            ex.SetInput(x, Enumerable.Range(0, rows * 6).Select(_ => r.NextSingle() * 4 - 2).ToArray());
            ex.SetInput(target, Enumerable.Range(0, rows * cols).Select(_ => r.Next(2) * 1f).ToArray());
            ex.SetInput(other, Enumerable.Range(0, rows * cols).Select(_ => r.Next(2) * 1f).ToArray());
            ex.Forward();
            ex.Backward();
            return cpu.ToArray(ex.Gradients);
        }
        var fused = Run(true);
        Assert.Equal(Bits(Run(false)), Bits(fused));
        Assert.Contains(fused, v => v != 0);
    }

    // Three training steps at batch 300 (four row chunks of the decoder's GEMM, two threads), fused and not: every loss
    // and every parameter bit equal. Original preset: the reverse decoder is periodic and runs its epilogue after the
    // copies (Backend.ForRows); paper: in the GEMM, with a relaxed sample whose backward reads the fused x~ and adds to
    // the labelled logits' gradient after the log-likelihood's, which the forward wrote; paper with a hard x~: the
    // reverse stream's log-likelihood backward in the forward too.
    [Theory]
    [InlineData(Preset.Paper, XTildeGrad.Relaxed)]
    [InlineData(Preset.Original, XTildeGrad.None)]
    [InlineData(Preset.Paper, XTildeGrad.None)]
    public void AFusedStepGivesTheUnfusedBits(Preset preset, XTildeGrad xTilde)
    {
        (float[] Losses, float[] Params) Run(bool fuse)
        {
            using var cpu = new CpuBackend(2);
            var cfg = ModelConfig.For(preset) with { XTildeGrad = xTilde };
            using var f = new ObjectiveFixture(cpu, cfg, 300, 4, fuse);
            Assert.Equal(fuse, f.Objective.Graph.Ops.Any(o => o.FusedInto is not null));
            Assert.Equal(fuse, f.Objective.Graph.Ops.Any(o => o.BackwardInForward));
            Assert.Equal(fuse, f.Objective.Graph.Ops.OfType<DenseOp>().Any(d => d.ActivationBackwardFused));
            Assert.Equal(fuse, f.Objective.Graph.Ops.OfType<DenseOp>().Any(d => d.Siblings.Count > 0));
            var losses = new List<float>();
            for (int s = 0; s < 3; s++)
            {
                f.Executor.Forward();
                f.Executor.Backward();
                f.Executor.Update(f.Objective.Config.Adam, 1e-3);
                losses.AddRange(f.Executor.ReadLosses());
            }
            return (losses.ToArray(), cpu.ToArray(f.Executor.Parameters));
        }
        var fused = Run(true);
        var plain = Run(false);
        Assert.Equal(plain.Losses, fused.Losses);
        Assert.Equal(Bits(plain.Params), Bits(fused.Params));
        Assert.Contains(fused.Losses, v => v != 0);
    }

    // The classifier's and the z-encoder's first layers read one batch of images in each stream that has both: the one
    // earlier in graph order (Objective.cs: the labelled stream's encoder, the unlabelled stream's classifier, the
    // reverse stream's classifier under --reverse-qz) runs the other's part 0 in its GEMMs, forward and weight
    // gradient; so does the z-encoder's mu head for its sigma head (both read the last hidden layer). The memory plan
    // keeps what those GEMMs touch apart: at the lead's forward its inputs and every output, at its backward every
    // output gradient (each sibling's dZ, kept from its own backward).
    [Theory]
    [InlineData(Preset.Paper)]
    [InlineData(Preset.Original)]
    public void TheFirstLayersOnOneBatchShareItsGemms(Preset preset)
    {
        using var cpu = new CpuBackend(1);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(preset), 20, 1);
        var ops = f.Objective.Graph.Ops.ToList();
        var dense = ops.OfType<DenseOp>().ToDictionary(d => d.Label);
        var expected = new List<(string Lead, string Sibling)>();
        foreach (var stream in new[] { "labelled", "unlabelled", "reverse" })
        {
            foreach (
                var (first, second) in new[] { ("classifier.l0", "zencoder.l0"), ("zencoder.mu", "zencoder.sigma") }
            )
            {
                if (
                    !dense.TryGetValue($"{first} ({stream})", out var c)
                    || !dense.TryGetValue($"{second} ({stream})", out var z)
                )
                {
                    continue;
                }
                expected.Add(ops.IndexOf(c) < ops.IndexOf(z) ? (c.Label, z.Label) : (z.Label, c.Label));
            }
        }
        var planned = dense.Values.SelectMany(d => d.Siblings.Select(s => (d.Label, s.Label))).ToList();
        Assert.Equal(expected.Order(), planned.Order());
        Assert.True(planned.Count >= 4, $"only {planned.Count} shared layers");
        foreach (var (leadLabel, siblingLabel) in planned)
        {
            DenseOp lead = dense[leadLabel],
                sibling = dense[siblingLabel];
            Assert.Same(lead, sibling.InputLead);
            var plan = f.Executor.Plan;
            var values = lead
                .Inputs.Concat(lead.Outputs)
                .Concat(sibling.Outputs)
                .Where(t => t.Kind != TensorKind.Parameter)
                .Distinct()
                .Select(plan.Value)
                .ToList();
            AssertApart(values);
            AssertApart([.. new[] { lead.Outputs[0], sibling.Outputs[0] }.Select(t => plan.Grad(t)!)]);
        }
    }

    // The memory plan counts a fused op's forward at its layer's step: the fused group's tensors never share bytes.
    [Fact]
    public void AFusedGroupsTensorsHoldTheirOwnBytes()
    {
        using var cpu = new CpuBackend(1);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(Preset.Paper), 20, 1);
        var plan = f.Executor.Plan;
        foreach (var d in f.Objective.Graph.Ops.OfType<DenseOp>().Where(d => d.Epilogue.Count > 0))
        {
            var slots = d
                .Epilogue.SelectMany(o => o.Inputs.Concat(o.Outputs))
                .Concat(d.Inputs.Concat(d.Outputs))
                .Where(t => t.Kind != TensorKind.Parameter)
                .Distinct()
                .Select(plan.Value)
                .ToList();
            AssertApart(slots);
        }
    }

    static void AssertApart(IReadOnlyList<MemoryPlan.Slot> slots)
    {
        foreach (var a in slots)
        {
            foreach (var b in slots.Where(b => b != a))
                Assert.True(a.Offset + a.Length <= b.Offset || b.Offset + b.Length <= a.Offset, $"{a} and {b}");
        }
    }

    static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
}
