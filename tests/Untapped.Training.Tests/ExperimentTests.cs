using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Untapped.Training.Experiments;
using Untapped.Training.Model;
using Untapped.Training.Reports;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Untapped.Training.Tests;

/// <summary>
/// Issue 14: sweeps as resumable trials, their statistics and report, and the Slurm array that runs them.
/// </summary>
public sealed class ExperimentTests(ITestOutputHelper log)
{
    static readonly string Data = TinyMnist.Folder(200, 40);

    static string Out() => Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));

    static string[] Sweep(string dir, params string[] extra) =>
        [
            .. Argv.Words("experiment --epochs 1 --batch 16 --unlabelled 48 --data"),
            Data,
            "--out",
            dir,
            .. Argv.Words("--backend cpu --threads 1"),
            .. extra,
        ];

    static (int Code, string Out, string Err) Capture(string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var (oldO, oldE) = (Console.Out, Console.Error);
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            return (Cli.App.Run(args), o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldO);
            Console.SetError(oldE);
        }
    }

    // The runner's policy without the CLI's parser: a stub trains; complete trials are skipped, a busy directory and
    // a failed run are reported and the sweep goes on, a stop ends it with the trials after it untouched.
    [Fact]
    public void TheRunnerSkipsCompleteAndBusyTrialsRecordsFailuresAndStopsOnAStop()
    {
        var root = Out();
        var trials = new Sweep([ModelKind.Untapped], [Preset.Paper], Cli.SweepText.ParseSeeds("1-6"), []).Trials();
        var runs = trials
            .Select(
                (t, i) =>
                    new SweepRunner.TrialRun(
                        i,
                        t,
                        new RunOptions { Seed = t.Seed, OutDir = Path.Combine(root, t.Name) }
                    )
            )
            .ToList();
        using (var d = RunDirectory.Open(runs[1].Options.OutDir))
            d.WriteOptions(runs[1].Options); // seed 2: complete
        File.WriteAllText(Path.Combine(runs[1].Options.OutDir, RunDirectory.EvalFile), "{}");
        Assert.Equal("complete", SweepRunner.State(runs[1].Options));
        Assert.Equal("not started", SweepRunner.State(runs[0].Options));
        var called = new List<ulong>();
        var (o, e) = (new StringWriter(), new StringWriter());
        void Train(RunOptions opts)
        {
            called.Add(opts.Seed);
            switch (opts.Seed)
            {
                case 3:
                    throw new TrainingDivergedException("loss is NaN at step 4");
                case 4:
                    throw new RunDirectoryBusyException(
                        opts.OutDir,
                        new LockHolder(4242, "node7", DateTimeOffset.UnixEpoch, "train")
                    );
            }
        }
        var summary = SweepRunner.Run(runs.Take(5).ToList(), runs.Count, Train, o, e);
        Assert.Equal(new ulong[] { 1, 3, 4, 5 }, called);
        Assert.Equal((5, 2, 1), (summary.Requested, summary.Trained, summary.Complete));
        Assert.Equal(["untapped-paper-seed3"], summary.Failed);
        Assert.Equal(["untapped-paper-seed4"], summary.Busy);
        Assert.Contains(
            "trial 2 (untapped-paper-seed3) failed: loss is NaN at step 4; the last committed checkpoint is kept",
            e.ToString()
        );
        Assert.Contains("untapped pid 4242 on node7 since 1970-01-01 00:00:00 UTC", e.ToString());
        Assert.Equal(
            "5 trial(s): 2 trained, 1 already complete, 1 in use by another process (untapped-paper-seed4), 1 failed (untapped-paper-seed3)",
            summary.ToString()
        );
        called.Clear();
        Assert.Throws<TrainingStoppedException>(() =>
            SweepRunner.Run(
                runs,
                runs.Count,
                opts =>
                {
                    called.Add(opts.Seed);
                    if (opts.Seed == 5)
                        throw new TrainingStoppedException("c", 1, 2);
                },
                o,
                e
            )
        );
        Assert.Equal(new ulong[] { 1, 3, 4, 5 }, called); // seed 6 never starts
    }

    [Fact]
    public void TrialsAreTheCrossProductWithTheModelsOfASeedSideBySide()
    {
        var none = new RunOverrides { XTildeGrad = XTildeGrad.None };
        var s = new Sweep(
            [ModelKind.M2, ModelKind.Untapped],
            [Preset.Paper],
            Cli.SweepText.ParseSeeds("1-2"),
            [("x-tilde-grad", [("none", none), ("relaxed", new RunOverrides { XTildeGrad = XTildeGrad.Relaxed })])]
        );
        Assert.Equal(
            new[]
            {
                "m2-paper-x-tilde-grad-none-seed1",
                "untapped-paper-x-tilde-grad-none-seed1",
                "m2-paper-x-tilde-grad-none-seed2",
                "untapped-paper-x-tilde-grad-none-seed2",
                "m2-paper-x-tilde-grad-relaxed-seed1",
                "untapped-paper-x-tilde-grad-relaxed-seed1",
                "m2-paper-x-tilde-grad-relaxed-seed2",
                "untapped-paper-x-tilde-grad-relaxed-seed2",
            },
            s.Trials().Select(t => t.Name)
        );
        Assert.Equal(none, s.Trials()[1].Varied);
        Assert.Equal(new ulong[] { 2, 3, 4, 9, 1 }, Cli.SweepText.ParseSeeds("2-4,9,3,1"));
    }

    // The sweep applies typed overrides rather than re-parsing a made-up `train` line: each trial's run must still be
    // field for field what `untapped train` resolves from the equivalent command line (the same fingerprint, so a
    // sweep resumes the runs of an earlier one), shared options and varied switches alike.
    [Fact]
    public void ATrialsRunIsWhatTrainResolvesFromTheEquivalentCommandLine()
    {
        var dir = Out();
        string[] shared = [.. Argv.Words("--epochs 7 --batch 300 --tau 0.5 --backend cpu --unlabelled 900")];
        var so = new Cli.Commands.SweepOptions();
        var experiment = new System.CommandLine.Command("experiment");
        so.AddTo(experiment);
        var p = new System.CommandLine.RootCommand { experiment }.Parse([
            .. Argv.Words(
                "experiment --models m2,untapped --presets original --seeds 3 --vary reverse-logp-grad=none --vary lr=0.003 --out"
            ),
            dir,
            .. shared,
        ]);
        var trials = so.Sweep(p).Trials();
        Assert.Equal(2, trials.Count);
        foreach (var t in trials)
        {
            var train = new Cli.Commands.TrainCommand();
            var tp = new System.CommandLine.RootCommand { train.Command }.Parse([
                "train",
                .. shared,
                "--model",
                t.Model.ToString().ToLowerInvariant(),
                .. Argv.Words("--preset original --seed 3 --reverse-logp-grad none --lr 0.003 --out"),
                Path.Combine(dir, t.Name),
            ]);
            var expected = train.Resolve(tp).Options;
            var actual = so.TrialRun(p, t);
            Assert.Equal(expected, actual);
            Assert.Equal(expected.Fingerprint(), actual.Fingerprint());
        }
        var u = so.TrialRun(p, trials[1]);
        Assert.Equal(
            (ModelKind.Untapped, 7, 300, 0.5f, 900, ReverseLogPGrad.None, 0.003, UnfeaturedZ.Fixed),
            (
                u.Model.Kind,
                u.Model.Epochs,
                u.Batch,
                u.Model.Tau,
                u.UnlabelledCount,
                u.Model.ReverseLogPGrad,
                u.Model.LearningRate,
                u.Model.UnfeaturedZ
            )
        );
    }

    [Theory]
    [InlineData("--trial", "4")]
    [InlineData("--trial", "-1")]
    [InlineData("--seeds", "0")]
    [InlineData("--seeds", "3-1")]
    [InlineData("--vary", "warp=1,2")]
    [InlineData("--vary", "x-tilde-grad=sideways")]
    [InlineData("--models", "m3")]
    public void ImpossibleSweepOptionsAreUsageErrors(string option, string value)
    {
        var (code, _, err) = Capture(
            Sweep(
                Out(),
                "--seeds",
                option == "--seeds" ? value : "1-2",
                option == "--seeds" ? "--presets" : option,
                option == "--seeds" ? "paper" : value
            )
        );
        Assert.Equal(Cli.ExitCode.Usage, code);
        Assert.StartsWith("error: ", err);
        log.WriteLine(err);
    }

    [Fact]
    public void RunsWhatIsLeftSkipsWhatIsCompleteAndEqualsPlainTrainRuns()
    {
        var dir = Out();
        var (code, text, _) = Capture(Sweep(dir, "--models", "m2,untapped", "--seeds", "1"));
        Assert.Equal(0, code);
        Assert.Contains("2 trial(s): 2 trained, 0 already complete", text);
        (code, text, _) = Capture(Sweep(dir, "--models", "m2,untapped", "--seeds", "1"));
        Assert.Equal(0, code);
        Assert.Contains("2 trial(s): 0 trained, 2 already complete", text);
        // A trial is exactly `untapped train` with its options: the same checkpoint as a plain run.
        var plain = Out();
        Assert.Equal(
            0,
            Cli.App.Run([
                .. Argv.Words("train --epochs 1 --batch 16 --unlabelled 48 --data"),
                Data,
                "--out",
                plain,
                .. Argv.Words("--backend cpu --model untapped --seed 1"),
            ])
        );
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(plain, RunDirectory.CheckpointFile)),
            File.ReadAllBytes(Path.Combine(dir, "untapped-paper-seed1", RunDirectory.CheckpointFile))
        );
    }

    [Fact]
    public void AFailedTrialIsReportedAndTheSweepGoesOnThenExits1()
    {
        var dir = Out();
        // Trial 0's directory holds a corrupt checkpoint: resuming it fails (exit 1 for the sweep); trial 1 still runs.
        var bad = Path.Combine(dir, "m2-paper-seed1");
        Directory.CreateDirectory(bad);
        File.WriteAllBytes(Path.Combine(bad, RunDirectory.CheckpointFile), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var (code, text, err) = Capture(Sweep(dir, "--models", "m2,untapped", "--seeds", "1"));
        Assert.Equal(Cli.ExitCode.Failed, code);
        Assert.Contains("trial 0 (m2-paper-seed1) failed", err);
        Assert.Contains("1 trained, 0 already complete, 1 failed (m2-paper-seed1)", text);
        Assert.True(File.Exists(Path.Combine(dir, "untapped-paper-seed1", RunDirectory.EvalFile)));
    }

    [Fact]
    public void AKilledTrialContinuesWhenRunAgain()
    {
        var dir = Out();
        string[] args = Sweep(dir, "--models", "untapped", "--seeds", "1", "--checkpoint-every", "1", "--trial", "0");
        args[Array.IndexOf(args, "--epochs") + 1] = "6";
        var ckpt = Path.Combine(dir, "untapped-paper-seed1", RunDirectory.CheckpointFile);
        using (var child = ChildProcess.Start(args))
        {
            var sw = Stopwatch.StartNew();
            while (!child.HasExited && !File.Exists(ckpt) && sw.Elapsed.TotalSeconds < 120)
                Thread.Sleep(1);
            Thread.Sleep(30);
            Assert.False(child.HasExited, $"the trial finished before it could be killed: {child.StdErr}");
            child.Kill();
            child.Wait();
        }
        int at = TrainingState.FromMetadata(ckpt, Safetensors.Read(ckpt).Metadata)!.StepsDone;
        Assert.InRange(at, 1, 6 * 7 - 1);
        // The listing shows the interrupted trial's progress: the metrics lines written, the checkpoint's epochs or one
        // more.
        var metrics = Path.Combine(dir, "untapped-paper-seed1", RunDirectory.MetricsFile);
        int logged = File.Exists(metrics) ? File.ReadAllLines(metrics).Length : 0;
        Assert.InRange(logged, at / 7, at / 7 + 1);
        var (listed, listing, _) = Capture(["experiment", "list", .. args.Skip(1).SkipLast(2)]);
        Assert.Equal(0, listed);
        Assert.Contains("untapped-paper-seed1", listing);
        Assert.Contains($"started: epoch {logged} of 6 logged", listing);
        var (code, text, _) = Capture(args);
        Assert.Equal(0, code);
        Assert.Contains("1 trained", text);
        var plain = Out();
        Assert.Equal(
            0,
            Cli.App.Run([
                .. Argv.Words("train --epochs 6 --batch 16 --unlabelled 48 --data"),
                Data,
                "--out",
                plain,
                .. Argv.Words("--backend cpu --model untapped --seed 1"),
            ])
        );
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, RunDirectory.CheckpointFile)), File.ReadAllBytes(ckpt));
    }

    [Fact]
    public void SlurmScriptIsOneArrayTaskPerTrialAndRequeueSafe()
    {
        var dir = Out();
        var (code, text, _) = Capture([
            "experiment",
            "slurm",
            .. Sweep(dir, "--models", "m2,untapped", "--seeds", "1-3", "--vary", "tau=0.5,1").Skip(1),
            .. Argv.Words("--time 00:30:00 --max-parallel 4"),
        ]);
        Assert.Equal(0, code);
        var script = File.ReadAllText(Path.Combine(dir, "sweep.sbatch"));
        Assert.Contains("#SBATCH --array=0-11%4\n", script);
        Assert.Contains("#SBATCH --requeue\n", script);
        Assert.Contains("#SBATCH --signal=B:TERM@120\n", script);
        Assert.Contains("trap 'kill -TERM \"$pid\"", script); // the batch shell passes the signal on to untapped
        Assert.Contains("#SBATCH --time=00:30:00\n", script);
        Assert.Contains("--vary tau=0.5,1", script);
        Assert.Contains("--threads 1", script); // as given; without --threads the task would get --threads <cpus>
        Assert.Contains("--trial \"$SLURM_ARRAY_TASK_ID\"", script);
        Assert.Contains($"sbatch {Path.Combine(dir, "sweep.sbatch")}", text);
        Assert.Equal("'a b'", SlurmScript.Quote("a b"));
        Assert.Equal("'it'\\''s'", SlurmScript.Quote("it's"));
    }

    [Fact]
    public async Task TheArrayScriptPassesSigtermToTheTrialWhichCommitsAndExitsWithTheStoppedCode()
    {
        var dir = Out();
        var args = Sweep(dir, "--models", "untapped", "--seeds", "1");
        args[Array.IndexOf(args, "--epochs") + 1] = "12";
        Assert.Equal(0, Capture(["experiment", "slurm", .. args.Skip(1)]).Code);
        var script = Path.Combine(dir, "sweep.sbatch");
        var psi = new ProcessStartInfo("bash", [script])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["SLURM_ARRAY_TASK_ID"] = "0";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var metrics = Path.Combine(dir, "untapped-paper-seed1", RunDirectory.MetricsFile);
        var sw = Stopwatch.StartNew();
        while (
            !p.HasExited && !(File.Exists(metrics) && new FileInfo(metrics).Length > 0) && sw.Elapsed.TotalSeconds < 120
        )
        {
            Thread.Sleep(2);
        }

        Assert.False(p.HasExited, "the trial ended before the signal");
        Assert.Equal(0, Sh.Kill(p.Id, 15));
        Assert.True(p.WaitForExit(60_000), "the script did not exit after SIGTERM");
        var err = await stderr;
        await stdout;
        log.WriteLine(err);
        Assert.Equal(Cli.ExitCode.Stopped, p.ExitCode);
        Assert.Contains("checkpoint committed to", err);
        // The requeued task (here: the script run again) resumes and finishes the trial.
        using var again = Process.Start(psi)!;
        var drain = Task.WhenAll(again.StandardOutput.ReadToEndAsync(), again.StandardError.ReadToEndAsync());
        Assert.True(again.WaitForExit(120_000));
        await drain;
        Assert.Equal(0, again.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "untapped-paper-seed1", RunDirectory.EvalFile)));
    }

    static class Sh
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
        public static extern int Kill(int pid, int sig);
    }

    [Fact]
    public void StatisticsMatchHandComputedValues()
    {
        // Sign flips of five equal differences: only all-plus and all-minus reach |sum| = 5, so p = 2/32.
        Assert.Equal(2.0 / 32, Statistics.SignFlipP([1, 1, 1, 1, 1]));
        // [3, -1]: the four sign assignments give sums 2, -4, 4, -2; |sum| >= 2 always.
        Assert.Equal(1.0, Statistics.SignFlipP([3, -1]));
        // [3, 1, 1]: sums over the 8 flips: 5, 3, 3, 1, -1, -3, -3, -5 -> |sum| >= 5 twice.
        Assert.Equal(2.0 / 8, Statistics.SignFlipP([3, 1, 1]));
        var s = Statistics.Summarise([2.0, 4.0, 9.0]);
        Assert.Equal(5.0, s.Mean, 12);
        Assert.Equal(Math.Sqrt(13.0), s.Std, 12); // ((9 + 1 + 16) / 2)
        // Resampled means of [0, 1] are 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4: the 2.5 % and 97.5 % points are 0
        // and 1.
        Assert.Equal((0.0, 1.0), Statistics.BootstrapMeanCi([0.0, 1.0]));
        Assert.Equal((7.0, 7.0), Statistics.BootstrapMeanCi([7.0, 7.0, 7.0]));
        var (lo, hi) = Statistics.BootstrapMeanCi([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        Assert.InRange(lo, 3.5, 4.5); // normal approximation: 5.5 -+ 1.96 * 2.87 / sqrt(10) = [3.72, 7.28]
        Assert.InRange(hi, 6.5, 7.5);
    }

    /// <summary>
    /// The two-sided sign-flip p of mean(x - delta) = 0 by plain enumeration, independent of Statistics.
    /// </summary>
    static double BruteSignFlipP(double[] x, double delta)
    {
        int n = x.Length,
            hits = 0;
        double observed = Math.Abs(x.Sum() - n * delta);
        for (int mask = 0; mask < 1 << n; mask++)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += ((mask >> i) & 1) == 1 ? delta - x[i] : x[i] - delta;
            if (Math.Abs(s) >= observed - 1e-9)
                hits++;
        }
        return (double)hits / (1 << n);
    }

    [Fact]
    public void PairedCiIsTheSetOfDifferencesTheSignFlipTestDoesNotReject()
    {
        double[] d = [0.5, 1.2, -0.3, 0.9, 1.5, 0.7, 0.2];
        var (lo, hi) = Statistics.SignFlipCi(d);
        Assert.True(lo < d.Average() && d.Average() < hi, $"[{lo}, {hi}] misses the mean {d.Average()}");
        // Each end is where the test starts rejecting: accepted just inside, rejected just outside.
        Assert.True(BruteSignFlipP(d, lo + 1e-6) > 0.05 && BruteSignFlipP(d, lo - 1e-6) <= 0.05, $"low end {lo}");
        Assert.True(BruteSignFlipP(d, hi - 1e-6) > 0.05 && BruteSignFlipP(d, hi + 1e-6) <= 0.05, $"high end {hi}");
        // p(0) = 6/128: |sum| >= 4.7 for the observed signs (4.7), the -0.3 flipped (5.3) or the -0.3 and the 0.2
        // flipped (4.9), each either way round. Below 0.05, so 0 is outside the interval, as the test says.
        Assert.Equal(6.0 / 128, Statistics.SignFlipP(d), 12);
        Assert.True(lo > 0);
        // Five pairs: every shift has p >= 2/32 > 0.05, so nothing bounds the difference.
        Assert.Equal(
            (double.NegativeInfinity, double.PositiveInfinity),
            Statistics.SignFlipCi([1.0, 2.0, 3.0, 4.0, 5.0])
        );
        var c = Statistics.Paired([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], [1, 1, 1, 1, 1, 1, 0.1], lowerIsBetter: true);
        Assert.Equal(6, c.AWins);
        Assert.Equal(-1.9 / 7, c.MeanDiff, 12); // -0.1 ... -0.6 and +0.2
    }

    // A finished trial's files, written by the run files' own writers (EvalJson, MetricsJsonl).
    static string Metrics(params (int Epoch, double Seconds, (string, double)[] Losses)[] epochs) =>
        string.Concat(
            epochs.Select(e =>
                MetricsJsonl.Format(
                    new EpochMetrics(e.Epoch, 0.01, e.Losses.ToDictionary(l => l.Item1, l => l.Item2), 1, 1, e.Seconds)
                ) + "\n"
            )
        );

    static void FakeTrial(
        string root,
        ModelKind model,
        ulong seed,
        double ce,
        double acc,
        int digits,
        string? xTilde = null,
        string? metrics = null,
        bool logpNone = false
    )
    {
        var cfg = ModelConfig.For(Preset.Paper, model) with { Epochs = 150 };
        if (xTilde == "none")
            cfg = cfg with { XTildeGrad = XTildeGrad.None };
        if (logpNone)
            cfg = cfg with { ReverseLogPGrad = ReverseLogPGrad.None };
        var name =
            $"{model.ToString().ToLowerInvariant()}-paper{(xTilde is null ? "" : "-x-tilde-grad-" + xTilde)}{(logpNone ? "-reverse-logp-grad-none" : "")}-seed{seed}";
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(
            Path.Combine(dir, RunDirectory.ConfigFile),
            JsonSerializer.Serialize(
                new RunOptions
                {
                    Model = cfg,
                    Seed = seed,
                    OutDir = dir,
                },
                RunOptions.Json
            )
        );
        File.WriteAllText(
            Path.Combine(dir, RunDirectory.EvalFile),
            new EvalJson(
                model.ToString().ToLowerInvariant(),
                ce,
                acc,
                0.9,
                digits,
                [.. Enumerable.Range(0, 10)],
                1.0,
                [0f, 0f]
            ).ToJson()
        );
        File.WriteAllText(Path.Combine(dir, RunDirectory.MetricsFile), metrics ?? Metrics((1, 60, []), (2, 30, [])));
    }

    /// <summary>
    /// reverse_by_group.png appears exactly when some trial logged the reverse ELBO's parts, and --reverse-logp-grad
    /// none (a switch M2 never reads) pairs with the plain M2 as well as with the plain Untapped.
    /// </summary>
    [Fact]
    public void ReportDrawsTheReverseFigureOnlyForTrialsThatLoggedIt()
    {
        var root = Out();
        FakeTrial(root, ModelKind.M2, 1, 2.0, 0.5, 9);
        FakeTrial(root, ModelKind.Untapped, 1, 2.2, 0.4, 9);
        Assert.Equal(0, Capture(["experiment", "report", "--out", root]).Item1);
        Assert.False(File.Exists(Path.Combine(root, ReverseFigure.File)));
        FakeTrial(
            root,
            ModelKind.Untapped,
            1,
            1.5,
            0.6,
            10,
            logpNone: true,
            metrics: Metrics(
                (1, 60, [("reverse.log_p_x", -400), ("decoder_saturation", 0.1)]),
                (2, 60, [("reverse.log_p_x", -300), ("decoder_saturation", 0.3)])
            )
        );
        Assert.Equal(0, Capture(["experiment", "report", "--out", root]).Item1);
        var png = File.ReadAllBytes(Path.Combine(root, ReverseFigure.File));
        Assert.Equal(
            (1100, 660),
            (
                System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)),
                System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))
            )
        );
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, SweepReport.JsonFile)))!;
        var vsM2 = json["comparisons"]!
            .AsArray()
            .Single(c =>
                c!["what"]!.GetValue<string>() == "Untapped - M2"
                && c["a"]!.GetValue<string>().Contains("reverse_log_p_grad=none")
            )!;
        Assert.Equal(1.5 - 2.0, vsM2["ce"]!["mean_diff"]!.GetValue<double>(), 12);
        var vsPlain = json["comparisons"]!
            .AsArray()
            .Single(c => c!["what"]!.GetValue<string>() == "ablation - Untapped")!;
        Assert.Equal(1.5 - 2.2, vsPlain["ce"]!["mean_diff"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void ReportGroupsTrialsAndPairsUntappedWithM2BySeed()
    {
        var root = Out();
        double[] m2 = [2.4, 2.3, 2.5, 2.2],
            un = [2.1, 2.2, 2.0, 2.3];
        for (int i = 0; i < 4; i++)
        {
            FakeTrial(root, ModelKind.M2, (ulong)i + 1, m2[i], 0.3, 9);
            FakeTrial(root, ModelKind.Untapped, (ulong)i + 1, un[i], 0.4 + 0.01 * i, 10);
        }
        FakeTrial(root, ModelKind.Untapped, 1, 2.6, 0.2, 7, xTilde: "none");
        Directory.CreateDirectory(Path.Combine(root, "unfinished")); // no eval.json: not a finished trial
        var (code, _, _) = Capture(["experiment", "report", "--out", root]);
        Assert.Equal(0, code);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, SweepReport.JsonFile)))!;
        var groups = json["groups"]!.AsArray();
        Assert.Equal(3, groups.Count);
        var u = groups.First(g => g!["group"]!.GetValue<string>() == "untapped / paper / 150 epochs")!;
        Assert.Equal(2.15, u["ce"]!["mean"]!.GetValue<double>(), 12);
        Assert.Equal(4, u["n"]!.GetValue<int>());
        var abl = groups.First(g => g!["switches"]!.GetValue<string>() == "x_tilde_grad=none")!;
        Assert.Equal(1, abl["n"]!.GetValue<int>());
        var pair = json["comparisons"]!.AsArray().First(c => c!["what"]!.GetValue<string>() == "Untapped - M2")!;
        // Differences -0.3, -0.1, -0.5, +0.1: mean -0.2. Sign flips reaching |sum| >= 0.8: all one sign (1.0) or one
        // 0.1 flipped against the rest (0.8, twice), on either side: 6 of 16.
        Assert.Equal(-0.2, pair["ce"]!["mean_diff"]!.GetValue<double>(), 12);
        Assert.Equal(6.0 / 16, pair["ce"]!["p_sign_flip"]!.GetValue<double>(), 12);
        Assert.Equal(3, pair["ce"]!["a_better"]!.GetValue<int>());
        Assert.Equal(4, pair["acc"]!["a_better"]!.GetValue<int>()); // higher accuracy favours a: 0.40-0.43 against 0.3
        Assert.Null(pair["ce"]!["ci95"]); // 4 pairs: no difference can be rejected at 5 % (p >= 2/16)
        Assert.Contains("| -0.200 (unbounded) |", File.ReadAllText(Path.Combine(root, SweepReport.MarkdownFile)));
        var ablation = json["comparisons"]!
            .AsArray()
            .First(c => c!["what"]!.GetValue<string>() == "ablation - Untapped")!;
        Assert.Equal(2.6 - 2.1, ablation["ce"]!["mean_diff"]!.GetValue<double>(), 12);
        // M2 never reads x_tilde_grad, so the ablated Untapped also pairs with the plain M2 (seed 1: 2.6 - 2.4).
        var ablatedVsM2 = json["comparisons"]!
            .AsArray()
            .Single(c =>
                c!["what"]!.GetValue<string>() == "Untapped - M2"
                && c["a"]!.GetValue<string>().Contains("x_tilde_grad=none")
            )!;
        Assert.Equal("m2 / paper / 150 epochs", ablatedVsM2["b"]!.GetValue<string>());
        Assert.Equal(2.6 - 2.4, ablatedVsM2["ce"]!["mean_diff"]!.GetValue<double>(), 12);
        Assert.Equal(3, json["comparisons"]!.AsArray().Count);
        var md = File.ReadAllText(Path.Combine(root, SweepReport.MarkdownFile));
        Assert.Contains("| untapped / paper / 150 epochs | 4 | 2.150 ± ", md);
        Assert.Contains("1.5 min", md); // 90 s of epochs per trial
        // The PNG's IHDR: width and height, big-endian, at bytes 16 and 20.
        var png = File.ReadAllBytes(Path.Combine(root, SweepReport.FigureFile));
        int w = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)),
            h = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        Assert.True(w >= 700 && h == 560, $"figure is {w}x{h}");
    }
}

/// <summary>
/// The report's held-out metrics by epoch (trials trained with --eval-every), against sums done here.
/// </summary>
public sealed class HeldOutByEpochTests
{
    static void Trial(string root, ModelKind model, ulong seed, Func<int, double> ce)
    {
        var cfg = ModelConfig.For(Preset.Original, model) with { Epochs = 1000 };
        var dir = Path.Combine(root, $"{model.ToString().ToLowerInvariant()}-original-seed{seed}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(
            Path.Combine(dir, RunDirectory.ConfigFile),
            JsonSerializer.Serialize(
                new RunOptions
                {
                    Model = cfg,
                    Preset = Preset.Original,
                    Seed = seed,
                    OutDir = dir,
                },
                RunOptions.Json
            )
        );
        File.WriteAllText(
            Path.Combine(dir, RunDirectory.EvalFile),
            new EvalJson(
                model.ToString().ToLowerInvariant(),
                ce(1000),
                0.5,
                0.9,
                9,
                [.. Enumerable.Range(0, 10)],
                1.0,
                [0f, 0f]
            ).ToJson()
        );
        var lines = Enumerable
            .Range(1, 100)
            .Select(i => i * 10)
            .Select(e =>
                MetricsJsonl.Format(
                    new EpochMetrics(
                        e,
                        0.01,
                        new Dictionary<string, double> { ["total"] = 1 },
                        1,
                        1,
                        1,
                        new HeldOutMetrics(
                            ce(e),
                            0.5 + seed / 100.0,
                            9,
                            [.. Enumerable.Range(0, 10)],
                            Math.Min(ce(e), 2.0)
                        )
                    )
                )
            );
        File.WriteAllText(Path.Combine(dir, RunDirectory.MetricsFile), string.Join("\n", lines) + "\n");
    }

    [Fact]
    public void MeansPairedTestsAndTheDetectableEffectAreThoseComputedHere()
    {
        var root = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        // Untapped - M2 at epoch e and seed s: (s - 5.5) / 10 - e / 10000 (ten pairs).
        for (ulong s = 1; s <= 10; s++)
        {
            Trial(root, ModelKind.M2, s, e => 1.0 + s / 10.0);
            Trial(root, ModelKind.Untapped, s, e => 1.0 + s / 10.0 + (s - 5.5) / 10 - e / 10000.0);
        }
        var report = SweepReport.Build(root);
        var m2 = Assert.Single(report.Curves, c => c.Group.Model == ModelKind.M2);
        Assert.Equal(100, m2.Points.Count);
        var at150 = m2.Points.Single(p => p.Epoch == 150);
        Assert.Equal(1.55, at150.Ce.Mean, 12); // 1 + mean(1..10)/10
        Assert.Equal(0.555, at150.Acc.Mean, 12);
        // Paired at 150, 500 and 1000: the mean difference is -e/10000 (the seed terms cancel), and every seed with
        // (s - 5.5)/10 < e/10000 favours Untapped.
        foreach (int e in HeldOutByEpoch.TestedAt)
        {
            double mean = -e / 10000.0;
            int wins = Enumerable.Range(1, 10).Count(s => (s - 5.5) / 10 - e / 10000.0 < 0);
            Assert.Contains(
                $"| untapped / original / 1000 epochs - m2 / original / 1000 epochs | {e} | 10 | {mean.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)} ",
                report.Markdown
            );
            Assert.Contains($" | {wins}/10 | ", report.Markdown);
        }
        // (t(0.975, 9) + t(0.80, 9)) sd / sqrt(10) with sd of (s - 5.5)/10 over s = 1..10: sqrt(55/6)/10 = 0.30277; the
        // quantiles by numerical integration of Student's t density (2.2621571628, 0.8834038597).
        double sd = Math.Sqrt(55.0 / 6) / 10;
        Assert.Equal(
            (2.2621571628 + 0.8834038597) * sd / Math.Sqrt(10),
            HeldOutByEpoch.DetectableAt80([.. Enumerable.Range(1, 10).Select(s => (s - 5.5) / 10)]),
            6
        );
        report.Write(root);
        Assert.True(File.Exists(Path.Combine(root, HeldOutFigure.File)));
    }
}
