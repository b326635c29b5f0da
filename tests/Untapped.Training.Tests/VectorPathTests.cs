using Untapped.Training.Runs;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// Same seed, same bytes on every CPU: a short training run in a child process on each vector path the JIT can be told
/// to take (AVX-512 where present, AVX2, 128-bit vectors with FMA as on Arm64 NEON, 128-bit without FMA as on x86
/// without AVX2) writes the same checkpoint.safetensors, byte for byte. Each run's banner must name the path it took,
/// so that a switch the JIT ignored cannot pass unnoticed.
/// </summary>
public sealed class VectorPathTests
{
    static readonly string Data = TinyMnist.Folder(200, 40);

    public static TheoryData<string, string, string> Paths() =>
        new()
        {
            // name, environment (K=V), the path the banner must show ("" = whatever this CPU's widest is)
            { "default", "", "" },
            { "avx512-off", "DOTNET_EnableAVX512=0", "" },
            { "128-bit", "DOTNET_PreferredVectorBitWidth=128", "128-bit" },
            { "no-avx2-no-fma", "DOTNET_EnableAVX2=0", "128-bit" },
        };

    static byte[] Run(string env, string expectPath)
    {
        var dir = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        var vars =
            env.Length == 0
                ? new Dictionary<string, string>()
                : env.Split(' ').Select(kv => kv.Split('=')).ToDictionary(a => a[0], a => a[1]);
        using var child = ChildProcess.StartWith(
            vars,
            "train",
            "--epochs",
            "2",
            "--batch",
            "16",
            "--unlabelled",
            "48",
            "--data",
            Data,
            "--out",
            dir,
            "--backend",
            "cpu",
            "--threads",
            "2"
        );
        Assert.True(child.Wait(300) == 0, $"{env}: {child.StdErr}");
        if (expectPath.Length > 0)
            Assert.Contains($"managed CPU (2 threads, {expectPath})", child.StdOut + child.StdErr);
        return File.ReadAllBytes(Path.Combine(dir, RunDirectory.CheckpointFile));
    }

    [Fact]
    public void CheckpointBytesAreIdenticalOnEveryVectorPath()
    {
        var reference = Run("", "");
        foreach (var row in Paths().Skip(1))
        {
            var (name, env, path) = ((string)row[0], (string)row[1], (string)row[2]);
            Assert.True(
                reference.AsSpan().SequenceEqual(Run(env, path)),
                $"checkpoint on the {name} path ({env}) differs from the default path's"
            );
        }
    }
}
