using System.Text.RegularExpressions;
using Untapped.Tests;
using Untapped.Training;
using Untapped.Training.Runs;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// Training says which remedies apply; only the CLI names flags (Cli/RemedyText.cs). These hold the two halves
/// together: every remedy is worded, the CLI's errors carry the words, and no string in Training's source names a flag.
/// </summary>
public class RemedyTests
{
    [Theory]
    [MemberData(nameof(Remedies))]
    public void EveryRemedyIsWordedWithWhatCarriesItOut(Remedy r)
    {
        var text = Cli.RemedyText.Of(r);
        Assert.Matches(@"--[a-z]|`untapped ", text); // a flag or a command the user can type
    }

    public static TheoryData<Remedy> Remedies() => [.. Enum.GetValues<Remedy>()];

    [Fact]
    public void AMessageEndsWithItsRemediesInOrder()
    {
        var e = new UsageException("runs/a already holds a run", Remedy.Resume, Remedy.ChooseAnotherOutDir);
        Assert.Equal(
            "runs/a already holds a run; pass --resume to continue it, or choose another --out",
            Cli.RemedyText.Message(e)
        );
        Assert.Equal("plain", Cli.RemedyText.Message(new UsageException("plain")));
        var stop = new TrainingStoppedException("runs/a/checkpoint.safetensors", 5, 10);
        Assert.Equal(
            "stopped after step 5 of 10; checkpoint committed to runs/a/checkpoint.safetensors; pass --resume to continue it",
            Cli.RemedyText.Message(stop)
        );
    }

    [Fact]
    public void TrainingOverARunWithoutResumeIsToldBothWaysOn()
    {
        var dir = Path.Combine(Path.GetTempPath(), "untapped-remedy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, RunDirectory.CheckpointFile), []); // a run is there: refused before it is read
        string[] args =
        [
            .. Argv.Words("train --epochs 1 --batch 16 --unlabelled 48 --data"),
            TinyMnist.Folder(20, 10),
            "--out",
            dir,
            .. Argv.Words("--backend cpu --threads 1"),
        ];
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try
        {
            code = Cli.App.Run(args);
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Equal(Cli.ExitCode.Usage, code);
        Assert.Contains(
            $"error: {dir} already holds a run ({RunDirectory.CheckpointFile}); pass --resume to continue it, or choose another --out",
            err.ToString()
        );
    }

    // "Training code names no CLI flag": a string literal in src/Training with "--name" in it, outside the Slurm script
    // (whose job line is a command line by nature). Comments and XML docs may name flags.
    [Fact]
    public void NoStringInTrainingNamesAFlag()
    {
        var root = Path.Combine(RepoPaths.Root, "src", "Training");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (
                file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                || Path.GetFileName(file) == "SlurmScript.cs"
            )
            {
                continue;
            }

            foreach (var (line, i) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
            {
                var code = line.TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal))
                    continue;
                foreach (Match m in Regex.Matches(code, "\"(?:[^\"\\\\]|\\\\.)*\""))
                {
                    if (Regex.IsMatch(m.Value, @"(^|[\s`(])--[a-z][a-z-]+"))
                        offenders.Add($"{Path.GetRelativePath(root, file)}:{i}: {m.Value}");
                }
            }
        }
        Assert.True(
            offenders.Count == 0,
            "flag names in Training (word them in Cli/RemedyText.cs):\n" + string.Join("\n", offenders)
        );
    }
}
