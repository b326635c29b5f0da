using Untapped.Kernels;

namespace Untapped.Cli;

/// <summary>The --backend names and how each becomes an accelerator.</summary>
static class Backends
{
    /// <summary>The --backend names, in the order `auto` tries the device ones.</summary>
    public static readonly (string Name, AcceleratorKind Kind)[] All =
        [("cuda", AcceleratorKind.Cuda), ("opencl", AcceleratorKind.OpenCl), ("ilgpu-cpu", AcceleratorKind.IlgpuCpu), ("cpu", AcceleratorKind.Cpu)];

    /// <summary>The --backend name of a backend kind.</summary>
    public static string Name(AcceleratorKind kind) => All.First(b => b.Kind == kind).Name;

    /// <summary>auto | cuda | opencl | ilgpu-cpu | cpu, with the managed CPU backend's thread count.</summary>
    public static Accelerator Create(string backend, int threads)
    {
        if (backend.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Context.CreateBest(threads);
        var names = string.Join(", ", All.Select(b => b.Name));
        var match = All.Where(b => b.Name.Equals(backend, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (match.Length == 0) throw new DeviceException($"unknown backend '{backend}'; valid: auto, {names}");
        try { return Context.Create(match[0].Kind, 0, threads); }
        catch (DeviceException e)
        {
            var present = All.Where(b => Context.Unavailable(b.Kind) is null).Select(b => b.Name);
            throw new DeviceException($"{e.Message}. Backends present here: auto, {string.Join(", ", present)}", e);
        }
    }
}
