namespace Untapped.Kernels;

/// <summary>
/// The --backend names (auto | cuda | opencl | ilgpu-cpu | cpu) and how a name becomes a backend: the one parser of the
/// CLI and the bench.
/// </summary>
public static class BackendNames
{
    /// <summary>The names of the backends, in the order `auto` tries the device ones.</summary>
    public static readonly (string Name, BackendKind Kind)[] All =
    [
        ("cuda", BackendKind.Cuda),
        ("opencl", BackendKind.OpenCl),
        ("ilgpu-cpu", BackendKind.IlgpuCpu),
        ("cpu", BackendKind.Cpu),
    ];

    /// <summary>The name that picks the best backend present.</summary>
    public const string Auto = "auto";

    public static bool IsAuto(string backend) => backend.Equals(Auto, StringComparison.OrdinalIgnoreCase);

    /// <summary>The name of a backend kind.</summary>
    public static string Name(BackendKind kind) => All.First(b => b.Kind == kind).Name;

    /// <summary>The backend kind of a name other than auto; an unknown name throws, listing the valid ones.</summary>
    public static BackendKind Parse(string backend)
    {
        var match = All.Where(b => b.Name.Equals(backend, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (match.Length == 0)
        {
            throw new BackendUnavailableException(
                $"unknown backend '{backend}'; valid: {Auto}, {string.Join(", ", All.Select(b => b.Name))}"
            );
        }

        return match[0].Kind;
    }

    /// <summary>The backend a name picks, with the managed CPU backend's thread count (0 = every core).</summary>
    public static Backend Create(string backend, int threads)
    {
        if (IsAuto(backend))
            return Backends.CreateBest(threads);
        return Create(Parse(backend), threads);
    }

    /// <summary>
    /// A backend of <paramref name="kind"/>; an absent one throws, naming why and the backends present.
    /// </summary>
    public static Backend Create(BackendKind kind, int threads)
    {
        try
        {
            return Backends.Create(kind, 0, threads);
        }
        catch (BackendUnavailableException e)
        {
            var present = All.Where(b => Backends.Unavailable(b.Kind) is null).Select(b => b.Name);
            throw new BackendUnavailableException(
                $"{e.Message}. Backends present here: {Auto}, {string.Join(", ", present)}",
                e
            );
        }
    }
}
