using Untapped.Checks;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>`untapped devices --check`: the GPU gate's self-check as a table, its exit codes.</summary>
public sealed class SelfCheckCliTests
{
    [Fact]
    public void DevicesCheckPrintsAPassingRowPerKernelOutputAndExits0()
    {
        using var child = ChildProcess.Start("devices", "--check", "--backend", "cpu", "--threads", "2");
        Assert.Equal(0, child.Wait());
        var lines = child.StdOut.Split('\n');
        int outputs = OpCases.At(CaseSize.Test).Sum(c => c.Outputs.Length);
        foreach (var c in OpCases.At(CaseSize.Test))
        {
            foreach (var o in c.Outputs)
            {
                Assert.Single(lines, l =>
                    l.StartsWith($"{c.Name} ", StringComparison.Ordinal)
                    && l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var output, _, _, "bits", "yes"]
                    && output == o
                );
            }
        }

        Assert.Contains(
            $"{outputs} of {outputs} kernel outputs with the CPU's bits, training step identical",
            child.StdOut
        );
        Assert.Contains(lines, l =>
            l.StartsWith("training step (untapped, batch 2)", StringComparison.Ordinal)
            && l.TrimEnd().EndsWith("yes", StringComparison.Ordinal)
        );
    }

    [Untapped.Tests.CudaAbsentFact]
    public void DevicesCheckOnAnAbsentBackendExits2()
    {
        using var child = ChildProcess.Start("devices", "--check", "--backend", "cuda");
        Assert.Equal(2, child.Wait());
        Assert.Contains("libcuda", child.StdErr);
    }
}

/// <summary>What `--help` and `--version` tell a user.</summary>
public sealed class HelpTests
{
    [Fact]
    public void HelpNamesEachSwitchsDefaultFromThePresets()
    {
        using var child = ChildProcess.Start("train", "--help");
        Assert.Equal(0, child.Wait());
        var help = child.StdOut;
        Assert.Contains("[default: the preset's: paper 150, original 1000]", help);
        Assert.Contains("[default: the preset's: paper exact, original original]", help); // --logdet
        Assert.Contains("[default: 20]", help); // --eval-every
        Assert.Contains("[default: Auto]", help); // --self-check
        // Every option line of train names its default (or says where it comes from), except the flags and --help.
        foreach (var line in help.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
        {
            if (!line.TrimStart().StartsWith("--resume", StringComparison.Ordinal))
                Assert.Contains("default", line);
        }
    }

    [Fact]
    public void VersionPrintsTheVersionAndTheBuildsCommit()
    {
        using var child = ChildProcess.Start("--version");
        Assert.Equal(0, child.Wait());
        Assert.Matches(@"^\d+\.\d+\.\d+\+[0-9a-f]{40}\s*$", child.StdOut);
    }
}
