using System.Text.Json;
using Untapped.Graph;
using Untapped.Training.Storage;

namespace Untapped.Training.Runs;

/// <summary>
/// The files of one run (docs/design.md, "Runs") and the rules that keep them consistent across kills:
/// <list type="bullet">
/// <item>config.json: the resolved options, written when training starts;</item>
/// <item>checkpoint.safetensors: parameters, Adam moments and the <see cref="TrainingState"/> in its metadata,
/// committed by one atomic rename, so every instant leaves either the previous or the new checkpoint;</item>
/// <item>metrics.jsonl: one line per epoch, appended before the checkpoint that covers the epoch is committed; on
/// resume it is cut back to the epochs the checkpoint holds, so lines of an epoch that will run again disappear;</item>
/// <item>digits.png, samples.png, curves.png, eval.json: the reports, written after training.</item>
/// </list>
/// An open directory holds an exclusive lock (.lock), so two processes never train into it at once, and names its
/// holder in .holder.json (<see cref="LockHolder"/>), so that a second process can say who holds it.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    public const string ConfigFile = "config.json",
        MetricsFile = "metrics.jsonl",
        CheckpointFile = "checkpoint.safetensors",
        DigitsFile = "digits.png",
        SamplesFile = "samples.png",
        CurvesFile = "curves.png",
        EvalFile = "eval.json";
    const string LockFile = ".lock",
        HolderFile = ".holder.json";

    // What the IOException of a lock that another process holds carries: on Unix .NET puts flock's errno in HResult
    // (EWOULDBLOCK: 11 on Linux, 35 on macOS), on Windows the sharing violation.
    static bool HeldByAnother(IOException e) =>
        e.HResult == unchecked((int)0x80070020) || e.HResult == (OperatingSystem.IsMacOS() ? 35 : 11);

    readonly FileStream _lock;

    RunDirectory(string path, FileStream lockStream)
    {
        Path = path;
        _lock = lockStream;
    }

    public string Path { get; }
    public string Config => System.IO.Path.Combine(Path, ConfigFile);
    public string Metrics => System.IO.Path.Combine(Path, MetricsFile);
    public string Checkpoint => System.IO.Path.Combine(Path, CheckpointFile);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Creates (if need be) and locks the directory, and removes temporary files a killed writer left.
    /// </summary>
    public static RunDirectory Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        FileStream lockStream;
        try
        {
            Directory.CreateDirectory(path);
            // FileShare.None takes an advisory flock on Unix: released by the kernel when the process dies, however.
            // Read access suffices for the lock, so a directory made read-only still opens and then fails on its first
            // write.
            lockStream = new FileStream(
                System.IO.Path.Combine(path, LockFile),
                FileMode.OpenOrCreate,
                FileAccess.Read,
                FileShare.None
            );
        }
        catch (UnauthorizedAccessException e)
        {
            throw new OutputWriteException($"cannot write the run directory {path}: {e.Message}", e);
        }
        catch (IOException e) when (HeldByAnother(e))
        {
            throw new RunDirectoryBusyException(path, LockHolder.Read(System.IO.Path.Combine(path, HolderFile)));
        }
        catch (IOException e)
        {
            throw new OutputWriteException($"cannot write the run directory {path}: {e.Message}", e);
        }
        try
        {
            AtomicFile.RemoveStale(path);
            // The lock file itself cannot say who holds it: on Unix any other open of it takes a conflicting flock.
            AtomicFile.WriteText(System.IO.Path.Combine(path, HolderFile), LockHolder.OfThisProcess().ToJson());
        }
        catch
        {
            lockStream.Dispose();
            throw;
        }
        return new RunDirectory(path, lockStream);
    }

    public bool HasCheckpoint => System.IO.File.Exists(Checkpoint);

    /// <summary>The options in a directory's config.json, or null when it has none.</summary>
    public static RunOptions? ReadOptions(string dir)
    {
        var p = System.IO.Path.Combine(dir, ConfigFile);
        if (!System.IO.File.Exists(p))
            return null;
        try
        {
            return RunPaths.Resolve(
                JsonSerializer.Deserialize<RunOptions>(System.IO.File.ReadAllText(p), RunOptions.Json)
                    ?? throw new JsonException("null"),
                dir
            );
        }
        catch (JsonException e)
        {
            throw new Data.DataFormatException($"{p}: not a valid run configuration: {e.Message}");
        }
    }

    /// <summary>
    /// The options of the run in <paramref name="dir"/>; a clear error when it is not a run directory.
    /// </summary>
    public static RunOptions LoadOptions(string dir) =>
        ReadOptions(dir)
        ?? throw new UsageException($"{System.IO.Path.GetFullPath(dir)}: not a run directory (no {ConfigFile})");

    /// <summary>
    /// config.json, its paths recorded as <see cref="RunPaths"/> says (relative where they travel with the repository).
    /// </summary>
    public void WriteOptions(RunOptions o) =>
        AtomicFile.WriteText(Config, JsonSerializer.Serialize(RunPaths.Relative(o, Path), RunOptions.Json));

    /// <summary>Reads the committed checkpoint and the training state in it.</summary>
    public (float[] Parameters, float[]? M, float[]? V, TrainingState State) ReadCheckpoint(ParameterSet set)
    {
        var (p, m, v, meta) = Runs.Checkpoint.Load(Checkpoint, set);
        var state = TrainingState.FromMetadata(Checkpoint, meta)
            ?? throw new CheckpointException(
                $"{Checkpoint}: holds parameters but no training state (written by evaluate-only tools or an older version); it cannot be resumed"
            );
        if (m is null || v is null)
            throw new CheckpointException($"{Checkpoint}: has a training state but no Adam moments");
        return (p, m, v, state);
    }

    /// <summary>Commits a checkpoint of the executor at <paramref name="state"/> (one atomic write).</summary>
    public void Commit(Executor ex, TrainingState state) => Runs.Checkpoint.Save(Checkpoint, ex, state);

    public void AppendMetrics(EpochMetrics m) => AtomicFile.AppendLine(Metrics, MetricsJsonl.Format(m));

    /// <summary>
    /// Keeps the first <paramref name="epochs"/> lines of metrics.jsonl (those the checkpoint covers); the rest belong
    /// to epochs that run again.
    /// </summary>
    public void KeepMetrics(int epochs)
    {
        var kept = System.IO.File.Exists(Metrics) ? System.IO.File.ReadLines(Metrics).Take(epochs).ToList() : [];
        AtomicFile.WriteText(Metrics, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <summary>The per-epoch metrics recorded so far, for the curves figure.</summary>
    public IReadOnlyList<EpochMetrics> ReadMetrics() => MetricsJsonl.Read(Metrics);

    /// <summary>
    /// How many epochs the metrics.jsonl in <paramref name="dir"/> records (complete lines only). It reads without the
    /// lock, so a listing can show the progress of a run that is training; the count may run one epoch ahead of the
    /// checkpoint, whose line is written first.
    /// </summary>
    public static int EpochsLogged(string dir)
    {
        var p = System.IO.Path.Combine(dir, MetricsFile);
        return System.IO.File.Exists(p) ? System.IO.File.ReadLines(p).Count(l => l.EndsWith('}')) : 0;
    }

    public void Dispose()
    {
        try
        {
            System.IO.File.Delete(System.IO.Path.Combine(Path, HolderFile));
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _lock.Dispose();
    }
}
