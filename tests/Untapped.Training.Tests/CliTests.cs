using System.Text.Json.Nodes;
using Untapped.Graph;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>The `untapped` command end to end, in-process, on a tiny MNIST-format folder.</summary>
public sealed class CliTests
{
    static readonly string Data = TinyMnist.Folder(160, 40);

    static string Out() => Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));

    static string[] Train(string outDir, int epochs, params string[] extra) =>
        [
            "train",
            "--epochs",
            epochs.ToString(),
            .. Argv.Words("--batch 32 --unlabelled 64 --data"),
            Data,
            "--out",
            outDir,
            "--backend",
            "cpu",
            .. extra,
        ];

    [Fact]
    public void OneEpochWritesEveryOutput()
    {
        var dir = Out();
        Assert.Equal(0, Cli.App.Run(Train(dir, 1)));
        foreach (
            var f in new[]
            {
                "config.json",
                "metrics.jsonl",
                "checkpoint.safetensors",
                "digits.png",
                "samples.png",
                "curves.png",
                "eval.json",
            }
        )
        {
            Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing");
        }

        var eval = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "eval.json")))!;
        foreach (
            var k in new[]
            {
                "ce_heldout",
                "acc_heldout",
                "acc_labelled",
                "distinct_digits",
                "reference_classifier_acc",
            }
        )
        {
            Assert.True(double.IsFinite(eval[k]!.GetValue<double>()), k);
        }

        Assert.Equal(10, eval["permutation"]!.AsArray().Count);
        Assert.Equal(Enumerable.Range(0, 10), eval["permutation"]!.AsArray().Select(v => v!.GetValue<int>()).Order());
        var metrics = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"));
        Assert.Single(metrics);
        var line = JsonNode.Parse(metrics[0])!;
        foreach (
            var k in new[]
            {
                "labelled_elbo",
                "classify",
                "unlabelled_elbo",
                "reverse_elbo",
                "reconstruct",
                "total",
                "samples_per_s",
                "reverse.log_p_x",
                "reverse.log_q_y",
                "reverse.log_q_z",
                "decoder_saturation",
            }
        )
        {
            Assert.True(double.IsFinite(line[k]!.GetValue<double>()), k);
        }
        // The logged parts of the reverse ELBO add up to it (paper preset: reverse_qz on), and its log p(x~) is a
        // log-probability of 784 pixels.
        double V(string k) => line[k]!.GetValue<double>();
        Assert.True(
            Math.Abs(V("reverse_elbo") - (V("reverse.log_p_x") - V("reverse.log_q_y") - V("reverse.log_q_z")))
                <= 1e-4 * Math.Abs(V("reverse_elbo")) + 1e-3,
            $"reverse_elbo {V("reverse_elbo")} != log_p_x {V("reverse.log_p_x")} - log_q_y {V("reverse.log_q_y")} - log_q_z {V("reverse.log_q_z")}"
        );
        Assert.InRange(V("reverse.log_p_x"), -784 * 20.0, 0);
        Assert.InRange(V("decoder_saturation"), 0, 1);
        // curves.png: one 230-pixel panel per group of metrics.jsonl (the total; the three ELBO terms; the classifier's
        // term; the reverse ELBO's three parts; the decoder's saturation; reconstruct; then the held-out metrics of the
        // last epoch in two), 900 wide (the PNG's IHDR).
        var curves = File.ReadAllBytes(Path.Combine(dir, "curves.png"));
        Assert.Equal(
            (900, 8 * 230),
            (
                System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(curves.AsSpan(16)),
                System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(curves.AsSpan(20))
            )
        );
        var (w, h, _) = PngReader.Decode(File.ReadAllBytes(Path.Combine(dir, "digits.png")));
        Assert.Equal((20 * 30 + 2, 32), (w, h));
        var grid = Path.Combine(dir, "grid.png");
        Assert.Equal(0, Cli.App.Run(["grid", "--run", dir, "--kind", "samples", "--out", grid, "--backend", "cpu"]));
        var (gw, gh, _) = PngReader.Decode(File.ReadAllBytes(grid));
        Assert.Equal((10 * 30 + 2, 10 * 30 + 2), (gw, gh));
    }

    [Fact]
    public void ResumeEndsBitwiseEqualToAnUninterruptedRun()
    {
        string straight = Out(),
            split = Out();
        Assert.Equal(0, Cli.App.Run(Train(straight, 2, "--model", "m2")));
        Assert.Equal(0, Cli.App.Run(Train(split, 1, "--model", "m2")));
        Assert.Equal(2, Cli.App.Run(Train(split, 2, "--model", "m2"))); // a run is there: refuses without --resume
        Assert.Equal(0, Cli.App.Run(Train(split, 2, "--model", "m2", "--resume")));
        var a = Safetensors.Read(Path.Combine(straight, "checkpoint.safetensors")).Tensors;
        var b = Safetensors.Read(Path.Combine(split, "checkpoint.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var k in a.Keys)
            Assert.Equal(a[k].Data, b[k].Data);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(split, "metrics.jsonl")).Length);
    }

    [Theory]
    [InlineData("train", "--batch", "0")]
    [InlineData("train", "--epochs", "-3")]
    [InlineData("train", "--backend", "tpu")]
    [InlineData("train", "--preset", "fancy")]
    [InlineData("train", "--no-such-option")]
    [InlineData("train", "--threads", "-1")]
    [InlineData("experiment", "--seeds", "0")]
    public void BadOptionsExitWith2(params string[] args)
    {
        string[] full =
            args[0] == "train" ? [.. args, "--data", Data, "--out", Out()] : [.. args, "--data", Data, "--out", Out()];
        Assert.Equal(2, Cli.App.Run(full));
    }

    // A file where export expects a folder: a usage error naming the flag, not .NET's bare "file already exists".
    [Fact]
    public void ExportIntoAFileIsAUsageErrorWithItsRemedy()
    {
        var file = Path.Combine(Out(), "not-a-folder");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "x");
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try
        {
            code = Cli.App.Run(["export", "--run", Out(), "--onnx", file]);
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Equal(2, code);
        Assert.Contains($"'{file}' is a file: choose another --onnx", err.ToString());
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void DevicesListsIlgpusBackendsAndTheManagedCpu()
    {
        var sw = new StringWriter();
        var old = Console.Out;
        Console.SetOut(sw);
        try
        {
            Assert.Equal(0, Cli.App.Run(["devices"]));
        }
        finally
        {
            Console.SetOut(old);
        }
        var text = sw.ToString();
        Assert.Contains("ilgpu-cpu", text);
        Assert.Contains("ILGPU CPU accelerator", text);
        Assert.Contains("managed CPU", text);
        // Every backend ILGPU finds nothing for is explained on its own line.
        foreach (
            var (name, kind) in new[]
            {
                ("cuda", Untapped.Kernels.BackendKind.Cuda),
                ("opencl", Untapped.Kernels.BackendKind.OpenCl),
            }
        )
        {
            if (Untapped.Kernels.Backends.Unavailable(kind) is { } why)
                Assert.Contains($"{name}: {why}", text);
        }
    }

    [Fact]
    public void CorruptDataExitsWith1AndWritesNoResults()
    {
        var data = TinyMnist.Folder(30, 10);
        File.WriteAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte"), TinyMnist.Labels(9));
        var dir = Out();
        Assert.Equal(
            1,
            Cli.App.Run(["train", "--epochs", "1", "--batch", "8", "--data", data, "--out", dir, "--backend", "cpu"])
        );
        Assert.False(File.Exists(Path.Combine(dir, "eval.json")));
        Assert.False(File.Exists(Path.Combine(dir, "checkpoint.safetensors")));
    }
}
