using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Kernels.Ilgpu;

namespace Untapped.Training.Gate;

/// <summary>When a GPU backend runs its <see cref="SelfCheck"/> before training (<c>--self-check</c>).</summary>
public enum SelfCheckMode
{
    /// <summary>Run it unless a pass is cached for this device, driver and build.</summary>
    Auto,

    /// <summary>Run it even when a pass is cached.</summary>
    Always,

    /// <summary>Never run it (the user vouches for the device).</summary>
    Never,
}

/// <summary>
/// The gate in front of a GPU: before a run touches its directory, a CUDA or OpenCL device (or any ILGPU backend the
/// caller hands it) runs the self-check on the build that trains, bit for bit, under a deadline; the accelerator it
/// checked is the one the run trains on. A pass is cached per
/// device name, driver version and build in <c>$UNTAPPED_CACHE/selfcheck/</c>, so it costs its seconds once. On a
/// failure a backend chosen by <c>auto</c> falls back to the managed CPU, saying which kernel failed and how; one
/// named explicitly throws <see cref="DeviceException"/> with the same message (exit 1).
/// </summary>
public static class GpuGate
{
    /// <summary>
    /// What the gate decided: the accelerator to train on, and the report of the check it ran (null when cached or
    /// skipped).
    /// </summary>
    public sealed record Outcome(Backend Backend, SelfCheck.Report? Report, bool FellBack);

    /// <param name="kind">The ILGPU backend chosen (Cuda, OpenCl; IlgpuCpu in tests and `devices --check`).</param>
    /// <param name="index">Its device index.</param>
    /// <param name="explicitChoice">The user named the backend (not <c>auto</c>): a failure is an error, not a
    /// fallback.</param>
    /// <param name="cases">The kernel cases of the check (<see cref="OpCases.At"/> at <see
    /// cref="CaseSize.Test"/>).</param>
    /// <param name="cpuThreads">Threads of the managed CPU backend it falls back to.</param>
    /// <param name="log">Where it says what it does (checking, cached pass, fallback).</param>
    /// <param name="step">Also run the training step (<see cref="StepParity.OneStep"/>); tests of the gate alone skip
    /// it.</param>
    /// <param name="deadline">How long the check may take (default <see cref="Deadline"/>): past it, the check has
    /// failed (a kernel or the driver hangs; data-centre GPUs have no watchdog of their own).</param>
    public static Outcome Open(
        BackendKind kind,
        int index,
        bool explicitChoice,
        SelfCheckMode mode,
        IEnumerable<OpCase> cases,
        int cpuThreads,
        TextWriter log,
        string cacheDir,
        bool step = true,
        TimeSpan? deadline = null
    )
    {
        if (mode == SelfCheckMode.Never)
            return new(new IlgpuBackend(kind, index), null, false);
        string? key = null;
        SelfCheck.Report? report = null;
        string? failure = null;
        var limit = deadline ?? Deadline;
        // The check runs on a thread of its own under the deadline: a kernel that never returns (a barrier a thread
        // never reaches, a driver that hangs) becomes a failed check, not a process blocked forever. The abandoned
        // thread is a background thread: it holds only the checking accelerator, and ends with the process.
        IlgpuBackend? checking = null;
        var check = new Thread(() =>
        {
            try
            {
                // The build that trains (no assertions): the accelerator checked is the one handed back to train on,
                // so a process makes one ILGPU context for its device.
                checking = new IlgpuBackend(kind, index);
                key = CacheKey(checking);
                if (mode == SelfCheckMode.Auto && File.Exists(CacheFile(cacheDir, key)))
                {
                    log.WriteLine(
                        $"self-check: a pass of {checking.Name} with this driver and build is cached ({CacheFile(cacheDir, key)})"
                    );
                }
                else
                {
                    log.WriteLine(
                        $"self-check of {checking.Name}: every kernel against the managed CPU, bit for bit, then one training step"
                    );
                    report = SelfCheck.Run(checking, cases, step ? StepParity.OneStep : null);
                    failure = report.Failure;
                }
            }
            catch (DeviceException e)
            {
                failure = $"{kind} device {index} could not be set up: {e.Message}";
            }
        })
        {
            IsBackground = true,
            Name = "self-check",
        };
        check.Start();
        if (!check.Join(limit))
        {
            report = null;
            failure =
                $"the self-check of {kind} device {index} did not finish within {limit.TotalSeconds:F0} s: a kernel or the driver hangs (UNTAPPED_SELFCHECK_TIMEOUT sets the limit in seconds)";
        }
        if (failure is null && checking is not null)
        {
            if (report is not null)
            {
                log.WriteLine(
                    $"self-check passed: {report.Rows.Count} kernel outputs and the training step have the managed CPU's bits ({report.Elapsed.TotalSeconds:F1} s)"
                );
                WritePass(cacheDir, key!, report);
            }
            return new(checking, report, false);
        }
        failure ??= $"{kind} device {index} could not be set up";
        // A backend that hangs is left to its thread; one that failed is released (its release never throws over the
        // fault that failed it).
        if (!check.IsAlive)
            checking?.Dispose();
        if (explicitChoice)
            throw new SelfCheckFailedException($"self-check failed: {failure}");
        log.WriteLine($"self-check failed: {failure}");
        log.WriteLine("falling back to the managed CPU backend");
        return new(new CpuBackend(cpuThreads), report, true);
    }

    /// <summary>
    /// How long the self-check may take before it counts as failed: UNTAPPED_SELFCHECK_TIMEOUT seconds, else 10
    /// minutes (a GPU takes seconds; ILGPU's CPU accelerator about half a minute).
    /// </summary>
    public static TimeSpan Deadline =>
        int.TryParse(Environment.GetEnvironmentVariable("UNTAPPED_SELFCHECK_TIMEOUT"), out int s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromMinutes(10);

    /// <summary>
    /// Device, driver and this build (the kernel assembly's module version id): what a cached pass vouches for. A CUDA
    /// device is named by its UUID and PCI address, its driver by the kernel module's full build and the CUDA API
    /// version (<see cref="IlgpuDevices.Identity"/>): two GPUs of one model, or one GPU after a driver update, are
    /// checked anew.
    /// </summary>
    public static string CacheKey(IlgpuBackend acc)
    {
        string driver = acc.Device switch
        {
            CudaDevice c => CudaKey(IlgpuDevices.Identity(c)),
            CLDevice c => $"opencl {c.PlatformName} {c.PlatformVersion} {c.DeviceVersion}",
            _ => "ilgpu-cpu",
        };
        return $"{acc.Name} | {driver} | {typeof(IlgpuBackend).Assembly.ManifestModule.ModuleVersionId}";
    }

    /// <summary>The CUDA part of the cache key (what is unknown is said so, so that it never matches a known one).</summary>
    public static string CudaKey((string? Uuid, string Pci, string? DriverBuild, string Api) id) =>
        $"cuda uuid {id.Uuid ?? "unknown"} pci {id.Pci} | driver {id.DriverBuild ?? "unknown"} | api {id.Api}";

    static string CacheFile(string cacheDir, string key) =>
        Path.Combine(
            cacheDir,
            "selfcheck",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16] + ".json"
        );

    // A cache that cannot be written costs a re-check next time, nothing more.
    static void WritePass(string cacheDir, string key, SelfCheck.Report r)
    {
        try
        {
            var file = CacheFile(cacheDir, key);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var tmp = file + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(
                tmp,
                JsonSerializer.Serialize(
                    new
                    {
                        key,
                        passed = DateTime.UtcNow,
                        outputs = r.Rows.Count,
                        seconds = r.Elapsed.TotalSeconds,
                    }
                )
            );
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
