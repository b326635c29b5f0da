using Untapped.Fuzz;
using Untapped.Tests;
using Untapped.Training.Runs;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The fuzz targets of tests/fuzz on their committed corpus and on every input a campaign found
/// (tests/fuzz/regressions/ TARGET/, each fixed): each must end in a valid result or a typed error naming its file. And
/// the CLI on run directories with mutated files: exit 0, 1 or 2, an error line naming a file, and the checkpoint
/// untouched.
/// </summary>
public sealed class FuzzRegressionTests
{
    static string Fuzz() => Path.Combine(RepoPaths.Root, "tests", "fuzz");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "corpus", "regressions" })
        {
            foreach (var dir in Directory.GetDirectories(Path.Combine(Fuzz(), kind)).Order(StringComparer.Ordinal))
            {
                foreach (var f in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                    data.Add(Path.GetFileName(dir), Path.GetRelativePath(Fuzz(), f));
            }
        }

        return data;
    }

    [Fact]
    public void EveryTargetHasACorpus() =>
        Assert.Equal(
            FuzzTargets.All.Keys.Order(StringComparer.Ordinal),
            Directory
                .GetDirectories(Path.Combine(Fuzz(), "corpus"))
                .Select(Path.GetFileName)
                .Order(StringComparer.Ordinal)
        );

    [Theory]
    [MemberData(nameof(Inputs))]
    public void EndsInAValidResultOrAnErrorNamingTheFile(string target, string input)
    {
        var work = Directory.CreateTempSubdirectory($"untapped-fuzz-{target}-").FullName;
        FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(Fuzz(), input)), work);
    }

    [Fact]
    public void TheCliOnMutatedRunDirectoriesFailsCleanlyAndKeepsTheCheckpoint()
    {
        var data = TinyMnist.Folder(60, 20);
        var good = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        string[] Train(string dir) =>
            [
                .. Argv.Words("train --model m2 --epochs 1 --batch 16 --unlabelled 32 --data"),
                data,
                "--out",
                dir,
                .. Argv.Words("--backend cpu --threads 1"),
            ];
        Assert.Equal(0, Cli.App.Run(Train(good)));
        var rng = new Random(34);
        int failures = 0;
        foreach (
            var file in new[]
            {
                RunDirectory.ConfigFile,
                RunDirectory.MetricsFile,
                RunDirectory.EvalFile,
                RunDirectory.CheckpointFile,
                ".holder.json",
            }
        )
        {
            for (int trial = 0; trial < 2; trial++)
            {
                var dir = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(dir);
                foreach (var f in Directory.GetFiles(good))
                    File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
                var path = Path.Combine(dir, file);
                var bytes = File.Exists(path) ? File.ReadAllBytes(path) : "{\"pid\": 1}"u8.ToArray();
                // A few random bytes overwritten, or the file cut short.
                if (trial == 1)
                {
                    bytes = bytes[..(bytes.Length / 3)];
                }
                else
                {
                    for (int k = 0; k < 3; k++)
                        bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                }

                File.WriteAllBytes(path, bytes);
                var before = File.ReadAllBytes(Path.Combine(dir, RunDirectory.CheckpointFile));
                foreach (
                    var args in new[]
                    {
                        [.. Train(dir), "--resume"],
                        new[] { "evaluate", "--run", dir, "--backend", "cpu", "--threads", "1" },
                    }
                )
                {
                    using var child = ChildProcess.Start(args);
                    int code = child.Wait();
                    Assert.True(
                        code is 0 or 1 or 2,
                        $"{file} mutated: {string.Join(' ', args)} exited {code}: {child.StdErr}"
                    );
                    if (code != 0)
                    {
                        failures++;
                        Assert.Contains("error: ", child.StdErr);
                        Assert.Contains(dir, child.StdErr);
                        Assert.DoesNotContain("internal error", child.StdErr);
                    }
                    Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, RunDirectory.CheckpointFile)));
                }
            }
        }

        Assert.True(
            failures >= 6,
            $"only {failures} of 20 commands on mutated directories failed: the mutations are too mild to test anything"
        );
    }
}
