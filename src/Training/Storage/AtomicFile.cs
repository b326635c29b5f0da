using System.Runtime.InteropServices;
using System.Text;

namespace Untapped.Training.Storage;

/// <summary>
/// The one way this project writes a file: the bytes go to a temporary file in the same directory, which is flushed
/// to disk and renamed over the target, then the directory entry is flushed. A reader never sees a half-written file,
/// and a crash or a failed write at any instant leaves the previous file as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Prefix and suffix of the temporary files, so a run directory can clear those a killed process left.
    /// </summary>
    public const string TempPrefix = ".",
        TempSuffix = ".tmp";

    public static void Write(string path, ReadOnlySpan<byte> data)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = Path.Combine(
            dir,
            $"{TempPrefix}{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}"
        );
        try
        {
            Directory.CreateDirectory(dir);
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                f.Write(data);
                f.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        // .NET reports EFBIG (a file-size limit) as ArgumentOutOfRangeException: "file length too large for the file
        // system".
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            try
            {
                File.Delete(tmp);
            }
            catch (Exception)
            { /* the directory may be unwritable: nothing more to clean */
            }
            throw new OutputWriteException(
                $"cannot write {full}: {e.Message}"
                    + (File.Exists(full) ? "; the previous version of the file is untouched" : ""),
                e
            );
        }
        SyncDirectory(dir);
    }

    public static void WriteText(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Appends a line (for logs whose consistency a reader restores itself, such as metrics.jsonl on resume).
    /// </summary>
    public static void AppendLine(string path, string line)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            f.Write(Encoding.UTF8.GetBytes(line + "\n"));
            f.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            throw new OutputWriteException($"cannot append to {Path.GetFullPath(path)}: {e.Message}", e);
        }
    }

    /// <summary>Deletes the temporary files a killed writer left in <paramref name="dir"/>.</summary>
    public static void RemoveStale(string dir)
    {
        if (!Directory.Exists(dir))
            return;
        foreach (var f in Directory.EnumerateFiles(dir, TempPrefix + "*" + TempSuffix))
            File.Delete(f);
    }

    // .NET has no API to fsync a directory; without it a power cut may forget a completed rename. Linux only.
    static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = open(
            dir,
            0 // O_RDONLY
        );
        if (fd < 0)
            return;
        fsync(fd);
        close(fd);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc")]
    static extern int fsync(int fd);

    [DllImport("libc")]
    static extern int close(int fd);
}
