using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Training.Checks;
using Untapped.Training.Evaluation;

namespace Untapped.Cli;

/// <summary>The --backend names and how each becomes an accelerator.</summary>
static class BackendOption
{
    /// <summary>The --backend names, in the order `auto` tries the device ones.</summary>
    public static readonly (string Name, BackendKind Kind)[] All =
        [("cuda", BackendKind.Cuda), ("opencl", BackendKind.OpenCl), ("ilgpu-cpu", BackendKind.IlgpuCpu), ("cpu", BackendKind.Cpu)];

    /// <summary>The --backend name of a backend kind.</summary>
    public static string Name(BackendKind kind) => All.First(b => b.Kind == kind).Name;

    /// <summary>auto | cuda | opencl | ilgpu-cpu | cpu, with the managed CPU backend's thread count.</summary>
    public static Backend Create(string backend, int threads)
    {
        if (backend.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Backends.CreateBest(threads);
        return Create(Parse(backend), threads);
    }

    /// <summary>The backend kind of a --backend name other than auto.</summary>
    public static BackendKind Parse(string backend)
    {
        var names = string.Join(", ", All.Select(b => b.Name));
        var match = All.Where(b => b.Name.Equals(backend, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (match.Length == 0) throw new BackendUnavailableException($"unknown backend '{backend}'; valid: auto, {names}");
        return match[0].Kind;
    }

    /// <summary>
    /// The accelerator a run trains on: as <see cref="Create(string, int)"/>, but a CUDA or OpenCL device first passes
    /// its self-check (<see cref="GpuGate"/>): under auto a failure falls back to the managed CPU, under an explicit
    /// name it is an error (exit 1). Called before the run directory is touched.
    /// </summary>
    public static Backend ForTraining(string backend, int threads, SelfCheckMode mode)
    {
        bool auto = backend.Equals("auto", StringComparison.OrdinalIgnoreCase);
        var (kind, index) = auto ? Backends.Best() : (Parse(backend), 0);
        if (kind is not (BackendKind.Cuda or BackendKind.OpenCl)) return Create(auto ? Name(kind) : backend, threads);
        if (Backends.Unavailable(kind) is not null) return Create(backend, threads);   // throws, naming why
        return GpuGate.Open(kind, index, explicitChoice: !auto, mode, KernelCases.All(), threads, Console.Out, ReferenceClassifier.DefaultCacheDir()).Backend;
    }

    static Backend Create(BackendKind kind, int threads)
    {
        try { return Backends.Create(kind, 0, threads); }
        catch (BackendUnavailableException e)
        {
            var present = All.Where(b => Backends.Unavailable(b.Kind) is null).Select(b => b.Name);
            throw new BackendUnavailableException($"{e.Message}. Backends present here: auto, {string.Join(", ", present)}", e);
        }
    }
}
