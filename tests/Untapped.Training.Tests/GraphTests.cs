using Untapped.Checks;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Gate;
using Untapped.Training.Model;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Untapped.Training.Tests;

public sealed class GraphTests(ITestOutputHelper output)
{
    [Fact]
    public void ParameterLayoutMatchesTheSpec()
    {
        var obj = new Objective(ModelConfig.For(Preset.Original), 2, 2, 2);
        // 784*50+50 + 50*50+50 + 50*10+10 (classifier) + 794*10+10 + 10*10+10 + 2*(10*2+2) (encoder) + 12*250+250 +
        // 250*500+500 + 500*784+784 (decoder)
        Assert.Equal(571_948, obj.Graph.Parameters.TotalLength);
        Assert.Equal(Networks.Layout.Select(l => l.Name), obj.Graph.Parameters.Items.Select(p => p.Name));
        Assert.Equal(
            new[]
            {
                "labelled_elbo",
                "classify",
                "unlabelled_elbo",
                "reverse_elbo",
                "reconstruct",
                "reverse.log_p_x",
                "reverse.log_q_y",
            },
            obj.TermNames
        );
        Assert.Equal(
            new[]
            {
                "labelled_elbo",
                "classify",
                "unlabelled_elbo",
                "reverse_elbo",
                "reconstruct",
                "reverse.log_p_x",
                "reverse.log_q_y",
                "reverse.log_q_z",
            },
            new Objective(ModelConfig.For(Preset.Paper), 2, 2, 2).TermNames
        );
        Assert.Equal(
            new[] { "labelled_elbo", "classify", "unlabelled_elbo" },
            new Objective(ModelConfig.For(Preset.Paper, ModelKind.M2), 2, 2, 2).TermNames
        );
    }

    [Theory]
    [InlineData(Preset.Original)]
    [InlineData(Preset.Paper)]
    public void UntappedStepAtPaperBatchPlansAtMost512MiB(Preset preset)
    {
        var obj = new Objective(ModelConfig.For(preset), 10_000, 10_000, 10_000);
        var plan = new MemoryPlan(obj.Graph);
        long naive = obj
            .Graph.Tensors.Where(t => t.Kind != TensorKind.Parameter)
            .Sum(t => (long)t.Length * (t.RequiresGrad ? 8 : 4));
        output.WriteLine(
            $"{preset}: planned arena {plan.PeakBytes / 1048576.0:F1} MiB (without reuse {naive / 1048576.0:F1} MiB)"
        );
        Assert.True(plan.PeakBytes <= 512L << 20, $"planned peak {plan.PeakBytes >> 20} MiB exceeds 512 MiB");
        Assert.True(plan.PeakBytes < naive * 0.8, "liveness reuse should save at least a fifth of the arena");
    }

    // As an executor plans it: fused epilogues, shared GEMMs and backwards run in the forward included.
    [Theory]
    [InlineData(Preset.Original)]
    [InlineData(Preset.Paper)]
    public void PlannedSlotsNeverOverlapWhileBothAreLive(Preset preset)
    {
        using var cpu = new CpuBackend(1);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(preset), 20, 1);
        Assert.Contains(f.Objective.Graph.Ops, o => o.BackwardInForward);
        var slots = f.Executor.Plan.Slots.ToList();
        foreach (var a in slots)
        {
            foreach (var b in slots)
            {
                if (ReferenceEquals(a, b))
                    continue;
                bool live = a.Start <= b.End && b.Start <= a.End,
                    bytes = a.Offset < b.Offset + b.Length && b.Offset < a.Offset + a.Length;
                Assert.False(
                    live && bytes,
                    $"{a.Tensor}{(a.IsGrad ? "'" : "")} and {b.Tensor}{(b.IsGrad ? "'" : "")} share memory while both live"
                );
            }
        }
    }

    // Gradients are zero-filled lazily and their first writer may overwrite them, and a periodic layer may leave rows
    // beyond its first period unwritten (DenseOp.FillsPeriods): nothing the arena held before (here NaN in every
    // activation and gradient slot) may reach the parameter gradients, on either preset.
    [Theory]
    [InlineData(Preset.Original)]
    [InlineData(Preset.Paper)]
    public void GradientsIgnoreWhateverTheArenaHeldBefore(Preset preset)
    {
        using var cpu = new CpuBackend(2);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(preset), 16, 3);
        var ex = f.Executor;
        ex.Forward();
        ex.Backward();
        var clean = cpu.ToArray(ex.Gradients);
        Assert.All(clean, g => Assert.True(float.IsFinite(g)));
        foreach (var t in f.Objective.Graph.Tensors.Where(t => t.Kind == TensorKind.Activation))
        {
            cpu.Fill(ex.Value(t).Length, float.NaN, ex.Value(t));
            if (ex.Plan.Grad(t) is { } g)
                cpu.Fill(g.Floats, float.NaN, ex.GradForWrite(t, out _));
        }
        ex.Forward();
        ex.Backward();
        Assert.Equal(clean, cpu.ToArray(ex.Gradients));
    }

    // z = mu(x) + softplus-sigma(x) * eps with eps a named normal noise; loss = mean ||z - t||. With `extra`, an
    // unrelated noise node and an unrelated layer come first, which would shift id-keyed streams.
    static float[] TrainTiny(bool extra, string noiseName = "eps")
    {
        var g = new ComputeGraph();
        if (extra)
            g.Noise("unrelated", 5, 5, normal: false);
        var w = g.Parameter("w", 3, 2);
        var b = g.Parameter("b", 1, 2);
        var w2 = g.Parameter("w2", 3, 2);
        var b2 = g.Parameter("b2", 1, 2);
        var x = g.Input("x", 4, 3);
        var t = g.Input("t", 4, 2);
        if (extra)
            g.Dense("unrelated.layer", [x], w, b, Activation.Tanh);
        var mu = g.Dense("mu", [x], w, b, Activation.None);
        var sigma = g.Dense("sigma", [x], w2, b2, Activation.Softplus);
        var z = g.GaussianSample("z", mu, sigma, g.Noise(noiseName, 4, 2, normal: true));
        g.Loss("fit", 1f, new LossPart(g.L2Distance("dist", z, t), 1f));
        using var cpu = new CpuBackend(1);
        using var ex = new Executor(g, cpu, 11);
        cpu.CopyFromHost(g.Parameters.Initialise(11, 1.0, new HashSet<string>()), ex.Parameters);
        ex.SetInput(x, [0.1f, -0.4f, 0.3f, 0.9f, 0.2f, -0.7f, 0.5f, 0.5f, -0.1f, -0.8f, 0.6f, 0.0f]);
        ex.SetInput(t, [1f, 0f, 0f, 1f, 1f, 1f, 0f, 0f]);
        for (int s = 0; s < 4; s++)
        {
            ex.Forward();
            ex.Backward();
            ex.Update(new AdamSettings(), 0.05);
        }
        return cpu.ToArray(ex.Parameters);
    }

    [Fact]
    public void InsertingAnUnrelatedNodeLeavesEveryDrawAndTheTrainedParametersUnchanged()
    {
        var plain = TrainTiny(extra: false);
        Assert.Equal(plain, TrainTiny(extra: true));
        // The key is the noise tensor's name: renaming it changes the draws, so the equality above is not vacuous.
        Assert.NotEqual(plain, TrainTiny(extra: false, noiseName: "eps2"));
    }

    /// <summary>
    /// fit = mean(d1) + mean(d2) with d2's part gradient-free, plus a monitor over d1: values from the rows read back,
    /// the total leaves the monitor out, and the gradient is bitwise that of a graph holding d1 alone.
    /// </summary>
    [Fact]
    public void GradientFreePartsAndMonitorsCountInValuesButNotInTheGradient()
    {
        float[] Run(bool extras, out float[] losses, out float[] d1, out float[] d2)
        {
            var g = new ComputeGraph();
            var w = g.Parameter("w", 3, 2);
            var b = g.Parameter("b", 1, 2);
            var x = g.Input("x", 4, 3);
            var t = g.Input("t", 4, 2);
            var u = g.Input("u", 4, 2);
            var y = g.Dense("y", [x], w, b, Activation.Tanh);
            var dist1 = g.L2Distance("d1", y, t);
            var dist2 = g.L2Distance("d2", y, u);
            if (extras)
            {
                g.Loss("fit", 0.5f, new LossPart(dist1, 1f), new LossPart(dist2, 1f, Gradient: false));
                g.Monitor("watch", new LossPart(dist1, 2f));
            }
            else
            {
                g.Loss("fit", 0.5f, new LossPart(dist1, 1f));
            }

            using var cpu = new CpuBackend(1);
            using var ex = new Executor(g, cpu, 3);
            cpu.CopyFromHost(g.Parameters.Initialise(3, 1.0, new HashSet<string>()), ex.Parameters);
            ex.SetInput(x, [0.1f, -0.4f, 0.3f, 0.9f, 0.2f, -0.7f, 0.5f, 0.5f, -0.1f, -0.8f, 0.6f, 0.0f]);
            ex.SetInput(t, [1f, 0f, 0f, 1f, 1f, 1f, 0f, 0f]);
            ex.SetInput(u, [0.5f, 2f, -1f, 0f, 3f, 1f, 0f, -2f]);
            ex.Forward();
            ex.Backward();
            losses = ex.ReadLosses();
            d1 = cpu.ToArray(ex.Value(dist1));
            d2 = cpu.ToArray(ex.Value(dist2));
            return cpu.ToArray(ex.Gradients);
        }
        var plain = Run(false, out _, out _, out _);
        var withExtras = Run(true, out var losses, out var d1, out var d2);
        Assert.Equal(plain, withExtras);
        double m1 = d1.Average(v => (double)v),
            m2 = d2.Average(v => (double)v);
        Assert.Equal(3, losses.Length);
        Assert.Equal(m1 + m2, losses[0], 5);
        Assert.Equal(2 * m1, losses[1], 5);
        Assert.Equal(0.5 * (m1 + m2), losses[2], 5);
        Assert.True(m2 > 0.1, "d2 must be non-trivial for the checks above to mean anything");
    }

    [Fact]
    public void NoiseStreamIsFnv1aOfTheNameWithTheTopBitCleared()
    {
        // FNV-1a 32 of "a" is 0xE40C292C (published test vector); of "" the offset basis 0x811C9DC5.
        Assert.Equal(0xE40C292Cu & 0x7FFF_FFFF, Untapped.Graph.RandomStreams.Of("a"));
        Assert.Equal(0x811C9DC5u & 0x7FFF_FFFF, Untapped.Graph.RandomStreams.Of(""));
    }

    [Fact]
    public void CheckpointRoundTripsParametersAndMoments()
    {
        using var cpu = new CpuBackend(2);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(Preset.Original), 4, 9);
        f.Executor.Forward();
        f.Executor.Backward();
        f.Executor.Update(f.Objective.Config.Adam, 0.01);
        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, f.Executor, new TrainingState(f.Executor.StepsDone, [1.5, 0.1 + 0.2], "fp"));
            var (p, m, v, meta) = Checkpoint.Load(path, f.Objective.Graph.Parameters);
            Assert.Equal(cpu.ToArray(f.Executor.Parameters), p);
            Assert.Equal(cpu.ToArray(f.Executor.AdamM), m);
            Assert.Equal(cpu.ToArray(f.Executor.AdamV), v);
            Assert.True(meta.ContainsKey("sha256"));
            // The training state rides in the metadata; sums round-trip exactly (0.1 + 0.2 is not 0.3 in binary).
            var state = TrainingState.FromMetadata(path, meta)!;
            Assert.Equal(1, state.StepsDone);
            Assert.Equal(new[] { 1.5, 0.30000000000000004 }, state.EpochLossSums);
            Assert.Equal("fp", state.Fingerprint);
            var (tensors, _) = Safetensors.Read(path);
            Assert.Equal(new[] { 794, 10 }, tensors["zencoder.l0.w"].Shape);
            Assert.Equal(new[] { 250 }, tensors["decoder.l0.b"].Shape);
            Assert.Equal(3 * 20, tensors.Count);
            var bytes = File.ReadAllBytes(path);
            bytes[^5] ^= 0x40;
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<CheckpointException>(() => Safetensors.Read(path));
            Assert.Contains("checksum", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ProfileTableCoversTheStep()
    {
        using var cpu = new CpuBackend(2);
        using var f = new ObjectiveFixture(cpu, ModelConfig.For(Preset.Paper), 16, 3);
        f.Executor.Profile = new OpProfile();
        f.Executor.Forward();
        f.Executor.Backward();
        f.Executor.Update(f.Objective.Config.Adam, 0.01);
        var p = f.Executor.Profile;
        var dense = f.Objective.Graph.Ops.OfType<DenseOp>().ToList();
        // A layer with an epilogue has its own row ("dense + bernoulli_loglik"): its time includes the fused ops'.
        var forwardRows = p.Rows.Where(r => r.Key.StartsWith("dense") && !r.Key.EndsWith("backward")).ToList();
        Assert.Equal(dense.Count, forwardRows.Sum(r => r.Value.Count));
        Assert.Equal(dense.Count(d => d.Epilogue.Count == 0), p.Rows["dense"].Count);
        // The unlabelled decoder's: its log-likelihood's backward runs in its forward, and has no row of its own.
        Assert.Contains("dense + bernoulli_loglik (and its backward)", p.Rows.Keys);
        Assert.Equal(dense.Count(o => o.HasBackward), p.Rows["dense backward"].Count);
        var logliks = f.Objective.Graph.Ops.Where(o => o.Kind == "bernoulli_loglik").ToList();
        Assert.Equal(logliks.Count(o => !o.BackwardInForward), p.Rows["bernoulli_loglik backward"].Count);
        // The reconstruction's relaxed sample and distance: their backwards run in the labelled decoder's forward too.
        Assert.False(p.Rows.ContainsKey("l2_distance backward"));
        Assert.Equal(1, p.Rows["bernoulli_sample backward"].Count);
        Assert.Equal(1, p.Rows["adam"].Count);
        // Forward flops: 2 x batch x (fan-in x fan-out) of each layer applied, the layer's size read from docs/model.md
        // §2's layout table by the op's label ("decoder.l1 (labelled)" -> decoder.l1.w), not from the op.
        long expected = dense.Sum(o =>
        {
            var w = Networks.Layout.First(l => l.Name == o.Label.Split(' ')[0] + ".w");
            return 2L * 16 * w.Rows * w.Cols;
        });
        Assert.Equal(expected, forwardRows.Sum(r => r.Value.Flops));
        Assert.Contains("| dense |", p.ToTable());

        // By layer: one row per op and direction, keyed by label and output shape.
        f.Executor.Profile = new OpProfile { ByLayer = true };
        f.Executor.Forward();
        f.Executor.Backward();
        var rows = f.Executor.Profile.Rows;
        Assert.Equal(
            f.Objective.Graph.Ops.Count(o => o.FusedInto is null)
                + f.Objective.Graph.Ops.Count(o => o.HasBackward && !o.BackwardInForward),
            rows.Values.Sum(r => r.Count)
        );
        var first = dense[0];
        Assert.Equal(1, rows[$"dense {first.Label} [{first.Outputs[0].Rows},{first.Outputs[0].Cols}]"].Count);
    }
}

/// <summary>
/// Five training steps on every ILGPU backend present give the same losses and parameters as the managed CPU.
/// </summary>
public sealed class BackendStepTests
{
    // ILGPU's CPU accelerator runs each simulated GPU thread as an OS thread and each barrier as a
    // System.Threading.Barrier (a step takes about 25 s there at batch 2, almost all in the tiled GEMMs' barriers), so
    // it runs each model once, at batch 2: Untapped on the paper preset (every kernel of the catalogue) here, on the
    // tests' simulated device (groups of up to 256), and M2 on the original preset below, on CUDA's geometry, where
    // every launch wakes 1024 simulated threads (about twice the time per step).
    [Theory]
    [InlineData(Preset.Paper, ModelKind.Untapped)]
    public void IlgpuCpuMatchesCpuForFiveSteps(Preset preset, ModelKind model)
    {
        lock (Untapped.Tests.SharedIlgpu.Lock)
            Compare(Untapped.Tests.SharedIlgpu.Cpu, ModelConfig.For(preset, model), batch: 2);
    }

    // Five steps with CUDA's launch geometry (groups of up to 1024 threads) and ILGPU's assertions on.
    [Fact]
    public void IlgpuCpuWithCudaGeometryMatchesCpuForFiveSteps()
    {
        lock (Untapped.Tests.SharedIlgpu.Lock)
            Compare(Untapped.Tests.SharedIlgpu.CudaGeometry, ModelConfig.For(Preset.Original, ModelKind.M2), batch: 2);
    }

    // Every model and preset on a real OpenCL runtime (PoCL 6 in CI), seconds each.
    [Untapped.Tests.BackendTheory(BackendKind.OpenCl)]
    [InlineData(Preset.Paper, ModelKind.Untapped)]
    [InlineData(Preset.Original, ModelKind.Untapped)]
    [InlineData(Preset.Paper, ModelKind.M2)]
    [InlineData(Preset.Original, ModelKind.M2)]
    public void OpenClMatchesCpuForFiveSteps(Preset preset, ModelKind model)
    {
        lock (Untapped.Tests.SharedIlgpu.Lock)
            Compare(Untapped.Tests.SharedIlgpu.OpenCl, ModelConfig.For(preset, model), batch: 32);
    }

    [Untapped.Tests.BackendTheory(BackendKind.Cuda)]
    [InlineData(Preset.Paper)]
    [InlineData(Preset.Original)]
    public void CudaMatchesCpuForFiveSteps(Preset preset)
    {
        using var dev = Backends.Create(BackendKind.Cuda);
        Compare(dev, ModelConfig.For(preset), batch: 32);
    }

    static void Compare(Backend dev, ModelConfig cfg, int batch)
    {
        var r = Untapped.Training.Gate.StepParity.Compare(dev, cfg, batch);
        Assert.True(r.Pass, $"{r.Model} on {dev.Name}: {r.Difference}");
        Assert.True(r.Parameters > 100_000);
    }
}

/// <summary>
/// Evaluation reads the trainer's parameters on the device (Executor.ForInference): no host round trip, no second
/// copy of parameters, gradients or moments (issue 41).
/// </summary>
public sealed class InferenceInPlaceTests
{
    // Issue 43 (memory): images stay bytes in the pool and reach an input a slab at a time, never as a whole float copy.
    // A slab-written input holds what the whole-span SetInput writes, across slab boundaries and a short last slab.
    [Fact]
    public void AnInputWrittenBySlabsHoldsTheWholeCopysValues()
    {
        using var cpu = new CpuBackend(1);
        const int rows = Executor.SlabRows * 2 + 37,
            cols = 5;
        var g = new ComputeGraph();
        var x = g.Input("x", rows, cols);
        var p = g.Input("p", rows, cols, rowPeriod: 3);
        var data = Enumerable.Range(0, rows * cols).Select(i => MathF.Sin(i)).ToArray();
        using var ex = new Executor(g, cpu, 1);
        var calls = new List<(int, int)>();
        ex.SetInput(x, (first, count, d) =>
        {
            calls.Add((first, count));
            data.AsSpan(first * cols, count * cols).CopyTo(d);
        });
        Assert.Equal(data, cpu.ToArray(ex.Value(x)));
        Assert.Equal(
            [(0, Executor.SlabRows), (Executor.SlabRows, Executor.SlabRows), (2 * Executor.SlabRows, 37)],
            calls
        );
        // A periodic input is set whole, where its period is checked.
        var e = Assert.Throws<ArgumentException>(() => ex.SetInput(p, (_, _, _) => { }));
        Assert.Contains("set it whole", e.Message);
    }

    // Evaluation reads pool images by index (Inference.Rows.Images) instead of gathering a float copy: the same logits,
    // bit for bit, over several chunks and a zero-padded last one.
    [Fact]
    public void PoolRowsGiveTheGatheredCopysLogits()
    {
        using var cpu = new CpuBackend(1);
        var trained = new Objective(ModelConfig.For(Preset.Original), 2, 2, 2);
        var init = Networks.Initialise(trained.Graph.Parameters, 3);
        var r = new Random(5);
        var pool = new Data.Mnist(
            [.. Enumerable.Range(0, 40 * Data.Mnist.Pixels).Select(_ => (byte)(r.Next(3) == 0 ? 1 : 0))],
            [.. Enumerable.Range(0, 40).Select(i => (byte)(i % 10))]
        );
        int[] idx = [.. Enumerable.Range(0, 23).Select(i => (i * 7) % 40)];
        var gathered = idx.SelectMany(i => pool.ImagesAsFloats(i, 1)).ToArray();
        using var inf = Evaluation.Inference.FromHost(cpu, init, 8);
        var want = inf.ClassifierLogits(gathered, idx.Length);
        var got = inf.ClassifierLogits(Evaluation.Inference.Rows.Images(pool, idx), idx.Length);
        Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), got.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(idx.Length * 10, got.Length);
    }

    [Fact]
    public void AForwardOnlyExecutorReadsTheTrainersParametersInPlace()
    {
        using var cpu = new CpuBackend(1);
        var trained = new Objective(ModelConfig.For(Preset.Original), 2, 2, 2);
        using var trainer = new Executor(trained.Graph, cpu, 3);
        var init = Networks.Initialise(trained.Graph.Parameters, 3);
        cpu.CopyFromHost(init, trainer.Parameters);

        var x = Enumerable.Range(0, 2 * Data.Mnist.Pixels).Select(i => (i % 7) / 7f).ToArray();
        using var fromDevice = new Evaluation.Inference(cpu, trainer.Parameters, 2);
        using var fromHost = Evaluation.Inference.FromHost(cpu, init, 2);
        var before = fromDevice.ClassifierLogits(x, 2);
        Assert.Equal(fromHost.ClassifierLogits(x, 2), before); // the same numbers either way

        // Changing the trainer's parameters changes what the forward-only executor computes, with no copy made.
        var changed = (float[])init.Clone();
        for (int i = 0; i < changed.Length; i++)
            changed[i] *= 0.5f;
        cpu.CopyFromHost(changed, trainer.Parameters);
        var after = fromDevice.ClassifierLogits(x, 2);
        Assert.NotEqual(before, after);
        using var halved = Evaluation.Inference.FromHost(cpu, changed, 2);
        Assert.Equal(halved.ClassifierLogits(x, 2), after);
    }

    [Fact]
    public void AForwardOnlyExecutorHoldsNoTrainingBuffers()
    {
        using var cpu = new CpuBackend(1);
        var g = new Objective(ModelConfig.For(Preset.Original), 2, 2, 2).Graph;
        using var trainer = new Executor(g, cpu, 3);
        using var forward = Executor.ForInference(g, cpu, trainer.Parameters);
        long p = g.Parameters.TotalLength;
        Assert.Equal(trainer.BackendBytes - 4 * (4 * p + Backend.NormPartials), forward.BackendBytes);
        Assert.Throws<InvalidOperationException>(() => forward.Gradients);
        Assert.Throws<InvalidOperationException>(() => forward.Update(new AdamSettings(), 1e-3));
        using var other = new CpuBackend(1);
        using var elsewhere = other.Allocate((int)p);
        Assert.Throws<ArgumentException>(() => Executor.ForInference(g, cpu, elsewhere));
        Assert.Throws<ArgumentException>(() => Executor.ForInference(g, cpu, trainer.Parameters.Slice(1, (int)p - 1)));
    }
}
