using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Gate;
using Untapped.Training.Model;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>The whole objective's gradient, every parameter tensor, against central finite differences (CPU).</summary>
public sealed class ObjectiveGradientTests
{
    public static TheoryData<ModelKind, Preset> Configs() =>
        new()
        {
            { ModelKind.Untapped, Preset.Original },
            { ModelKind.Untapped, Preset.Paper },
            { ModelKind.M2, Preset.Original },
            { ModelKind.M2, Preset.Paper },
        };

    [Theory]
    [MemberData(nameof(Configs))]
    public void GradientMatchesCentralDifferences(ModelKind model, Preset preset)
    {
        var cfg = ModelConfig.For(preset, model);
        using var cpu = new CpuBackend(2);
        using var f = new ObjectiveFixture(cpu, cfg, batch: 3, seed: 5);
        var ex = f.Executor;
        ex.Forward();
        // Hard Bernoulli samples carry no gradient by definition: hold them fixed while perturbing.
        var frozen = new Dictionary<string, float[]>();
        if (cfg.XTildeGrad == XTildeGrad.None)
        {
            foreach (
                var t in f.Objective.Graph.Tensors.Where(t => t.Name.StartsWith("x_tilde", StringComparison.Ordinal))
            )
            {
                frozen[t.Name] = cpu.ToArray(ex.Value(t));
            }
        }

        ex.Backward();
        var grad = cpu.ToArray(ex.Gradients);
        var theta = cpu.ToArray(ex.Parameters);
        int total = f.Objective.Graph.Losses.Count;

        double Loss(int index, float delta)
        {
            var p = (float[])theta.Clone();
            p[index] += delta;
            cpu.CopyFromHost(p, ex.Parameters);
            Overrides.Forward(ex, frozen);
            return ex.ReadLosses()[total];
        }

        var r = new Random(1);
        const float h = 1e-2f;
        int checkedCount = 0;
        foreach (var p in f.Objective.Graph.Parameters.Items)
        {
            var picks = Enumerable.Range(0, 3).Select(_ => r.Next(p.Length)).ToList();
            int argmax = 0;
            for (int i = 1; i < p.Length; i++)
            {
                if (Math.Abs(grad[p.ParameterOffset + i]) > Math.Abs(grad[p.ParameterOffset + argmax]))
                    argmax = i;
            }

            picks.Add(argmax);
            foreach (var i in picks)
            {
                int idx = p.ParameterOffset + i;
                double fd = (Loss(idx, h) - Loss(idx, -h)) / (2 * h);
                Assert.True(
                    Math.Abs(fd - grad[idx]) <= 3e-3 + 3e-2 * Math.Abs(fd),
                    $"{model}/{preset}: dL/d{p.Name}[{i}] analytic {grad[idx]:G6}, central difference {fd:G6}"
                );
                checkedCount++;
            }
        }
        Assert.Equal(4 * 20, checkedCount);
    }

    /// <summary>
    /// --reverse-logp-grad none removes exactly the gradient of 0.1 * mean log p(x~|y_u,z_u) (the reverse.log_p_x
    /// monitor): full - none equals 0.1 x its central difference on the decoder, and nothing changes upstream of x~'s
    /// other uses (classifier, encoder: bitwise equal). The losses themselves are bitwise the same.
    /// </summary>
    [Fact]
    public void ReverseLogPGradNoneRemovesExactlyTheLogPxGradient()
    {
        using var cpu = new CpuBackend(2);
        var full = ModelConfig.For(Preset.Paper);
        using var a = new ObjectiveFixture(cpu, full, batch: 3, seed: 5);
        using var b = new ObjectiveFixture(
            cpu,
            full with
            {
                ReverseLogPGrad = ReverseLogPGrad.None,
            },
            batch: 3,
            seed: 5
        );
        a.Executor.Forward();
        a.Executor.Backward();
        b.Executor.Forward();
        b.Executor.Backward();
        Assert.Equal(a.Executor.ReadLosses(), b.Executor.ReadLosses());
        var gFull = cpu.ToArray(a.Executor.Gradients);
        var gNone = cpu.ToArray(b.Executor.Gradients);
        var theta = cpu.ToArray(b.Executor.Parameters);
        int monitor = b.Objective.Graph.Losses.Select(l => l.Name).ToList().IndexOf(Objective.ReverseLogPx);
        Assert.True(monitor >= 0);

        double LogPx(int index, float delta)
        {
            var p = (float[])theta.Clone();
            p[index] += delta;
            cpu.CopyFromHost(p, b.Executor.Parameters);
            b.Executor.Forward();
            return b.Executor.ReadLosses()[monitor];
        }

        var r = new Random(2);
        const float h = 1e-2f;
        int decoderChecked = 0;
        foreach (var p in b.Objective.Graph.Parameters.Items)
        {
            var range = Enumerable.Range(p.ParameterOffset, p.Length);
            if (!p.Name.StartsWith("decoder", StringComparison.Ordinal))
            {
                Assert.Equal(range.Select(i => gFull[i]), range.Select(i => gNone[i]));
                continue;
            }
            Assert.Contains(range, i => gFull[i] != gNone[i]);
            foreach (var i in Enumerable.Range(0, 3).Select(_ => p.ParameterOffset + r.Next(p.Length)))
            {
                double expected = 0.1 * (LogPx(i, h) - LogPx(i, -h)) / (2 * h);
                double removed = gFull[i] - gNone[i];
                Assert.True(
                    Math.Abs(removed - expected) <= 3e-3 + 3e-2 * Math.Abs(expected),
                    $"{p.Name}[{i - p.ParameterOffset}]: full - none {removed:G6}, 0.1 x d log_p_x central difference {expected:G6}"
                );
                decoderChecked++;
            }
        }
        Assert.Equal(6 * 3, decoderChecked);
    }
}
