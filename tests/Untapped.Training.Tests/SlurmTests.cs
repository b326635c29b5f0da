using System.Diagnostics;
using System.Text.Json.Nodes;
using Untapped.Training.Experiments;
using Xunit;
using Xunit.Abstractions;

namespace Untapped.Training.Tests;

/// <summary>
/// A fact that needs a running Slurm (`sinfo` answers; `.ci/slurm-up.sh` starts one). Elsewhere it skips saying so;
/// under CI=true it runs regardless, so a Slurm that failed to start fails the run instead of hiding.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Untapped.Tests.Ci.Required)
            return;
        if (SlurmTests.Sh("sinfo -h") is { Code: not 0 } r)
            Skip = $"no Slurm answers here (sinfo: {r.Output.Trim()}); bash .ci/slurm-up.sh starts a single-node one";
    }
}

public sealed class SlurmTests(ITestOutputHelper log)
{
    internal static (int Code, string Output) Sh(string cmd, int seconds = 30)
    {
        try
        {
            using var p = Process.Start(
                new ProcessStartInfo("bash", ["-c", cmd + " 2>&1"])
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                }
            )!;
            var o = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(seconds * 1000))
            {
                p.Kill(true);
                return (124, $"timed out after {seconds} s");
            }
            return (p.ExitCode, o.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (127, e.Message);
        }
    }

    [SlurmFact]
    public void AFourTrialArrayRunsThroughTheGeneratedScriptAndIsReported()
    {
        var data = TinyMnist.Folder(120, 30);
        var dir = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        string[] sweep =
        [
            .. Argv.Words("--models m2,untapped --seeds 1-2 --epochs 1 --batch 16 --unlabelled 32 --data"),
            data,
            "--out",
            dir,
            .. Argv.Words("--backend cpu --threads 1"),
        ];
        Assert.Equal(0, Cli.App.Run(["experiment", "slurm", .. sweep, "--cpus", "1", "--time", "00:10:00"]));
        var script = Path.Combine(dir, "sweep.sbatch");
        Assert.Contains("#SBATCH --array=0-3\n", File.ReadAllText(script));

        var (code, output) = Sh($"sbatch --wait {SlurmScript.Quote(script)}", seconds: 600);
        log.WriteLine(output);
        foreach (
            var f in Directory.Exists(Path.Combine(dir, "slurm")) ? Directory.GetFiles(Path.Combine(dir, "slurm")) : []
        )
        {
            log.WriteLine($"--- {f}\n{File.ReadAllText(f)}");
        }

        Assert.True(code == 0, $"sbatch --wait exited {code}: {output}");

        Assert.Equal(0, Cli.App.Run(["experiment", "report", "--out", dir]));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, SweepReport.JsonFile)))!;
        var trials = json["groups"]!
            .AsArray()
            .SelectMany(g => g!["trials"]!.AsArray())
            .Select(t => t!["name"]!.GetValue<string>())
            .Order()
            .ToArray();
        Assert.Equal(
            new[] { "m2-paper-seed1", "m2-paper-seed2", "untapped-paper-seed1", "untapped-paper-seed2" },
            trials
        );
        Assert.Single(json["comparisons"]!.AsArray());
        // Re-running a task of the finished array is a no-op (how a requeued task behaves).
        var (again, text) = Sh($"SLURM_ARRAY_TASK_ID=2 bash {SlurmScript.Quote(script)}", seconds: 120);
        Assert.True(again == 0, text);
        Assert.Contains("complete, skipped", text);
    }
}
