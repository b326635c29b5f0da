using System.Runtime.CompilerServices;

namespace Untapped.Training.Tests;

static class TestEnvironment
{
    /// <summary>
    /// The reference-classifier cache of every run in these tests (and of the CLI processes they start) lives in a
    /// temporary folder.
    /// </summary>
    [ModuleInitializer]
    internal static void UseTemporaryCache() =>
        Environment.SetEnvironmentVariable(
            "UNTAPPED_CACHE",
            Path.Combine(Path.GetTempPath(), "untapped-tests", "cache")
        );
}
