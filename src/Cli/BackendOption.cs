namespace Untapped.Cli;

/// <summary>How a --backend name (parsed by <see cref="BackendNames"/>) becomes the backend a run trains on.</summary>
static class BackendOption
{
    /// <summary>
    /// The backend a run trains on: as <see cref="BackendNames.Create(string, int)"/>, but a CUDA or OpenCL device
    /// first passes its self-check (<see cref="GpuGate"/>): under auto a failure falls back to the managed CPU, under
    /// an explicit name it is an error (exit 1). Called before the run directory is touched.
    /// </summary>
    public static Backend ForTraining(string backend, int threads, SelfCheckMode mode)
    {
        bool auto = BackendNames.IsAuto(backend);
        var (kind, index) = auto ? Backends.Best() : (BackendNames.Parse(backend), 0);
        if (kind is not (BackendKind.Cuda or BackendKind.OpenCl))
            return BackendNames.Create(kind, threads);
        if (Backends.Unavailable(kind) is not null)
            return BackendNames.Create(kind, threads); // throws, naming why
        var gate = GpuGate.Open(
            kind,
            index,
            explicitChoice: !auto,
            mode,
            OpCases.At(CaseSize.Test),
            threads,
            Console.Out,
            ReferenceClassifier.DefaultCacheDir()
        );
        if (gate.FellBack)
            Console.Out.WriteLine($"({RemedyText.Of(Remedy.NameTheBackend)})");
        return gate.Backend;
    }
}
