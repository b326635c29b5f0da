using Untapped.Graph;
using Untapped.Kernels.Cpu;
using Untapped.Training.Data;
using Untapped.Training.Model;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;

namespace Untapped.Training.Tests;

public sealed class ReliabilityTests
{
    static string Out() => Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));

    static byte[] Mutate(Random r, byte[] valid)
    {
        var b = (byte[])valid.Clone();
        switch (r.Next(5))
        {
            case 0:
                for (int i = 0, n = r.Next(1, 8); i < n; i++)
                    b[r.Next(b.Length)] = (byte)r.Next(256);
                return b;
            case 1:
                return b[..r.Next(b.Length)];
            case 2:
                return [.. b, .. Enumerable.Range(0, r.Next(1, 64)).Select(_ => (byte)r.Next(256))];
            case 3:
            {
                int i = r.Next(Math.Min(b.Length, 64));
                b[i] = (byte)r.Next(256);
                return b;
            } // the header region
            default:
            {
                var s = r.Next(b.Length);
                var e = Math.Min(b.Length, s + r.Next(1, 32));
                Array.Reverse(b, s, e - s);
                return b;
            }
        }
    }

    [Fact]
    public void IdxReaderAcceptsOnlyDocumentedErrorsOnThousandsOfCorruptions()
    {
        var r = new Random(17);
        var images = TinyMnist.Images(12, 3);
        var labels = TinyMnist.Labels(12);
        var gz = TinyMnist.Gzip(images);
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            var (file, dims) = (i % 3) switch
            {
                0 => (images, 3),
                1 => (labels, 1),
                _ => (gz, 3),
            };
            try
            {
                Idx.Decode("fuzz.idx", Mutate(r, file), dims);
            }
            catch (DataFormatException e)
            {
                Assert.Contains("fuzz.idx", e.Message);
                rejected++;
            }
        }
        Assert.True(rejected > 1500, $"only {rejected} of 3000 corruptions were detected");
    }

    [Fact]
    public void SafetensorsReaderAcceptsOnlyDocumentedErrorsOnThousandsOfCorruptions()
    {
        var valid = Safetensors.Encode([
            new("a.w", [3, 4], Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray()),
            new("a.b", [4], [1, 2, 3, 4]),
        ]);
        var r = new Random(23);
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            try
            {
                Safetensors.Parse("fuzz.safetensors", Mutate(r, valid));
            }
            catch (CheckpointException e)
            {
                Assert.Contains("fuzz.safetensors", e.Message);
                rejected++;
            }
        }
        Assert.True(
            rejected > 2500,
            $"only {rejected} of 3000 corruptions were detected (the checksum should catch data changes)"
        );
    }

    [Fact]
    public void NanLossStopsNamingEpochAndTermAndKeepsTheCheckpoint()
    {
        var data = new ExperimentData(Mnist.Load(TinyMnist.Folder(80, 20)), 3, 40);
        using var cpu = new CpuBackend(2);
        using var t = new Trainer(ModelConfig.For(Preset.Paper), data, cpu, 16, 3);
        t.RunEpoch();
        var ckpt = Path.Combine(Out(), "checkpoint.safetensors");
        Checkpoint.Save(ckpt, t.Executor, new TrainingState(t.StepsDone, [.. t.EpochLossSums], "test"));
        var good = cpu.ToArray(t.Executor.Parameters);
        var bad = (float[])good.Clone();
        var w = t.Objective.Graph.Parameters["decoder.out.b"];
        bad[w.ParameterOffset] = float.NaN;
        cpu.CopyFromHost(bad, t.Executor.Parameters);
        var e = Assert.Throws<TrainingDivergedException>(() => t.RunEpoch());
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains("'labelled_elbo'", e.Message);
        Assert.Equal(good, Checkpoint.Load(ckpt, t.Objective.Graph.Parameters).Parameters);
    }

    [Fact]
    public void SameSeedGivesIdenticalLossesAndCheckpointsForAnyThreadCount()
    {
        var data = TinyMnist.Folder(120, 30);
        string a = Out(),
            b = Out();
        string[] Args(string dir, string threads) =>
            [
                .. Argv.Words("train --epochs 2 --batch 16 --unlabelled 48 --data"),
                data,
                "--out",
                dir,
                "--backend",
                "cpu",
                "--threads",
                threads,
                "--preset",
                "original",
            ];
        Assert.Equal(0, Cli.App.Run(Args(a, "1")));
        Assert.Equal(0, Cli.App.Run(Args(b, "3")));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(a, "checkpoint.safetensors")),
            File.ReadAllBytes(Path.Combine(b, "checkpoint.safetensors"))
        );
        // metrics.jsonl also records wall-clock fields (step_ms, samples_per_s, seconds); everything else must match
        // exactly.
        static string Losses(string line) =>
            System.Text.RegularExpressions.Regex.Replace(line, "\"(step_ms|samples_per_s|seconds)\":[^,}]*", "");
        Assert.Equal(
            File.ReadAllLines(Path.Combine(a, "metrics.jsonl")).Select(Losses),
            File.ReadAllLines(Path.Combine(b, "metrics.jsonl")).Select(Losses)
        );
    }

    [Fact]
    public void CorruptedCheckpointIsReportedNotLoaded()
    {
        var data = TinyMnist.Folder(80, 20);
        var dir = Out();
        Assert.Equal(
            0,
            Cli.App.Run([
                .. Argv.Words("train --epochs 1 --batch 16 --unlabelled 32 --data"),
                data,
                "--out",
                dir,
                .. Argv.Words("--backend cpu --model m2"),
            ])
        );
        var ckpt = Path.Combine(dir, "checkpoint.safetensors");
        var bytes = File.ReadAllBytes(ckpt);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(ckpt, bytes);
        Assert.Equal(1, Cli.App.Run(["evaluate", "--run", dir, "--backend", "cpu"]));
        Assert.Equal(
            1,
            Cli.App.Run([
                .. Argv.Words("train --epochs 2 --batch 16 --unlabelled 32 --data"),
                data,
                "--out",
                dir,
                .. Argv.Words("--backend cpu --model m2 --resume"),
            ])
        );
    }

    [Untapped.Tests.CudaAbsentFact]
    public void AbsentBackendExitsWith2NamingWhatIsPresent()
    {
        var sw = new StringWriter();
        var old = Console.Error;
        Console.SetError(sw);
        try
        {
            Assert.Equal(
                2,
                Cli.App.Run([
                    .. Argv.Words("train --backend cuda --epochs 1 --data"),
                    TinyMnist.Folder(20, 10),
                    "--out",
                    Out(),
                ])
            );
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Contains("Backends present here: auto", sw.ToString());
        Assert.Contains("ilgpu-cpu, cpu", sw.ToString());
        Assert.Contains("libcuda", sw.ToString());
    }
}
