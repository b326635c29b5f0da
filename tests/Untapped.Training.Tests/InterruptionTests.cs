using System.Diagnostics;
using Untapped.Graph;
using Untapped.Training.Runs;
using Untapped.Training.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Untapped.Training.Tests;

/// <summary>
/// Issue 13: a run survives any interruption. Every test compares against an uninterrupted run byte for byte; the
/// interruptions come from outside the real CLI process (SIGKILL, SIGTERM, a file-size limit, a read-only mount).
/// </summary>
public sealed class InterruptionTests(ITestOutputHelper log)
{
    // 200 images, 100 of digits 0-4: 7 steps per epoch at batch 16.
    static readonly string Data = TinyMnist.Folder(200, 40);
    const int StepsPerEpoch = 7;

    static string Out() => Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));

    static string[] Args(string dir, int epochs, params string[] extra) =>
        [
            "train",
            "--epochs",
            epochs.ToString(),
            .. Argv.Words("--batch 16 --unlabelled 48 --data"),
            Data,
            "--out",
            dir,
            .. Argv.Words("--backend cpu --threads 1"),
            .. extra,
        ];

    static byte[] Ckpt(string dir) => File.ReadAllBytes(Path.Combine(dir, RunDirectory.CheckpointFile));

    static int StepsIn(string dir) =>
        TrainingState
            .FromMetadata(dir, Safetensors.Read(Path.Combine(dir, RunDirectory.CheckpointFile)).Metadata)!
            .StepsDone;

    static readonly Dictionary<int, string> Straight = new();

    /// <summary>
    /// An uninterrupted run of <paramref name="epochs"/> epochs (run once per epoch count and shared).
    /// </summary>
    static string Uninterrupted(int epochs)
    {
        lock (Straight)
        {
            if (Straight.TryGetValue(epochs, out var d))
                return d;
            d = Out();
            Assert.Equal(0, Cli.App.Run(Args(d, epochs)));
            return Straight[epochs] = d;
        }
    }

    // The training record of an epoch line: without its timing, and without the held-out record, which also marks the
    // last epoch of each invocation (a run first trained to epoch 1, then extended, measured epoch 1 too).
    static string Losses(string line) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(line, ",\"heldout\":\\{[^}]*\\}", ""),
            "\"(step_ms|samples_per_s|seconds)\":[^,}]*",
            ""
        );

    void AssertSameRun(string expected, string actual)
    {
        Assert.Equal(Ckpt(expected), Ckpt(actual));
        Assert.Equal(
            File.ReadAllLines(Path.Combine(expected, RunDirectory.MetricsFile)).Select(Losses),
            File.ReadAllLines(Path.Combine(actual, RunDirectory.MetricsFile)).Select(Losses)
        );
        Assert.Empty(Directory.GetFiles(actual, ".*.tmp"));
    }

    // Two real processes on one run directory: the second is refused with exit 2 and a message naming the first (its
    // pid, this host, the command), and leaves the first's run untouched: it goes on, stops on SIGTERM with exit 3 and
    // its checkpoint resumes.
    [Fact]
    public void ASecondTrainerOnABusyDirectoryIsToldWhoHoldsIt()
    {
        var dir = Out();
        using var first = ChildProcess.Start(Args(dir, 500));
        var sw = Stopwatch.StartNew();
        while (
            !first.HasExited
            && !File.Exists(Path.Combine(dir, RunDirectory.MetricsFile))
            && sw.Elapsed.TotalSeconds < 120
        )
        {
            Thread.Sleep(20);
        }

        Assert.False(first.HasExited, $"the first trainer exited early: {first.StdErr}");
        using var second = ChildProcess.Start(Args(dir, 500, "--resume"));
        int code = second.Wait();
        log.WriteLine(second.StdErr);
        Assert.Equal(Cli.ExitCode.Usage, code);
        Assert.Contains($"{dir} is in use: untapped pid {first.Id} on {Environment.MachineName} since ", second.StdErr);
        Assert.Contains($"kill -TERM {first.Id}", second.StdErr);
        Assert.Contains($"--out {dir}", second.StdErr); // the holder's command line
        Assert.False(first.HasExited, "the refused second trainer disturbed the first");
        first.Terminate();
        Assert.Equal(Cli.ExitCode.Stopped, first.Wait());
        Assert.False(File.Exists(Path.Combine(dir, ".holder.json")), "the holder file outlived the lock");
        Assert.True(StepsIn(dir) > 0);
    }

    [Fact]
    public void SigkillAtManyInstantsThenResumeEqualsTheUninterruptedRun()
    {
        var straight = Uninterrupted(3);
        var dir = Out();
        int killedMidRun = 0,
            killedInsideWrite = 0;
        // Each round starts the job as a requeue would (--resume, also the first time), waits for it to commit one new
        // checkpoint (so every round makes progress), then kills it at another instant: after a delay, or the moment
        // the next checkpoint's temporary file appears (inside the write).
        int[] delaysMs = [-1, 0, 7, -1, 19, 41, -1, 3];
        var ckpt = Path.Combine(dir, RunDirectory.CheckpointFile);
        int last = 0;
        foreach (var delay in delaysMs)
        {
            using var child = ChildProcess.Start(Args(dir, 3, "--resume", "--checkpoint-every", "1"));
            var sw = Stopwatch.StartNew();
            var seen = File.Exists(ckpt) ? File.GetLastWriteTimeUtc(ckpt) : DateTime.MinValue;
            while (
                !child.HasExited
                && (File.Exists(ckpt) ? File.GetLastWriteTimeUtc(ckpt) : DateTime.MinValue) == seen
                && sw.Elapsed.TotalSeconds < 120
            )
            {
                Thread.Sleep(1);
            }

            if (delay < 0)
            {
                while (
                    !child.HasExited
                    && Directory.GetFiles(dir, ".checkpoint.safetensors.*.tmp").Length == 0
                    && sw.Elapsed.TotalSeconds < 120
                )
                {
                    Thread.SpinWait(200);
                }
            }
            else
            {
                Thread.Sleep(delay);
            }

            bool inWrite = delay < 0 && Directory.GetFiles(dir, ".checkpoint.safetensors.*.tmp").Length > 0;
            if (child.HasExited)
            {
                Assert.Equal(0, child.Wait());
                break;
            }
            child.Kill();
            child.Wait();
            killedMidRun++;
            if (inWrite)
                killedInsideWrite++;
            int now = StepsIn(dir);
            Assert.True(
                now > last,
                $"round with delay {delay}: no new checkpoint survived (step {now}, before {last})"
            );
            last = now;
            log.WriteLine(
                $"killed {(delay < 0 ? "inside a checkpoint write" : $"{delay} ms after a commit")}; checkpoint at step {now}"
            );
        }
        Assert.True(killedMidRun >= 3, $"only {killedMidRun} kills landed before the run finished");
        Assert.True(killedInsideWrite >= 1, "no kill landed inside a checkpoint write");
        Assert.Equal(0, Cli.App.Run(Args(dir, 3, "--resume")));
        AssertSameRun(straight, dir);
    }

    [Fact]
    public void EveryIntermediateDiskStateOfACheckpointCommitResumes()
    {
        var straight = Uninterrupted(2);
        var one = Out();
        Assert.Equal(0, Cli.App.Run(Args(one, 1))); // committed: step 7, metrics line of epoch 1
        var next = Out();
        Assert.Equal(0, Cli.App.Run(Args(next, 2))); // a later checkpoint, whose bytes the states below are cut from
        var newer = Ckpt(next);

        // The instants of committing the next checkpoint, in the order the trainer passes them.
        var states = new (string Name, Action<string> Make)[]
        {
            ("metrics line of the next epoch appended, nothing else", d =>
                File.AppendAllText(
                    Path.Combine(d, RunDirectory.MetricsFile),
                    File.ReadAllLines(Path.Combine(next, RunDirectory.MetricsFile))[1] + "\n"
                )
            ),
            ("half a metrics line appended", d =>
                File.AppendAllText(Path.Combine(d, RunDirectory.MetricsFile), "{\"epoch\":2,\"lr\":0.0")
            ),
            ("temporary checkpoint created, empty", d =>
                File.WriteAllBytes(Path.Combine(d, ".checkpoint.safetensors.1.a.tmp"), [])
            ),
            ("temporary checkpoint half written", d =>
                File.WriteAllBytes(Path.Combine(d, ".checkpoint.safetensors.1.b.tmp"), newer[..(newer.Length / 2)])
            ),
            ("temporary checkpoint complete, not yet renamed", d =>
                File.WriteAllBytes(Path.Combine(d, ".checkpoint.safetensors.1.c.tmp"), newer)
            ),
        };
        foreach (var (name, make) in states)
        {
            var d = Out();
            CopyDir(one, d);
            make(d);
            Assert.True(Cli.App.Run(Args(d, 2, "--resume")) == 0, $"state '{name}' did not resume");
            AssertSameRun(straight, d);
        }
    }

    static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        // config.json names its own directory; a copy is a run of the same options elsewhere.
        var cfg = Path.Combine(to, RunDirectory.ConfigFile);
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace(from, to));
    }

    [Fact]
    public void SigtermMidRunExitsWithTheStoppedCodeAndResumesBitwise()
    {
        const int epochs = 12;
        var straight = Uninterrupted(epochs);
        var dir = Out();
        using (var child = ChildProcess.Start(Args(dir, epochs)))
        {
            var sw = Stopwatch.StartNew();
            while (
                !child.HasExited
                && !File.Exists(Path.Combine(dir, RunDirectory.MetricsFile))
                && sw.Elapsed.TotalSeconds < 120
            )
            {
                Thread.Sleep(2);
            }

            Thread.Sleep(40);
            child.Terminate();
            var signalled = Stopwatch.StartNew();
            int code = child.Wait();
            log.WriteLine(child.StdErr);
            Assert.Equal(Cli.ExitCode.Stopped, code);
            Assert.True(signalled.Elapsed.TotalSeconds < 20, $"took {signalled.Elapsed.TotalSeconds:F1} s to stop");
            Assert.Contains("checkpoint committed to", child.StdErr);
        }
        int at = StepsIn(dir);
        Assert.InRange(at, 1, epochs * StepsPerEpoch - 1);
        Assert.False(File.Exists(Path.Combine(dir, RunDirectory.EvalFile)));
        Assert.Equal(0, Cli.App.Run(Args(dir, epochs, "--resume")));
        AssertSameRun(straight, dir);
    }

    [Fact]
    public void ASecondCtrlCExitsAtOnceAndTheLastCheckpointStillResumes()
    {
        // Steps long enough (batch 1000 of 1000 labelled images, one thread) that the second Ctrl-C lands inside one.
        var data = TinyMnist.Folder(2000, 40);
        string[] args(string d) =>
            [
                .. Argv.Words("train --epochs 8 --batch 1000 --unlabelled 1000 --data"),
                data,
                "--out",
                d,
                .. Argv.Words("--backend cpu --threads 1"),
            ];
        // The second Ctrl-C must land while the first one's step is still running; on a loaded machine the step may
        // finish (and the run stop cleanly) before the test sees the first one's message and sends the second. That
        // attempt tested nothing about the second interrupt: it is retried, up to three times.
        string? dir = null;
        for (int attempt = 1; attempt <= 3 && dir is null; attempt++)
        {
            var d = Out();
            using var child = ChildProcess.Start(args(d));
            var sw = Stopwatch.StartNew();
            while (
                !child.HasExited
                && !File.Exists(Path.Combine(d, RunDirectory.MetricsFile))
                && sw.Elapsed.TotalSeconds < 120
            )
            {
                Thread.Sleep(2);
            }

            child.Interrupt();
            while (!child.HasExited && !child.StdErr.Contains("SIGINT") && sw.Elapsed.TotalSeconds < 120)
                Thread.Sleep(1);
            child.Interrupt();
            int code = child.Wait();
            log.WriteLine($"attempt {attempt}:\n{child.StdErr}");
            if (code == Cli.ExitCode.Stopped && !child.StdErr.Contains("second interrupt"))
                continue; // the step ended and the run stopped cleanly before the second interrupt: retry
            Assert.Equal(Cli.ExitCode.Interrupted, code);
            Assert.Contains("second interrupt", child.StdErr);
            dir = d;
        }
        Assert.True(dir is not null, "in three attempts the first interrupt's step always ended before the second");
        var straight = Out();
        Assert.Equal(0, Cli.App.Run(args(straight)));
        Assert.Equal(0, Cli.App.Run([.. args(dir!), "--resume"]));
        AssertSameRun(straight, dir!);
    }

    [Fact]
    public void ResumeStartsARunInAnEmptyOrAbsentDirectory()
    {
        var straight = Uninterrupted(2);
        var absent = Out();
        Assert.Equal(0, Cli.App.Run(Args(absent, 2, "--resume")));
        AssertSameRun(straight, absent);
        var empty = Out();
        Directory.CreateDirectory(empty);
        Assert.Equal(0, Cli.App.Run(Args(empty, 2, "--resume")));
        AssertSameRun(straight, empty);
    }

    [Fact]
    public void ResumingARunOfOtherOptionsFailsNamingThem()
    {
        var dir = Out();
        Assert.Equal(0, Cli.App.Run(Args(dir, 1)));
        var before = Ckpt(dir);
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(Cli.ExitCode.Usage, Cli.App.Run(Args(dir, 2, "--resume", "--seed", "7", "--tau", "0.5")));
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Contains("seed: 1 in the run, 7 now", err.ToString());
        Assert.Contains("model.tau: 1 in the run, 0.5 now", err.ToString());
        Assert.Equal(before, Ckpt(dir));
        // Without --resume a directory that holds a run is refused too (exit 2), and the run is left alone.
        Assert.Equal(Cli.ExitCode.Usage, Cli.App.Run(Args(dir, 2)));
        Assert.Equal(before, Ckpt(dir));
    }

    [Fact]
    public void ExceedingTheFileSizeLimitFailsWithExit1AndKeepsTheLastCheckpoint()
    {
        var dir = Out();
        Assert.Equal(0, Cli.App.Run(Args(dir, 1)));
        var before = Ckpt(dir);
        // A file-size limit below one checkpoint: every checkpoint write fails with EFBIG (SIGXFSZ ignored, so the
        // write reports it). The runtime's W^X double mapping needs a large memory file of its own, so it is switched
        // off.
        using var child = ChildProcess.StartUnder(
            $"trap '' XFSZ; ulimit -f {before.Length / 1024 / 2}; export DOTNET_EnableWriteXorExecute=0",
            Args(dir, 2, "--resume")
        );
        int code = child.Wait();
        log.WriteLine(child.StdErr);
        Assert.Equal(Cli.ExitCode.Failed, code);
        Assert.Contains($"cannot write {Path.Combine(dir, RunDirectory.CheckpointFile)}", child.StdErr);
        Assert.Contains("the previous version of the file is untouched", child.StdErr);
        Assert.Equal(before, Ckpt(dir));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
        // Once space is back, the same job continues and ends as the uninterrupted run.
        Assert.Equal(0, Cli.App.Run(Args(dir, 2, "--resume")));
        AssertSameRun(Uninterrupted(2), dir);
    }

    [ReadOnlyMountFact]
    public void AReadOnlyRunDirectoryFailsWithExit1AndKeepsTheLastCheckpoint()
    {
        var dir = Out();
        Assert.Equal(0, Cli.App.Run(Args(dir, 1)));
        var before = Ckpt(dir);
        ReadOnlyMountFactAttribute.MakeReadOnly(dir);
        try
        {
            using var child = ChildProcess.Start(Args(dir, 2, "--resume"));
            int code = child.Wait();
            log.WriteLine(child.StdErr);
            Assert.Equal(Cli.ExitCode.Failed, code);
            Assert.Contains("cannot write", child.StdErr);
            Assert.Contains(dir, child.StdErr);
            Assert.Equal(before, Ckpt(dir));
        }
        finally
        {
            ReadOnlyMountFactAttribute.MakeWritable(dir);
        }
        Assert.Equal(0, Cli.App.Run(Args(dir, 2, "--resume")));
        AssertSameRun(Uninterrupted(2), dir);
    }
}

/// <summary>
/// A fact that makes a directory read-only for real: a read-only bind mount as root (root ignores permission bits), or
/// the permission bits otherwise. Skipped, saying why, where neither can be done.
/// </summary>
public sealed class ReadOnlyMountFactAttribute : FactAttribute
{
    static bool IsRoot => Environment.UserName == "root";

    public ReadOnlyMountFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "read-only mounts are tested on Linux only";
            return;
        }
        if (!IsRoot)
            return;
        var probe = Path.Combine(Path.GetTempPath(), "untapped-tests", "ro-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            MakeReadOnly(probe);
            MakeWritable(probe);
        }
        catch (Exception e)
        {
            Skip =
                $"running as root without the right to mount (a read-only bind mount is how root is denied writes): {e.Message}";
        }
        finally
        {
            try
            {
                Directory.Delete(probe);
            }
            catch (IOException) { }
        }
    }

    static void Sh(string cmd)
    {
        using var p = Process.Start(
            new ProcessStartInfo("bash", ["-c", cmd]) { RedirectStandardError = true, UseShellExecute = false }
        )!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"'{cmd}' failed: {err.Trim()}");
    }

    public static void MakeReadOnly(string dir)
    {
        if (IsRoot)
            Sh($"mount --bind '{dir}' '{dir}' && mount -o remount,ro,bind '{dir}'");
        else
            Sh($"chmod a-w '{dir}'");
    }

    public static void MakeWritable(string dir)
    {
        if (IsRoot)
            Sh($"umount '{dir}'");
        else
            Sh($"chmod u+w '{dir}'");
    }
}
