using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>The whole objective's gradient, every parameter tensor, against central finite differences (CPU).</summary>
public sealed class ObjectiveGradientTests
{
    public static TheoryData<ModelKind, Preset> Configs() => new()
    {
        { ModelKind.Untapped, Preset.Original }, { ModelKind.Untapped, Preset.Paper },
        { ModelKind.M2, Preset.Original }, { ModelKind.M2, Preset.Paper },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void GradientMatchesCentralDifferences(ModelKind model, Preset preset)
    {
        var cfg = ModelConfig.For(preset, model);
        using var cpu = new CpuAccelerator(2);
        using var f = new ObjectiveFixture(cpu, cfg, batch: 3, seed: 5);
        var ex = f.Executor;
        ex.Forward();
        // Hard Bernoulli samples carry no gradient by definition: hold them fixed while perturbing.
        var frozen = new Dictionary<string, float[]>();
        if (cfg.XTildeGrad == XTildeGrad.None)
            foreach (var t in f.Objective.Graph.Tensors.Where(t => t.Name.StartsWith("x_tilde", StringComparison.Ordinal)))
                frozen[t.Name] = cpu.ToArray(ex.Value(t));
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
            for (int i = 1; i < p.Length; i++) if (Math.Abs(grad[p.ParameterOffset + i]) > Math.Abs(grad[p.ParameterOffset + argmax])) argmax = i;
            picks.Add(argmax);
            foreach (var i in picks)
            {
                int idx = p.ParameterOffset + i;
                double fd = (Loss(idx, h) - Loss(idx, -h)) / (2 * h);
                Assert.True(Math.Abs(fd - grad[idx]) <= 3e-3 + 3e-2 * Math.Abs(fd),
                    $"{model}/{preset}: dL/d{p.Name}[{i}] analytic {grad[idx]:G6}, central difference {fd:G6}");
                checkedCount++;
            }
        }
        Assert.Equal(4 * 20, checkedCount);
    }
}
