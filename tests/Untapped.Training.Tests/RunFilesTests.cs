using Untapped.Tests;
using Untapped.Training.Data;
using Untapped.Training.Runs;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The run's file formats are each one typed record with one reader and writer: the committed study's files (written
/// by the earlier, hand-keyed writers) read back and write out byte for byte, and a broken file is named.
/// </summary>
public sealed class RunFilesTests
{
    static string Study() => Path.Combine(RepoPaths.Root, "docs", "results", "study");

    [Fact]
    public void EveryCommittedEvalJsonRoundTripsByteForByte()
    {
        var files = Directory.GetFiles(Study(), RunDirectory.EvalFile, SearchOption.AllDirectories);
        Assert.True(files.Length >= 70, $"expected the study's 70 trials, found {files.Length}");
        foreach (var f in files)
            Assert.Equal(File.ReadAllText(f), EvalJson.Read(f).ToJson());
    }

    [Fact]
    public void EveryCommittedMetricsLineRoundTripsByteForByte()
    {
        var files = Directory.GetFiles(Study(), RunDirectory.MetricsFile, SearchOption.AllDirectories);
        Assert.True(files.Length >= 70);
        int lines = 0;
        foreach (var f in files)
        {
            foreach (var line in File.ReadLines(f).Where(l => l.Length > 0))
            {
                var m = MetricsJsonl.Parse(line, f);
                Assert.Equal(line, MetricsJsonl.Format(m));
                lines++;
            }
        }

        Assert.True(lines >= 70 * 150);
        // The figures see the monitors as terms like any other.
        var logged = MetricsJsonl.Read(
            Path.Combine(Study(), "untapped-paper-reverse-logp-grad-none-seed1", RunDirectory.MetricsFile)
        );
        Assert.Equal(150, logged.Count);
        Assert.InRange(logged[^1].Losses["reverse.log_p_x"], -200, -180);
    }

    [Fact]
    public void ABrokenEvalJsonOrMetricsLineIsNamed()
    {
        var dir = Directory.CreateTempSubdirectory("untapped-runfiles-").FullName;
        var eval = Path.Combine(dir, RunDirectory.EvalFile);
        File.WriteAllText(eval, "{\"model\": \"m2\", \"acc_heldout\": 0.5}");
        var e = Assert.Throws<DataFormatException>(() => EvalJson.Read(eval));
        Assert.Contains(eval, e.Message);
        Assert.Contains("ce_heldout", e.Message);
        var m = Assert.Throws<DataFormatException>(() =>
            MetricsJsonl.Parse("{\"epoch\": 1, \"lr\": 0.01, \"loss\": 2}", "x/metrics.jsonl")
        );
        Assert.Contains("x/metrics.jsonl", m.Message);
        Assert.Contains("step_ms", m.Message);
    }

    // config.json records the run directory as "." and a data folder of the same repository relative to the run, so
    // the run reads the same after the repository moves (another clone); outside a repository the paths stay absolute.
    [Fact]
    public void RunRecordsTravelWithTheRepository()
    {
        var repo = Directory.CreateTempSubdirectory("untapped-repo-").FullName;
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        var data = Path.Combine(repo, "data", "tiny");
        Directory.CreateDirectory(data);
        foreach (var f in Directory.GetFiles(TinyMnist.Folder(60, 20)))
            File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        var run = Path.Combine(repo, "runs", "r1");
        Assert.Equal(
            0,
            Cli.App.Run([
                .. Argv.Words("train --model m2 --epochs 1 --batch 16 --unlabelled 32 --data"),
                data,
                "--out",
                run,
                .. Argv.Words("--backend cpu --threads 1"),
            ])
        );
        var cfg = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunDirectory.ConfigFile)))!;
        Assert.Equal(
            (".", "../../data/tiny"),
            (cfg["out_dir"]!.GetValue<string>(), cfg["data_dir"]!.GetValue<string>())
        );
        var moved = repo + "-moved";
        Directory.Move(repo, moved);
        var o = RunDirectory.LoadOptions(Path.Combine(moved, "runs", "r1"));
        Assert.Equal((Path.Combine(moved, "runs", "r1"), Path.Combine(moved, "data", "tiny")), (o.OutDir, o.DataDir));
        Assert.Equal(
            0,
            Cli.App.Run(["evaluate", "--run", Path.Combine(moved, "runs", "r1"), "--backend", "cpu", "--threads", "1"])
        );

        var outside = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        var absolute = RunPaths.Relative(new RunOptions { OutDir = outside, DataDir = data }, outside);
        Assert.Equal((".", data), (absolute.OutDir, absolute.DataDir));
    }
}
