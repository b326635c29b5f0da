using Untapped.Tests;
using Untapped.Training.Experiments;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The committed studies' reports are what `untapped experiment report` builds from their trials today, byte for byte
/// (results.md and results.json): a change to the report's reading, statistics or writing that moves a committed
/// number shows here.
/// </summary>
public sealed class CommittedReportsTests
{
    [Theory]
    [InlineData("study")]
    [InlineData("schedule")]
    public void TheCommittedReportRebuildsByteForByte(string folder)
    {
        var root = Path.Combine(RepoPaths.Root, "docs", "results", folder);
        var report = SweepReport.Build(root);
        Assert.Equal(File.ReadAllText(Path.Combine(root, SweepReport.MarkdownFile)), report.Markdown);
        Assert.Equal(File.ReadAllText(Path.Combine(root, SweepReport.JsonFile)), ResultsJson.Of(report).ToJson());
    }
}
