using Untapped.Tests;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>Every catalogue case on a device backend against the managed CPU twin.</summary>
public abstract class ParityTests
{
    protected static void Check(AcceleratorKind kind, string name)
    {
        var c = KernelCases.Get(name);
        using var cpu = new CpuAccelerator(1);
        var expected = KernelCases.Execute(c, cpu);
        using var dev = Context.Create(kind);
        var actual = KernelCases.Execute(c, dev);
        foreach (var o in c.Outputs) Close.All(expected[o], actual[o], c.Atol, c.Rtol, $"{name}.{o} on {dev.Name}");
    }
}

public sealed class OpenClParityTests : ParityTests
{
    [BackendTheory(AcceleratorKind.OpenCl)]
    [MemberData(nameof(KernelCases.Names), MemberType = typeof(KernelCases))]
    public void MatchesCpu(string kernel) => Check(AcceleratorKind.OpenCl, kernel);
}

public sealed class CudaParityTests : ParityTests
{
    [BackendTheory(AcceleratorKind.Cuda)]
    [MemberData(nameof(KernelCases.Names), MemberType = typeof(KernelCases))]
    public void MatchesCpu(string kernel) => Check(AcceleratorKind.Cuda, kernel);
}
