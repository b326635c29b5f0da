using System.Text.Json.Nodes;
using Untapped.Graph;
using Untapped.Kernels.Cpu;
using Untapped.Training.Data;
using Untapped.Training.Model;
using Untapped.Training.Storage;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// <c>--reverse-qx marginal</c> (docs/model.md §4): q(x) the product of per-pixel Bernoullis at the training images'
/// Laplace-smoothed means. Its log q(x~) against a direct computation, its gradient (none through a hard x~, some
/// through a relaxed one), and the default's bits and configuration unchanged.
/// </summary>
public sealed class ReverseQxTests
{
    static readonly string Data = TinyMnist.Folder(120, 40);

    static string Out() => Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));

    // mu_d = (ones_d + 1) / (N + 2) over the pool images the run trains on, counted once, computed here by scanning
    // the pool (not by the code under test's set union).
    static double[] Marginal(ExperimentData data)
    {
        var used = new bool[data.Pool.Count];
        foreach (int i in data.Labelled)
            used[i] = true;
        foreach (int i in data.Unlabelled)
            used[i] = true;
        var ones = new double[Mnist.Pixels];
        int n = 0;
        for (int i = 0; i < used.Length; i++)
        {
            if (!used[i])
                continue;
            n++;
            for (int d = 0; d < Mnist.Pixels; d++)
                ones[d] += data.Pool.Binary[i * Mnist.Pixels + d];
        }
        return [.. ones.Select(o => (o + 1) / (n + 2))];
    }

    [Fact]
    public void ThePixelMarginalIsTheLaplaceSmoothedMeanOfTheTrainingImages()
    {
        var data = new ExperimentData(Mnist.Load(Data), 3, 50);
        var mu = data.PixelMarginal();
        Assert.Equal(Marginal(data), mu);
        Assert.All(mu, m => Assert.InRange(m, 1e-9, 1 - 1e-9));
    }

    [Theory]
    [InlineData(Preset.Original)]
    [InlineData(Preset.Paper)]
    public void LogQxIsTheBernoulliLogLikelihoodOfXTildeUnderTheMarginal(Preset preset)
    {
        const int B = 12;
        var data = new ExperimentData(Mnist.Load(Data), 3, 50);
        var cfg = ModelConfig.For(preset) with { ReverseQx = ReverseQx.Marginal };
        var obj = new Objective(cfg, B, B, B);
        using var cpu = new CpuBackend(1);
        using var ex = new Executor(obj.Graph, cpu, 5);
        cpu.CopyFromHost(Networks.Initialise(obj.Graph.Parameters, 5), ex.Parameters);
        var r = new Random(7);
        float[] Rand(Tensor t, Func<float> f) => [.. Enumerable.Range(0, t.Length).Select(_ => f())];
        ex.SetInput(obj.XLabelled, Rand(obj.XLabelled, () => r.Next(2)));
        ex.SetInput(obj.XUnlabelled, Rand(obj.XUnlabelled, () => r.Next(2)));
        var y = new float[B * Mnist.Classes];
        for (int i = 0; i < B; i++)
            y[i * Mnist.Classes + i % 5] = 1f;
        ex.SetInput(obj.YLabelled, y);
        var yu = new float[B * Mnist.Classes];
        for (int i = 0; i < B; i++)
            ExperimentData.Corner(i % Mnist.Classes).CopyTo(yu, i * Mnist.Classes);
        ex.SetInput(obj.YUnfeatured!, yu);
        ex.SetInput(obj.ZUnfeatured!, Rand(obj.ZUnfeatured!, () => (float)(3 * r.NextDouble() - 1.5)));
        var mu = Marginal(data);
        ex.SetInput(
            obj.QxLogits!,
            [
                .. Enumerable
                    .Range(0, B * Mnist.Pixels)
                    .Select(i => (float)Math.Log(mu[i % Mnist.Pixels] / (1 - mu[i % Mnist.Pixels]))),
            ]
        );
        ex.Forward();

        var x = cpu.ToArray(ex.Value(obj.XTilde!));
        double expected = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double m = mu[i % Mnist.Pixels];
            expected += x[i] * Math.Log(m) + (1 - x[i]) * Math.Log(1 - m);
        }
        expected /= B;
        double logged = ex.ReadLosses()[obj.TermNames.ToList().IndexOf(Objective.ReverseLogQx)];
        Assert.Equal(expected, logged, Math.Abs(expected) * 2e-5);
        Assert.True(expected < -1, $"log q(x~) = {expected} should be well below 0 over 784 pixels");
    }

    static (byte[] Tensors, JsonObject Config) Train(Preset preset, string reverseQx)
    {
        var dir = Out();
        string[] args =
        [
            .. Argv.Words(
                $"train --preset {preset.ToString().ToLowerInvariant()} --epochs 2 --batch 16 --unlabelled 48"
            ),
            .. Argv.Words($"--seed 4 --backend cpu --threads 1 --eval-every 0 --data"),
            Data,
            "--out",
            dir,
            .. reverseQx.Length > 0 ? ["--reverse-qx", reverseQx] : Array.Empty<string>(),
        ];
        Assert.Equal(0, Cli.App.Run(args));
        var t = Safetensors.Read(Path.Combine(dir, "checkpoint.safetensors")).Tensors;
        var bytes = t.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => kv.Value.Data.SelectMany(BitConverter.GetBytes));
        return ([.. bytes], JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject());
    }

    // A hard x~ carries no gradient, so -log q(x~) moves the objective's value and not one trained bit.
    [Fact]
    public void WithAHardXTildeTrainingIsUnchangedToTheBit()
    {
        var (uniform, cfgU) = Train(Preset.Original, "");
        var (marginal, cfgM) = Train(Preset.Original, "marginal");
        Assert.Equal(uniform, marginal);
        Assert.False(cfgU["model"]!.AsObject().ContainsKey("reverse_qx")); // the default's config.json as before
        Assert.Equal("marginal", (string?)cfgM["model"]!["reverse_qx"]);
    }

    // A relaxed x~ (the paper preset) carries the gradient of log q(x~) into the decoder.
    [Fact]
    public void WithARelaxedXTildeTheMarginalChangesTraining()
    {
        var (uniform, _) = Train(Preset.Paper, "uniform");
        var (marginal, _) = Train(Preset.Paper, "marginal");
        Assert.NotEqual(uniform, marginal);
    }
}
