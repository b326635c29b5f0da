using System.Diagnostics;
using Untapped.Graph;
using Untapped.Kernels.Cpu;
using Untapped.Training.Data;
using Untapped.Training.Model;
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
            case 0: for (int i = 0, n = r.Next(1, 8); i < n; i++) b[r.Next(b.Length)] = (byte)r.Next(256); return b;
            case 1: return b[..r.Next(b.Length)];
            case 2: return [.. b, .. Enumerable.Range(0, r.Next(1, 64)).Select(_ => (byte)r.Next(256))];
            case 3: { int i = r.Next(Math.Min(b.Length, 64)); b[i] = (byte)r.Next(256); return b; } // the header region
            default: { var s = r.Next(b.Length); var e = Math.Min(b.Length, s + r.Next(1, 32)); Array.Reverse(b, s, e - s); return b; }
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
            var (file, dims) = (i % 3) switch { 0 => (images, 3), 1 => (labels, 1), _ => (gz, 3) };
            try { Idx.Decode("fuzz.idx", Mutate(r, file), dims); }
            catch (DataFormatException e) { Assert.Contains("fuzz.idx", e.Message); rejected++; }
        }
        Assert.True(rejected > 1500, $"only {rejected} of 3000 corruptions were detected");
    }

    [Fact]
    public void SafetensorsReaderAcceptsOnlyDocumentedErrorsOnThousandsOfCorruptions()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.safetensors");
        Safetensors.Write(path, [new("a.w", [3, 4], Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray()), new("a.b", [4], [1, 2, 3, 4])]);
        var valid = File.ReadAllBytes(path);
        File.Delete(path);
        var r = new Random(23);
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            try { Safetensors.Parse("fuzz.safetensors", Mutate(r, valid)); }
            catch (SafetensorsException e) { Assert.Contains("fuzz.safetensors", e.Message); rejected++; }
        }
        Assert.True(rejected > 2500, $"only {rejected} of 3000 corruptions were detected (the checksum should catch data changes)");
    }

    [Fact]
    public void NanLossStopsNamingEpochAndTermAndKeepsTheCheckpoint()
    {
        var data = new ExperimentData(Mnist.Load(TinyMnist.Folder(80, 20)), 3, 40);
        using var cpu = new CpuAccelerator(2);
        using var t = new Trainer(ModelConfig.For(Preset.Paper), data, cpu, 16, 3);
        t.RunEpoch(0);
        var ckpt = Path.Combine(Out(), "checkpoint.safetensors");
        Checkpoint.Save(ckpt, t.Executor, withAdam: true);
        var good = cpu.ToArray(t.Executor.Parameters);
        var bad = (float[])good.Clone();
        var w = t.Objective.Graph.Parameters["decoder.out.b"];
        bad[w.ParameterOffset] = float.NaN;
        cpu.CopyFromHost(bad, t.Executor.Parameters);
        var e = Assert.Throws<TrainingDivergedException>(() => t.RunEpoch(1));
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains("'labelled_elbo'", e.Message);
        Assert.Equal(good, Checkpoint.Load(ckpt, t.Objective.Graph.Parameters).Parameters);
    }

    [Fact]
    public void SameSeedGivesIdenticalLossesAndCheckpointsForAnyThreadCount()
    {
        var data = TinyMnist.Folder(120, 30);
        string a = Out(), b = Out();
        string[] Args(string dir, string threads) => ["train", "--epochs", "2", "--batch", "16", "--unlabelled", "48", "--data", data, "--out", dir, "--backend", "cpu", "--threads", threads, "--preset", "original"];
        Assert.Equal(0, Cli.Cli.Run(Args(a, "1")));
        Assert.Equal(0, Cli.Cli.Run(Args(b, "3")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "checkpoint.safetensors")), File.ReadAllBytes(Path.Combine(b, "checkpoint.safetensors")));
        // metrics.jsonl also records wall-clock fields (step_ms, samples_per_s, seconds); everything else must match exactly.
        static string Losses(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"(step_ms|samples_per_s|seconds)\":[^,}]*", "");
        Assert.Equal(File.ReadAllLines(Path.Combine(a, "metrics.jsonl")).Select(Losses), File.ReadAllLines(Path.Combine(b, "metrics.jsonl")).Select(Losses));
    }

    [Fact]
    public void SigkillMidEpochThenResumeEqualsAnUninterruptedRun()
    {
        var data = TinyMnist.Folder(200, 40);
        string straight = Out(), killed = Out();
        string[] Args(string dir) => ["train", "--epochs", "3", "--batch", "16", "--unlabelled", "48", "--data", data, "--out", dir, "--backend", "cpu", "--model", "untapped"];
        Assert.Equal(0, Cli.Cli.Run(Args(straight)));

        // 100 labelled images / 16 = 7 steps per epoch: pause after step 10, in the middle of epoch 2, then SIGKILL.
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "untapped.dll"));
        foreach (var a in Args(killed)) psi.ArgumentList.Add(a);
        psi.Environment["UNTAPPED_PAUSE_AFTER_STEP"] = "10";
        var marker = Path.Combine(killed, "paused-after-step-10");
        using (var p = Process.Start(psi)!)
        {
            var sw = Stopwatch.StartNew();
            while (!File.Exists(marker) && !p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(50);
            Assert.True(File.Exists(marker), $"the child never reached step 10 (exited: {p.HasExited})");
            p.Kill(); // SIGKILL on Linux
            Assert.True(p.WaitForExit(60_000), "the child did not die");
        }
        Assert.Single(File.ReadAllLines(Path.Combine(killed, "metrics.jsonl")));
        Assert.False(File.Exists(Path.Combine(killed, "eval.json")));
        Assert.Equal(0, Cli.Cli.Run([.. Args(killed), "--resume"]));
        var x = Safetensors.Read(Path.Combine(straight, "checkpoint.safetensors")).Tensors;
        var y = Safetensors.Read(Path.Combine(killed, "checkpoint.safetensors")).Tensors;
        foreach (var k in x.Keys) Assert.Equal(x[k].Data, y[k].Data);
    }

    [Fact]
    public void CorruptedCheckpointIsReportedNotLoaded()
    {
        var data = TinyMnist.Folder(80, 20);
        var dir = Out();
        Assert.Equal(0, Cli.Cli.Run(["train", "--epochs", "1", "--batch", "16", "--unlabelled", "32", "--data", data, "--out", dir, "--backend", "cpu", "--model", "m2"]));
        var ckpt = Path.Combine(dir, "checkpoint.safetensors");
        var bytes = File.ReadAllBytes(ckpt);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(ckpt, bytes);
        Assert.Equal(1, Cli.Cli.Run(["evaluate", "--run", dir, "--backend", "cpu"]));
        Assert.Equal(1, Cli.Cli.Run(["train", "--epochs", "2", "--batch", "16", "--unlabelled", "32", "--data", data, "--out", dir, "--backend", "cpu", "--model", "m2", "--resume"]));
    }

    [Untapped.Tests.CudaAbsentFact]
    public void AbsentBackendExitsWith2NamingWhatIsPresent()
    {
        var sw = new StringWriter();
        var old = Console.Error;
        Console.SetError(sw);
        try { Assert.Equal(2, Cli.Cli.Run(["train", "--backend", "cuda", "--epochs", "1", "--data", TinyMnist.Folder(20, 10), "--out", Out()])); }
        finally { Console.SetError(old); }
        Assert.Contains("Backends present here: auto", sw.ToString());
        Assert.Contains("ilgpu-cpu, cpu", sw.ToString());
        Assert.Contains("libcuda", sw.ToString());
    }
}
