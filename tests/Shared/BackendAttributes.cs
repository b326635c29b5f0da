using Untapped.Kernels;
using Xunit;

namespace Untapped.Tests;

/// <summary>
/// A theory that runs only where its backend is present, skipping with the backend's own reason otherwise.
/// Under CI=true the OpenCL backend must be present (CI installs POCL), so it never skips there: the
/// test then runs and fails with the reason.
/// </summary>
public sealed class BackendTheoryAttribute : TheoryAttribute
{
    public BackendTheoryAttribute(AcceleratorKind kind)
    {
        var why = Context.Unavailable(kind);
        if (why is not null && !(kind == AcceleratorKind.OpenCl && Ci.Required)) Skip = $"{kind} backend absent: {why}";
    }
}

/// <summary>A fact that needs NVRTC; under CI=true NVRTC is required (CI installs libnvrtc11.2).</summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    public NvrtcFactAttribute()
    {
        if (!Untapped.Kernels.Cuda.Nvrtc.Available && !Ci.Required) Skip = $"NVRTC absent: {Untapped.Kernels.Cuda.Nvrtc.LoadError}";
    }
}

public static class Ci
{
    /// <summary>True under CI (CI=true): optional native backends become required.</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A fact that needs AVX-512 (the CPU kernels' 16-lane path); skipped, with the reason, on CPUs without it.</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Skip = "this CPU (or DOTNET_EnableAVX512=0) has no accelerated Vector512: the 16-lane path cannot run";
    }
}
