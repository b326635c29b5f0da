using Untapped.Graph;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// Loss terms and every parameter gradient against an independent PyTorch implementation (float64) of
/// docs/model.md §4 for fixed weights, inputs and explicitly given noise: tests/oracle/oracle.safetensors, written by
/// tests/oracle/make_oracle.py. Tolerances: losses 1e-4 relative; gradients |diff| &lt;= 1e-5 + 2e-3 |g| per element.
/// </summary>
public sealed class OracleTests
{
    static readonly string OraclePath = Path.Combine(AppContext.BaseDirectory, "oracle", "oracle.safetensors");

    public static TheoryData<string, string> Configs() =>
        new()
        {
            { "original", "untapped" },
            { "paper", "untapped" },
            { "original", "m2" },
            { "paper", "m2" },
        };

    [Theory]
    [MemberData(nameof(Configs))]
    public void LossesAndGradientsMatchPyTorch(string preset, string model)
    {
        var (file, _) = Safetensors.Read(OraclePath);
        var cfg = ModelConfig.For(
            preset == "paper" ? Preset.Paper : Preset.Original,
            model == "m2" ? ModelKind.M2 : ModelKind.Untapped
        );
        int batch = file["input.x_labelled"].Shape[0];
        var obj = new Objective(cfg, batch, batch, batch);
        using var cpu = new CpuBackend(2);
        // The oracle's noise replaces each draw after its op has run (Overrides): a backward run in the forward would
        // have used the draws it replaces (the reverse decoder's epilogue samples x~, then scores it and its gradient).
        obj.Graph.BackwardsInForward = false;
        using var ex = new Executor(obj.Graph, cpu, 1);
        var parameters = new float[obj.Graph.Parameters.TotalLength];
        foreach (var p in obj.Graph.Parameters.Items)
            file["param." + p.Name].Data.CopyTo(parameters, p.ParameterOffset);
        cpu.CopyFromHost(parameters, ex.Parameters);
        foreach (var t in obj.Graph.Tensors.Where(t => t.Kind == TensorKind.Input))
            ex.SetInput(t, file["input." + t.Name].Data);
        var noise = new Dictionary<string, float[]>();
        foreach (var (name, e) in file.Where(kv => kv.Key.StartsWith("noise.", StringComparison.Ordinal)))
        {
            if (obj.Graph.Tensors.Any(t => t.Name == name[6..]))
                noise[name[6..]] = e.Data;
        }

        Overrides.Forward(ex, noise);
        ex.Backward();
        var losses = ex.ReadLosses();
        // The loss terms (monitors are not in the oracle; CliTests checks that they add up to the reverse ELBO), then
        // the total.
        var checks = obj
            .Graph.Losses.Select((l, i) => (l.Name, Index: i, l.Monitor))
            .Where(t => !t.Monitor)
            .Select(t => (t.Name, t.Index))
            .Append(("total", losses.Length - 1))
            .ToArray();
        Assert.Equal(cfg.Kind == ModelKind.M2 ? 4 : 6, checks.Length);
        foreach (var (name, i) in checks)
        {
            double expected = file[$"{preset}.{model}.loss.{name}"].Data[0];
            Assert.True(
                Math.Abs(losses[i] - expected) <= 1e-4 * Math.Abs(expected) + 1e-5,
                $"{name}: C# {losses[i]:R}, PyTorch {expected:R}"
            );
        }
        var grads = cpu.ToArray(ex.Gradients);
        foreach (var p in obj.Graph.Parameters.Items)
        {
            Untapped.Tests.Close.All(
                file[$"{preset}.{model}.grad.{p.Name}"].Data,
                grads.AsSpan(p.ParameterOffset, p.Length).ToArray(),
                1e-5f,
                2e-3f,
                $"{preset}/{model} grad {p.Name}"
            );
        }
    }
}
