namespace Untapped.Tests;

/// <summary>
/// The repository the tests run from: the first folder above the test binaries that holds Untapped.Gpu.sln.
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Untapped.Gpu.sln")))
                return d.FullName;
        }

        throw new DirectoryNotFoundException("Untapped.Gpu.sln not found above the test binaries");
    }
}
