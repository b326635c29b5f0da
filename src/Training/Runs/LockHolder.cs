using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Untapped.Training.Runs;

/// <summary>
/// The process that holds a run directory's lock, as it wrote itself into .holder.json right after taking the lock:
/// what a second process needs to say who is training there and since when.
/// </summary>
public sealed record LockHolder(int Pid, string Host, DateTimeOffset Since, string Command)
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static LockHolder OfThisProcess() =>
        new(
            Environment.ProcessId,
            Environment.MachineName,
            DateTimeOffset.UtcNow,
            string.Join(' ', Environment.GetCommandLineArgs().Skip(1))
        );

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The holder recorded in <paramref name="file"/>, or null when it is absent or unreadable (the holder may
    /// not have written it yet, or a version before it took the lock).</summary>
    public static LockHolder? Read(string file)
    {
        // A record missing its host or command is no record (found by fuzzing: its ToString() dereferenced them).
        try
        {
            return
                JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(file), Json)
                    is { Host: not null, Command: not null } h
                ? h
                : null;
        }
        catch (Exception e)
            when (e
                    is IOException
                        or UnauthorizedAccessException
                        or JsonException
                        or NotSupportedException
                        or ArgumentException
            )
        {
            return null;
        }
    }

    /// <summary>"pid 4242 on node17 since 2026-12-03 12:01:07 UTC (running `train --out runs/x`)".</summary>
    public override string ToString() =>
        $"pid {Pid.ToString(CultureInfo.InvariantCulture)} on {Host} since {Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
        + (Command.Length > 0 ? $" (running `{Command}`)" : "");
}

/// <summary>
/// Another process holds the run directory's lock: it is training (or evaluating) there now. A usage error (exit 2):
/// the command is fine but names a directory that is busy, as one holding a run of other options is.
/// </summary>
public sealed class RunDirectoryBusyException(string dir, LockHolder? holder)
    : UsageException(
        $"{dir} is in use: "
            + (holder is null ? "another untapped process holds its lock" : $"untapped {holder} holds its lock")
            + ". Wait for it to finish or stop it ("
            + (holder is null ? "SIGTERM" : $"kill -TERM {holder.Pid}")
            + ": it commits a checkpoint and exits 3)",
        Remedy.Resume,
        Remedy.ChooseAnotherOutDir
    )
{
    public LockHolder? Holder { get; } = holder;
}
