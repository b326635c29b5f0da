namespace Untapped.Training.Runs;

/// <summary>
/// How config.json records the run's paths so that a committed run reads the same on any clone: the run directory
/// itself as ".", and the data folder relative to the run directory when both lie in one repository (the nearest
/// folder above the run directory holding .git); anything else stays absolute. Read back, a relative path is resolved
/// against the run directory.
/// </summary>
public static class RunPaths
{
    public static RunOptions Relative(RunOptions o, string runDir)
    {
        string dir = Path.GetFullPath(runDir);
        string outDir = o.OutDir.Length > 0 && Same(Path.GetFullPath(o.OutDir), dir) ? "." : o.OutDir;
        string dataDir = o.DataDir;
        if (
            dataDir.Length > 0
            && Path.IsPathRooted(dataDir)
            && RepositoryOf(dir) is { } repo
            && Inside(Path.GetFullPath(dataDir), repo)
        )
        {
            dataDir = Path.GetRelativePath(dir, dataDir);
        }

        return o with
        {
            OutDir = outDir,
            DataDir = dataDir,
        };
    }

    public static RunOptions Resolve(RunOptions o, string runDir)
    {
        string dir = Path.GetFullPath(runDir);
        string Abs(string p) => p.Length == 0 || Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(dir, p));
        return o with { OutDir = Abs(o.OutDir), DataDir = Abs(o.DataDir) };
    }

    static string? RepositoryOf(string dir)
    {
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
        {
            if (Directory.Exists(Path.Combine(d.FullName, ".git")) || File.Exists(Path.Combine(d.FullName, ".git")))
                return d.FullName;
        }

        return null;
    }

    static bool Same(string a, string b) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(a),
            Path.TrimEndingDirectorySeparator(b),
            StringComparison.Ordinal
        );

    static bool Inside(string path, string root) =>
        Same(path, root)
        || path.StartsWith(
            Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar,
            StringComparison.Ordinal
        );
}
