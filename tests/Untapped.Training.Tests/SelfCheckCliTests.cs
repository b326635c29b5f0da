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
        int outputs = KernelCases.All().Sum(c => c.Outputs.Length);
        foreach (var c in KernelCases.All())
            foreach (var o in c.Outputs)
                Assert.Single(lines, l => l.StartsWith($"{c.Name} ", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var output, _, _, _, _, _, "yes"] && output == o);
        Assert.Contains($"{outputs} of {outputs} kernel outputs within tolerance, training step agrees", child.StdOut);
        Assert.Contains(lines, l => l.StartsWith("training step (untapped, batch 2)", StringComparison.Ordinal) && l.TrimEnd().EndsWith("yes", StringComparison.Ordinal));
    }

    [Untapped.Tests.CudaAbsentFact]
    public void DevicesCheckOnAnAbsentBackendExits2()
    {
        using var child = ChildProcess.Start("devices", "--check", "--backend", "cuda");
        Assert.Equal(2, child.Wait());
        Assert.Contains("libcuda", child.StdErr);
    }
}
