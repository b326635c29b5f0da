namespace Untapped.Training.Tests;

/// <summary>
/// Command lines in tests: the fixed words as one string, spread into the argument array beside the paths.
/// </summary>
public static class Argv
{
    /// <summary>The space-separated words of <paramref name="line"/> (none of which holds a space itself).</summary>
    public static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
