using System.Reflection;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Untapped.Kernels.Ilgpu;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// One ILGPU context per GPU backend per process (issue 42): ILGPU's `.Cuda()` registers a native-library resolver on
/// WSL, and a second one in a process throws there, so device discovery, the refused-device listing, the gate and the
/// training backend must all use <see cref="IlgpuDevices.Shared"/>.
/// </summary>
public sealed class SharedContextTests
{
    static readonly MethodInfo[] GpuBuilders = typeof(CudaContextExtensions)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == "Cuda")
        .Concat(
            typeof(CLContextExtensions)
                .GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(m => m.Name == "OpenCL")
        )
        .ToArray();

    // Every method of every project assembly beside the tests is read: only IlgpuDevices.Shared (its lambdas are
    // compiled into methods named after it) may call ILGPU's Cuda()/OpenCL() context builders.
    [Fact]
    public void OnlyTheSharedContextOpensAGpuBackend()
    {
        var dir = Path.GetDirectoryName(typeof(Fn).Assembly.Location)!;
        var assemblies = Directory
            .GetFiles(dir, "Untapped*.dll")
            .Where(f => !Path.GetFileName(f).Contains(".Tests", StringComparison.Ordinal))
            .Select(Assembly.LoadFrom)
            .ToList();
        Assert.Contains(assemblies, a => a == typeof(Fn).Assembly);
        var callers = new List<string>();
        foreach (var assembly in assemblies)
        {
            foreach (var (type, method) in OwnMathsTests.Methods(assembly))
            {
                if (Calls(method).Any(t => GpuBuilders.Contains(t)))
                    callers.Add($"{type.FullName}.{method.Name}");
            }
        }
        Assert.NotEmpty(callers);
        Assert.All(callers, c => Assert.Matches(@"^Untapped\.Kernels\.Ilgpu\.IlgpuDevices(\+.*)?\.<Shared>", c));
    }

    // A guard that the scan sees what it looks for.
    [Fact]
    public void TheScanFindsACallToCuda()
    {
        var self = typeof(SharedContextTests).GetMethod(
            nameof(OpensCuda),
            BindingFlags.NonPublic | BindingFlags.Static
        )!;
        Assert.Contains(Calls(self), t => GpuBuilders.Contains(t));
    }

    static void OpensCuda(ILGPU.Context.Builder b) => b.Cuda();

    [Fact]
    public void DiscoveryMakesOneContextPerGpuBackend()
    {
        var cuda = IlgpuDevices.Shared(BackendKind.Cuda);
        var openCl = IlgpuDevices.Shared(BackendKind.OpenCl);
        _ = Backends.Devices();
        _ = Backends.RefusedDevices();
        _ = Backends.Unavailable(BackendKind.Cuda);
        _ = Backends.Unavailable(BackendKind.OpenCl);
        _ = Backends.Best();
        Assert.Same(cuda, IlgpuDevices.Shared(BackendKind.Cuda));
        Assert.Same(openCl, IlgpuDevices.Shared(BackendKind.OpenCl));
        Assert.Equal(2, IlgpuDevices.GpuContextsMade);
    }

    // A GPU backend runs in the shared context and leaves it open when disposed: the tests' shared OpenCL backend
    // (made before or after it, in the same context) still works.
    [BackendFact(BackendKind.OpenCl)]
    public void DisposingAGpuBackendKeepsTheSharedContext()
    {
        var before = IlgpuDevices.GpuContextsMade;
        lock (SharedIlgpu.Lock)
        {
            using (var first = new IlgpuBackend(BackendKind.OpenCl)) { }
            Assert.False(IlgpuDevices.Shared(BackendKind.OpenCl).IsDisposed);
            var other = SharedIlgpu.OpenCl;
            using var x = other.Upload([1f, 2f, 3f]);
            Assert.Equal([1f, 2f, 3f], other.ToArray(x));
        }
        Assert.Equal(before, IlgpuDevices.GpuContextsMade);
    }

    [Fact]
    public void AGpuBackendRefusesAssertionsInsteadOfASecondContext()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new IlgpuBackend(BackendKind.Cuda, 0, new IlgpuSettings(Assertions: true))
        );
        Assert.Contains("one context per process", e.Message);
    }

    static IEnumerable<MethodBase> Calls(MethodBase method) =>
        method.GetMethodBody()?.GetILAsByteArray() is { } il
            ? OwnMathsTests
                .CallTargets(method, il)
                .Select(t => t is MethodInfo { IsGenericMethod: true } g ? g.GetGenericMethodDefinition() : t)
            : [];
}
