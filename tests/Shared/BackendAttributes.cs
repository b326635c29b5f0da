using Untapped.Kernels;
using Xunit;

namespace Untapped.Tests;

/// <summary>
/// A theory that runs only where its backend has a device that ILGPU accepts, skipping otherwise with ILGPU's reason
/// (for example: no NVIDIA driver; or Debian's PoCL 3.1 refused for lacking the generic address space). Under CI=true
/// an OpenCL test always runs (CI builds PoCL 6: tools/pocl6.sh), so a missing OpenCL device fails it there.
/// </summary>
public sealed class BackendTheoryAttribute : TheoryAttribute
{
    public BackendTheoryAttribute(BackendKind kind) => Skip = BackendSkip.Reason(kind);
}

/// <summary>The fact twin of <see cref="BackendTheoryAttribute"/>.</summary>
public sealed class BackendFactAttribute : FactAttribute
{
    public BackendFactAttribute(BackendKind kind) => Skip = BackendSkip.Reason(kind);
}

static class BackendSkip
{
    public static string? Reason(BackendKind kind) =>
        Backends.Unavailable(kind) is { } why && !(kind == BackendKind.OpenCl && Ci.Required)
            ? $"{kind} backend absent: {why}"
            : null;
}

public static class Ci
{
    /// <summary>
    /// True under CI (CI=true): tools the tests need (ptxas, Slurm) become required instead of skipped.
    /// </summary>
    public static bool Required =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A fact that needs AVX-512 (the CPU kernels' 16-lane path); skipped, with the reason, on CPUs without it.
/// </summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Skip = "this CPU (or DOTNET_EnableAVX512=0) has no accelerated Vector512: the 16-lane path cannot run";
    }
}

/// <summary>
/// A fact about asking for CUDA where there is none; skipped, saying so, on a machine with a CUDA device.
/// </summary>
public sealed class CudaAbsentFactAttribute : FactAttribute
{
    public CudaAbsentFactAttribute()
    {
        if (Backends.Unavailable(BackendKind.Cuda) is null)
            Skip = "this machine has a CUDA device: no absent backend to ask for";
    }
}

/// <summary>
/// A fact about a backend ILGPU finds no device for; skipped, saying so, on a machine where it is present.
/// </summary>
public sealed class BackendAbsentFactAttribute : FactAttribute
{
    public BackendAbsentFactAttribute(BackendKind kind)
    {
        if (Backends.Unavailable(kind) is null)
            Skip = $"this machine has a {kind} device that ILGPU accepts: no absent backend to ask for";
    }
}
