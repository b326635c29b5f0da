using System.Text.Json.Nodes;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Reports;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// `--eval-every`: the held-out metrics by epoch in metrics.jsonl, measured by eval.json's code, changing no trained
/// bit and no part of the run's fingerprint.
/// </summary>
public sealed class EvalEveryTests
{
    static readonly string Data = TinyMnist.Folder(160, 40);

    static string Out() => Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));

    static string[] Train(string outDir, int epochs, params string[] extra) =>
        [
            .. Argv.Words("train --model m2 --epochs"),
            epochs.ToString(),
            .. Argv.Words("--batch 32 --unlabelled 64 --data"),
            Data,
            "--out",
            outDir,
            "--backend",
            "cpu",
            .. extra,
        ];

    static Dictionary<string, float[]> Tensors(string dir) =>
        Safetensors
            .Read(Path.Combine(dir, RunDirectory.CheckpointFile))
            .Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Data);

    // eval.json takes the last epoch's evaluation (made for metrics.jsonl) instead of evaluating again: it must be that
    // of the final parameters, byte for byte what `untapped evaluate` measures afresh, not an earlier epoch's.
    [Fact]
    public void EvalJsonReusesTheLastEpochsEvaluationAndEqualsAFreshOne()
    {
        var dir = Out();
        Assert.Equal(0, Cli.App.Run(Train(dir, 2, "--eval-every", "1")));
        var written = File.ReadAllText(Path.Combine(dir, RunDirectory.EvalFile));
        Assert.Equal(0, Cli.App.Run(["evaluate", "--run", dir, "--backend", "cpu"]));
        Assert.Equal(File.ReadAllText(Path.Combine(dir, RunDirectory.EvalFile)), written);
        var lines = File.ReadAllLines(Path.Combine(dir, RunDirectory.MetricsFile));
        Assert.NotEqual(
            JsonNode.Parse(lines[0])!["heldout"]!.ToJsonString(),
            JsonNode.Parse(lines[1])!["heldout"]!.ToJsonString()
        );
    }

    [Fact]
    public void HeldOutMetricsAreLoggedOnTheScheduleAndChangeNoTrainedBit()
    {
        string none = Out(),
            every2 = Out(),
            resumed = Out();
        Assert.Equal(0, Cli.App.Run(Train(none, 3, "--eval-every", "0")));
        Assert.Equal(0, Cli.App.Run(Train(every2, 3, "--eval-every", "2")));
        // --eval-every is not part of the run: a resume may change it.
        Assert.Equal(0, Cli.App.Run(Train(resumed, 1, "--eval-every", "1")));
        Assert.Equal(0, Cli.App.Run(Train(resumed, 3, "--eval-every", "2", "--resume")));

        var reference = Tensors(none);
        foreach (var other in new[] { every2, resumed })
        {
            var t = Tensors(other);
            Assert.Equal(reference.Keys.Order(), t.Keys.Order());
            foreach (var k in reference.Keys)
                Assert.Equal(reference[k], t[k]);
        }

        var logged = MetricsJsonl.Read(Path.Combine(every2, RunDirectory.MetricsFile));
        Assert.Equal([2, 3], logged.Where(m => m.HeldOut is not null).Select(m => m.Epoch));
        Assert.Equal(
            [3],
            MetricsJsonl
                .Read(Path.Combine(none, RunDirectory.MetricsFile))
                .Where(m => m.HeldOut is not null)
                .Select(m => m.Epoch)
        );
        Assert.Equal(
            [1, 2, 3],
            MetricsJsonl
                .Read(Path.Combine(resumed, RunDirectory.MetricsFile))
                .Where(m => m.HeldOut is not null)
                .Select(m => m.Epoch)
        );

        // The last epoch's record is eval.json's numbers exactly.
        var last = logged[^1].HeldOut!;
        var eval = EvalJson.Read(Path.Combine(every2, RunDirectory.EvalFile));
        Assert.Equal(eval.CeHeldout, last.Ce);
        Assert.Equal(eval.AccHeldout, last.Accuracy);
        Assert.Equal(eval.DistinctDigits, last.DistinctDigits);
        Assert.Equal(eval.Permutation, last.Permutation);

        // The entropy, recomputed here from the classifier's probabilities on the held-out images.
        var o = RunDirectory.LoadOptions(every2);
        var data = new ExperimentData(Mnist.Load(Data), o.Seed, o.UnlabelledCount);
        using var acc = new CpuBackend(1);
        using var inf = Inference.FromHost(acc, RunReports.LoadParameters(every2));
        var x = data.HeldOut.SelectMany(i => data.Pool.ImagesAsFloats(i, 1)).ToArray();
        var p = inf.ClassifierProbs(x, data.HeldOut.Length);
        double h = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] > 0)
                h -= p[i] * Math.Log(p[i]);
        }

        Assert.Equal(h / data.HeldOut.Length, last.Entropy, 1e-9);
        Assert.InRange(last.Entropy, 0, Math.Log(10) + 1e-9);

        // The assignment-free score, recomputed here over all 120 permutations of the free dims 5-9 (dims 0-4 fixed):
        // the lowest held-out CE, the accuracy under that permutation; never above the judged CE (the judge's
        // permutation is one of the 120).
        var labels = data.HeldOut.Select(i => data.Pool.Labels[i]).ToArray();
        double Ce(int[] dimOfDigit) =>
            labels.Select((t, i) => -Math.Log(Math.Max(p[i * 10 + dimOfDigit[t]], 1e-6))).Sum() / labels.Length;
        static IEnumerable<int[]> Perms(int[] items) =>
            items.Length == 0
                ?
                [
                    [],
                ]
                : items.SelectMany(x => Perms([.. items.Where(y => y != x)]).Select(r => (int[])[x, .. r]));
        var all = Perms([5, 6, 7, 8, 9]).Select(free => (int[])[0, 1, 2, 3, 4, .. free]).ToList();
        Assert.Equal(120, all.Count);
        var bestDimOf = all.MinBy(Ce)!;
        var best = last.Best!;
        Assert.Equal(Ce(bestDimOf), best.Ce, 1e-9);
        Assert.True(best.Ce <= last.Ce + 1e-12, $"best-permutation CE {best.Ce} above the judged {last.Ce}");
        var digitOfDim = new int[10];
        for (int t = 0; t < 10; t++)
            digitOfDim[bestDimOf[t]] = t;
        Assert.Equal(digitOfDim, best.Permutation);
        int right = labels
            .Where((t, i) => digitOfDim[Array.IndexOf(p, p.Skip(i * 10).Take(10).Max(), i * 10) - i * 10] == t)
            .Count();
        Assert.Equal((double)right / labels.Length, best.Accuracy, 1e-12);
        Assert.Equal(eval.CeHeldoutBest, best.Ce);
        Assert.Equal(eval.PermutationBest, best.Permutation);
    }

    [Fact]
    public void HeldOutRecordsRoundTripAndABrokenOneIsNamed()
    {
        var m = new EpochMetrics(
            7,
            0.01,
            new Dictionary<string, double> { ["total"] = 1.5 },
            2,
            3,
            4,
            new HeldOutMetrics(1.25, 0.5, 9, [0, 1, 2, 3, 4, 9, 8, 7, 6, 5], 0.75)
        );
        string line = MetricsJsonl.Format(m);
        Assert.Equal(
            """{"epoch":7,"lr":0.01,"total":1.5,"step_ms":2,"samples_per_s":3,"seconds":4,"heldout":{"ce":1.25,"acc":0.5,"distinct_digits":9,"permutation":[0,1,2,3,4,9,8,7,6,5],"entropy":0.75}}""",
            line
        );
        var back = MetricsJsonl.Parse(line, "m.jsonl");
        Assert.Equal(line, MetricsJsonl.Format(back));
        Assert.Null(back.HeldOut!.Best); // a line written before the assignment-free score reads as without it
        var withBest = m with { HeldOut = m.HeldOut! with { Best = new(1.0, 0.625, [0, 1, 2, 3, 4, 5, 6, 8, 7, 9]) } };
        string line2 = MetricsJsonl.Format(withBest);
        Assert.EndsWith(
            ""","entropy":0.75,"ce_best":1,"acc_best":0.625,"permutation_best":[0,1,2,3,4,5,6,8,7,9]}}""",
            line2
        );
        Assert.Equal(line2, MetricsJsonl.Format(MetricsJsonl.Parse(line2, "m.jsonl")));
        Assert.Equal(["total"], back.Losses.Keys);
        foreach (
            var bad in new[]
            {
                """{"heldout":{"ce":1}}""",
                """{"heldout":3}""",
                """{"heldout":{"ce":1,"acc":1,"distinct_digits":2.5,"permutation":[],"entropy":1}}""",
            }
        )
        {
            var broken = line[..line.IndexOf("\"heldout\"", StringComparison.Ordinal)] + bad[1..];
            var e = Assert.Throws<DataFormatException>(() => MetricsJsonl.Parse(broken, "x/metrics.jsonl"));
            Assert.Contains("x/metrics.jsonl", e.Message);
            Assert.Contains("heldout", e.Message);
        }
    }

    [Fact]
    public void ANegativeScheduleIsAUsageError() => Assert.Equal(2, Cli.App.Run(Train(Out(), 1, "--eval-every", "-1")));
}
